// The sealed expert draw as the procurement centre uses it (issue 13): specialties and the
// project's suppliers picked from searchable lists, not typed codes and ids; a detail page with
// its own labels and names for codes; no button that reads the panel before the reveal (asking
// would be refused and raise a critical alert against the operator); after the reveal, the panel.
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

const local = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

/** Types into a picker's search box and picks the option with this id once the list has answered. */
async function pick(page: Page, picker: string, query: string, id: string) {
  await page.getByTestId(`${picker}-search`).fill(query);
  const option = page.locator(`[data-testid=${picker}-results][data-ready] [data-testid=${picker}-option][data-id="${id}"]`);
  await option.waitFor();
  await option.click();
  await page.locator(`[data-testid=${picker}-chosen] [data-testid=${picker}-item][data-id="${id}"]`).waitFor();
}

describe(`browser: the operator's sealed draw (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  let browser: Browser;
  /** The specialty with the most experts on file (the demo city's pool), with its names. */
  let spec: { code: string; nameZh: string; nameEn: string };
  let spec2: { code: string; nameZh: string; nameEn: string };
  before(async () => {
    ({ s, browser } = await startServerAndBrowser());
    const top = (await s.tdb.db('expert_specialties').select('category_code').count({ n: '*' }).groupBy('category_code').orderBy('n', 'desc').limit(2)) as unknown as Array<{ category_code: string }>;
    const named = async (code: string) => {
      const c = await s.tdb.db('catalogue_categories').where({ code }).first('code', 'name_zh', 'name_en');
      return { code: c.code, nameZh: c.name_zh, nameEn: c.name_en };
    };
    spec = await named(top[0].category_code);
    spec2 = await named(top[1].category_code);
  });
  after(() => closeServerAndBrowser(s, browser));

  async function requestDraw(page: Page, ref: string, specialty: { query: string; code: string }, supplier: { query: string; id: number }, screenshot: string) {
    await page.locator('[data-nav="/draws"]').click();
    await page.getByTestId('draw-request').waitFor();
    await page.getByTestId('draw-project-ref').fill(ref);
    await page.locator('[data-testid=draw-unit] option').nth(1).waitFor({ state: 'attached' });
    await page.getByTestId('draw-unit').selectOption({ index: 1 });
    // Nothing chosen yet: each picker says so.
    await page.getByTestId('draw-specialty-none').waitFor();
    await page.getByTestId('draw-supplier-none').waitFor();
    // A search that matches nothing says so.
    await page.getByTestId('draw-specialty-search').fill('zzzz不存在的专业');
    await page.locator('[data-testid=draw-specialty-results][data-ready] [data-testid=draw-specialty-nomatch]').waitFor();
    await pick(page, 'draw-specialty', specialty.query, specialty.code);
    const count = page.locator(`[data-testid=draw-specialty-item][data-id="${specialty.code}"] [data-testid=draw-count]`);
    expect(await count.inputValue()).to.equal('5');
    await pick(page, 'draw-supplier', supplier.query, String(supplier.id));
    const reveal = new Date(Date.now() + 2 * 86_400_000);
    await page.getByTestId('draw-reveal-at').fill(local(reveal));
    await page.getByTestId('draw-evaluation-at').fill(local(new Date(reveal.getTime() + 3_600_000)));
    await page.getByTestId('draw-place').fill('采购中心第3评标室');
    await page.getByTestId('draw-request').screenshot({ path: screenshot });
    await page.getByTestId('draw-submit').click();
    await page.locator('[data-testid=rounds], [data-testid=draw-request] [data-testid=form-error]:not(:empty)').first().waitFor();
    // Read at once, never waited for: after a successful request the form (and its error line) is gone.
    expect((await page.locator('[data-testid=draw-request] [data-testid=form-error]').allTextContents()).join('')).to.equal('');
    return Number(new URL(page.url()).pathname.split('/').pop());
  }

  it('requests a draw from lists with search, shows it by name with no way to read it before the reveal (zh-CN, then English)', async () => {
    const supplier = await s.tdb.db('suppliers').where({ status: 'approved' }).orderBy('id').first('id', 'name');
    const alertsBefore = Number((await s.tdb.db('sv_alerts').where({ rule_code: 'SV10' }).count({ n: '*' }))[0].n);
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 1200 } });
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'operator');

    const id = await requestDraw(page, 'YGCG-DRAW-ZH', { query: spec.nameZh, code: spec.code }, { query: supplier.name.slice(0, 6), id: supplier.id }, '/tmp/sealed-draw-form-zh-CN.png');
    expect(id).to.be.greaterThan(0);
    const stored = await s.tdb.db('draws').where({ id }).first();
    expect(stored.project_ref).to.equal('YGCG-DRAW-ZH');
    expect(JSON.parse(stored.supplier_ids_json)).to.deep.equal([supplier.id]);
    // The detail page: its own labels, specialties by name, and no button to read the panel.
    expect(await page.getByTestId('draw-groups-shown').textContent()).to.equal(`${spec.nameZh} 5 人`);
    const facts = (await page.locator('[data-testid=draw-detail] dl.facts').first().textContent())!;
    expect(facts).to.include('抽取专业').and.to.include('揭晓时间').and.to.include('已确认参加');
    expect(facts).to.not.include('每行').and.to.not.include('品目编码');
    expect(await page.getByTestId('read-result').count()).to.equal(0);
    expect(await page.getByTestId('draw-panel-sealed').textContent()).to.match(/^名单已加密封存，\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d 揭晓后可在此查看。$/);
    await page.screenshot({ path: '/tmp/sealed-draw-zh-CN.png', fullPage: true });

    // English: the same form and page in English.
    await page.getByTestId('lang-switch').click();
    await page.getByTestId('draw-panel-sealed').filter({ hasText: 'The panel is encrypted and sealed' }).waitFor();
    expect(await page.getByTestId('draw-groups-shown').textContent()).to.equal(`${spec.nameEn}: 5`);
    expect(await page.getByTestId('read-result').count()).to.equal(0);
    await page.screenshot({ path: '/tmp/sealed-draw-en.png', fullPage: true });
    // The request form in English: the same lists, searched by English names.
    await page.locator('[data-nav="/draws"]').click();
    await page.getByTestId('draw-specialty-none').filter({ hasText: 'Choose at least one specialty' }).waitFor();
    await pick(page, 'draw-specialty', spec2.nameEn.toLowerCase(), spec2.code);
    expect(await page.locator(`[data-testid=draw-specialty-item][data-id="${spec2.code}"]`).textContent()).to.include(spec2.nameEn);
    await pick(page, 'draw-supplier', supplier.name.slice(0, 4), String(supplier.id));
    expect(await page.getByTestId('draw-total').textContent()).to.equal('5 experts in all (an odd number, at least 5)');
    await page.getByTestId('draw-request').screenshot({ path: '/tmp/sealed-draw-form-en.png' });
    // Nobody was offered a way to trip the sealed-read alarm.
    const alertsAfter = Number((await s.tdb.db('sv_alerts').where({ rule_code: 'SV10' }).count({ n: '*' }))[0].n);
    expect(alertsAfter).to.equal(alertsBefore);
    await ctx.close();
  });

  it('asks for a specialty before sending and shows the panel of a revealed draw', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'operator');
    await page.locator('[data-nav="/draws"]').click();
    await page.getByTestId('draw-project-ref').fill('YGCG-DRAW-NONE');
    await page.getByTestId('draw-place').fill('采购中心');
    await page.getByTestId('draw-submit').click();
    await page.locator('[data-testid=draw-request] [data-testid=form-error]').filter({ hasText: '请至少选择一个专业' }).waitFor();
    // A draw revealed a moment after it is made (the real scheduler reveals it).
    const op = await s.as('operator');
    const org = await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first('id');
    const r = await op.post('/api/draws', { projectRef: 'YGCG-DRAW-SOON', purchasingOrgId: org.id, supplierIds: [], groups: [{ specialty: spec.code, count: 5 }], evaluationAt: new Date(Date.now() + 3_600_000).toISOString(), evaluationPlace: '采购中心', revealAt: new Date(Date.now() + 1500).toISOString() });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    for (let i = 0; i < 40 && (await s.tdb.db('draws').where({ id: r.body.id }).first('status')).status !== 'revealed'; i++) await new Promise((res) => setTimeout(res, 250));
    await page.goto(`${s.url}/draws/${r.body.id}`);
    await page.getByTestId('read-result').click();
    await page.locator('[data-testid=draw-panel] li').first().waitFor();
    expect(await page.getByTestId('draw-panel-sealed').count()).to.equal(0);
    await ctx.close();
  });

  it('the public record of a revealed draw flags a seat left empty (4 of 5 accepted), in Chinese and English', async () => {
    const op = await s.as('operator');
    const org = await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first('id');
    const r = await op.post('/api/draws', { projectRef: 'YGCG-DRAW-SEATS', purchasingOrgId: org.id, supplierIds: [], groups: [{ specialty: spec.code, count: 5 }], evaluationAt: new Date(Date.now() + 3_600_000).toISOString(), evaluationPlace: '采购中心', revealAt: new Date(Date.now() + 8000).toISOString() });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    // Fixture: four of the five invited experts accept before the reveal (8 s ahead: the request and
    // these writes finish well before it on a loaded machine); the fifth never answers.
    const invitations = await s.tdb.db('draw_invitations').where({ draw_id: r.body.id }).orderBy('id').pluck('id');
    expect(invitations).to.have.length(5);
    await s.tdb.db('draw_invitations').whereIn('id', invitations.slice(0, 4)).update({ status: 'accepted' });
    await s.tdb.db('draws').where({ id: r.body.id }).update({ confirmed_count: 4 });
    for (let i = 0; i < 60 && (await s.tdb.db('draws').where({ id: r.body.id }).first('status')).status !== 'revealed'; i++) await new Promise((res) => setTimeout(res, 250));
    const record = await s.client().get(`/api/public/draws/${r.body.id}`);
    expect(record.body.seats, JSON.stringify(record.body.panel)).to.deep.equal([{ specialty: spec.code, count: 5, accepted: 4, unfilled: 1 }]);

    for (const [locale, summary, unfilled, line, name] of [
      ['zh-CN', '应到 5 席，已确认 4 席', '1 席空缺', `${spec.nameZh}：5 席，已确认 4 席`, spec.nameZh],
      ['en', '4 of 5 seats taken', '1 seat unfilled', `${spec.nameEn}: 4 of 5 seats taken`, spec.nameEn],
    ] as const) {
      const ctx = await browser.newContext();
      await ctx.addInitScript((l) => localStorage.setItem('locale', l), locale);
      const page = await ctx.newPage();
      await page.goto(`${s.url}/portal/draws/${r.body.id}`);
      const seats = page.getByTestId('draw-seats');
      await seats.waitFor();
      expect(await seats.getAttribute('data-unfilled')).to.equal('1');
      expect(await page.getByTestId('draw-unfilled').isVisible()).to.equal(true);
      expect(await page.getByTestId('draw-unfilled').textContent()).to.equal(unfilled);
      expect(await seats.locator('p').textContent()).to.equal(`${summary} ${unfilled}`);
      expect(await seats.locator('li').textContent()).to.equal(`${line} ${unfilled}`);
      // The panel names the specialty, not its catalogue code, and still lists who did not answer.
      const panel = await page.getByTestId('public-panel').locator('li').allTextContents();
      expect(panel.length).to.equal(record.body.panel.length);
      expect(panel.every((x) => x.includes(name) && !x.includes(` ${spec.code} `))).to.equal(true);
      expect(panel.filter((x) => x.endsWith(locale === 'en' ? 'Sits' : '参加'))).to.have.length(4);
      expect(panel.filter((x) => x.endsWith(locale === 'en' ? 'No answer' : '未答复')).length).to.be.at.least(1);
      await ctx.close();
    }
  });
});
