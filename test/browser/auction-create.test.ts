// The creation form: an operator, then a purchasing unit, picks an approved requisition's project
// waiting for its competition; the project fixes the category and caps the ceiling at its budget.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { cast, item, raise, approveAll, YUAN, type Cast } from '../integration/workflow-helpers';

describe(`browser: a competition from a waiting project (${TEST_DIALECT})`, function () {
  this.timeout(90000);
  let s: TestServer;
  let c: Cast;
  let browser: Browser;
  const waiting: Array<{ pid: number; reqId: number; ref: string }> = [];

  before(async () => {
    s = await startTestServer();
    c = await cast(s);
    for (let i = 0; i < 2; i++) {
      const req = await raise(c, [item('A02010105', 10, 6_000)], { title: `教学用笔记本电脑采购 ${i + 1}` }); // 60,000.00 yuan
      expect(req.method).to.equal('online_price_competition');
      const pid = await approveAll(c, req.id);
      const p = await s.tdb.db('procurement_projects').where({ id: pid }).first('ref');
      waiting.push({ pid, reqId: req.id, ref: p.ref });
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  async function openForm(username: string): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    await loginThroughPage(page, s.url, username);
    await page.goto(`${s.url}/auctions`);
    await page.getByTestId('auction-new').click();
    await page.getByTestId('auction-create').waitFor();
    return page;
  }
  async function submitAndGetId(page: Page): Promise<number> {
    await page.getByTestId('auction-submit').click();
    await page.waitForURL(/\/auctions\/\d+$/);
    return Number(/\/auctions\/(\d+)$/.exec(page.url())![1]);
  }

  it('the operator picks a waiting project: category and ceiling come from it, the competition is linked', async () => {
    const [w] = waiting;
    const page = await openForm('operator');
    const option = page.locator(`[data-testid=auction-project] option[value="${w.pid}"]`);
    await option.waitFor({ state: 'attached' });
    const label = (await option.textContent())!;
    for (const part of [w.ref, '教学用笔记本电脑采购 1', '市教育局', 'A02010105', '60,000.00']) expect(label).to.include(part);
    // The procurement centre may still run a competition of its own (no project), chosen by default.
    expect(await page.getByTestId('auction-project').inputValue()).to.equal('');
    await page.getByTestId('auction-project').selectOption(String(w.pid));
    expect(await page.getByTestId('auction-ceiling').inputValue()).to.equal('60000.00');
    expect(await page.getByTestId('categoryCode').inputValue()).to.equal('A02010105');
    expect(await page.getByTestId('categoryCode').isDisabled()).to.equal(true);
    expect(await page.getByTestId('auction-title').inputValue()).to.equal('教学用笔记本电脑采购 1');
    expect(await page.getByTestId('auction-project-info').textContent()).to.include('60,000.00');
    await page.getByTestId('auction-lot').fill('笔记本电脑 10 台，含三年上门保修');
    // Above the approved budget: refused in the form, nothing sent.
    await page.getByTestId('auction-ceiling').fill('60000.01');
    await page.getByTestId('auction-submit').click();
    await page.getByTestId('form-error').filter({ hasText: '最高限价不得超过项目批准预算' }).waitFor();
    expect(await s.tdb.db('auctions').where({ project_id: w.pid }).first()).to.equal(undefined);
    await page.getByTestId('auction-ceiling').fill('59000');
    const id = await submitAndGetId(page);
    const row = await s.tdb.db('auctions').where({ id }).first();
    expect(Number(row.project_id)).to.equal(w.pid);
    expect(Number(row.requisition_id)).to.equal(w.reqId);
    expect(Number(row.ceiling_fen)).to.equal(59_000 * YUAN);
    expect(row.category_code).to.equal('A02010105');
    expect(row.status).to.equal('announced');
    await page.context().close();
  });

  it('the purchasing unit sees only projects still waiting and must pick one (in English too)', async () => {
    const page = await openForm('purchaser');
    await page.locator(`[data-testid=auction-project] option[value="${waiting[1].pid}"]`).waitFor({ state: 'attached' });
    const values = await page.locator('[data-testid=auction-project] option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(values).to.include(String(waiting[1].pid));
    expect(values).to.not.include(String(waiting[0].pid)); // it has its competition now
    expect(values).to.not.include(''); // no competition without a requisition for a unit
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('auction-new').click();
    const option = page.locator(`[data-testid=auction-project] option[value="${waiting[1].pid}"]`);
    await option.waitFor({ state: 'attached' });
    expect(await option.textContent()).to.include('Education Bureau').and.include('approved budget');
    await page.getByTestId('auction-project').selectOption(String(waiting[1].pid));
    expect(await page.getByTestId('auction-ceiling').inputValue()).to.equal('60000.00');
    await page.getByTestId('auction-lot').fill('Laptops, 10 units, three-year on-site warranty');
    const id = await submitAndGetId(page);
    const row = await s.tdb.db('auctions').where({ id }).first();
    expect(Number(row.project_id)).to.equal(waiting[1].pid);
    expect(Number(row.ceiling_fen)).to.equal(60_000 * YUAN);
    await page.context().close();
  });
});
