import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';

const login = loginThroughPage;

describe(`browser: an expert answers a sealed draw's invitation (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  let op: TestClient;
  let orgId: number;
  const draw = async (revealInMs: number) => {
    const now = Date.now();
    const r = await op.post('/api/draws', {
      projectRef: `YGCG-B-${revealInMs}`,
      purchasingOrgId: orgId,
      supplierIds: [],
      groups: [{ specialty: 'B', count: 5 }],
      evaluationAt: new Date(now + revealInMs + 3_600_000).toISOString(),
      evaluationPlace: '采购中心第2评标室',
      revealAt: new Date(now + revealInMs).toISOString(),
    });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body.id as number;
  };
  before(async () => {
    s = await startTestServer();
    browser = await launchBrowser();
    op = await s.as('operator');
    orgId = (await s.tdb.db('organisations').where({ code: 'PU02' }).first('id')).id;
    // The pool for specialty B is exactly five experts, the demo expert among them.
    for (let i = 1; i <= 4; i++) {
      const r = await op.post('/api/experts', { name: `工程专家${i}`, employerName: '阳光建设集团', region: '330100', title: '高级工程师', phone: `1370000000${i}`, email: `b${i}@t.example.cn`, specialties: ['B'] });
      expect(r.status).to.equal(201);
    }
    const demo = await s.tdb.db('experts as e').join('users as u', 'u.id', 'e.user_id').where('u.username', 'expert').first('e.id');
    const own = (await op.get(`/api/experts/${demo.id}`)).body.specialties;
    expect((await op.request('PATCH', `/api/experts/${demo.id}`, { specialties: [...own, 'B'] })).status).to.equal(200);
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('the operator requests a draw in the page; the expert accepts; the operator sees the count live, never the name', async () => {
    const oc = await browser.newContext();
    const opPage = await oc.newPage();
    await login(opPage, s.url, 'operator');
    await opPage.locator('[data-nav="/draws"]').click();
    const local = (d: Date) => {
      const p = (n: number) => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
    };
    const reveal = new Date(Date.now() + 2 * 86_400_000);
    await opPage.getByTestId('draw-project-ref').fill('YGCG-B-UI');
    await opPage.locator('[data-testid=draw-unit] option').nth(1).waitFor({ state: 'attached' });
    await opPage.getByTestId('draw-unit').selectOption(String(orgId));
    // The specialty is picked from the catalogue by search; its count starts at five.
    await opPage.getByTestId('draw-specialty-search').fill('B');
    await opPage.locator('[data-testid=draw-specialty-results][data-ready] [data-testid=draw-specialty-option][data-id="B"]').click();
    await opPage.locator('[data-testid=draw-specialty-item][data-id="B"]').waitFor();
    await opPage.getByTestId('draw-reveal-at').fill(local(reveal));
    await opPage.getByTestId('draw-evaluation-at').fill(local(new Date(reveal.getTime() + 3_600_000)));
    await opPage.getByTestId('draw-place').fill('采购中心第2评标室');
    await opPage.getByTestId('draw-submit').click();
    await opPage.getByTestId('rounds').waitFor();
    const drawId = Number(new URL(opPage.url()).pathname.split('/').pop());
    expect(drawId).to.be.greaterThan(0);
    expect(await opPage.getByTestId('draw-confirmed').textContent()).to.equal('0');

    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'expert');
    await page.locator('[data-nav="/my-invitations"]').click();
    const row = page.locator('[data-testid^=invitation-][data-status=pending]');
    await row.waitFor();
    expect(await row.count()).to.equal(1);
    expect(await row.textContent()).to.include('YGCG-B-UI');
    await row.getByTestId('accept').click();
    await page.locator('[data-testid^=invitation-][data-status=accepted]').waitFor();
    expect(await page.locator('[data-testid^=invitation-][data-status=accepted] [data-testid=invitation-status]').textContent()).to.equal('已确认');
    await ctx.close();

    // The operator's open page follows the count over the draw's channel, without a reload.
    await opPage.locator('[data-testid=draw-confirmed]:has-text("1")').waitFor();
    // Before the reveal no button offers the panel (asking would be refused and raise an alert).
    expect(await opPage.getByTestId('read-result').count()).to.equal(0);
    await opPage.getByTestId('draw-panel-sealed').waitFor();
    expect(await opPage.getByTestId('draw-panel').textContent()).to.equal('');
    expect(await opPage.content()).to.not.include('刘专家');
    await oc.close();
  });

  it('recomputes a revealed draw in the browser on the public portal page', async () => {
    const drawId = await draw(1500);
    // The real scheduler reveals it within a second or two of its time.
    for (let i = 0; i < 40; i++) {
      const r = await s.client().get(`/api/public/draws/${drawId}`);
      if (r.body.status === 'revealed') break;
      await new Promise((res) => setTimeout(res, 250));
    }
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`${s.url}/portal/draws/${drawId}`);
    await page.getByTestId('public-panel').waitFor();
    await page.getByTestId('verify').click();
    await page.locator('[data-testid=verify-result][data-ok=true]').waitFor();
    expect(await page.getByTestId('verify-result').textContent()).to.match(/^核验通过/);
    await ctx.close();
  });
});
