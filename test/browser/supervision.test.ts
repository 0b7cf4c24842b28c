// The live monitoring board receives a new alert without a reload; a supervisor handles an alert
// from the page; the trace shows its verification badge.
import { expect } from 'chai';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { record } from '../../server/supervision/audit/audit';
import { systemClock } from '../../server/db/time';
import type { RuleEngine } from '../../server/supervision/engine/engine';

const login = loginThroughPage;

describe(`browser: supervision (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser()));
  after(() => closeServerAndBrowser(s, browser));

  it('shows a new alert on the live board without a reload', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision"]').click();
    // The sections are collapsed to their headings: open the alerts.
    await page.locator('[data-testid=board-alerts] > summary').click();
    await page.locator('[data-testid=board-open-alerts]').waitFor();
    await page.locator('[data-testid=ws-status][data-status=online]').waitFor();
    const before = Number(await page.getByTestId('board-open-alerts').getAttribute('data-count'));
    // Mark the document: a reload would lose the mark.
    await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 42));
    await page.locator('section.board-page[data-live-alerts=on]').waitFor(); // the server confirmed the alerts subscription
    await withTx(s.tdb.db, (tx) => record(tx, { userId: null, role: 'operator', requestId: null, ip: '10.7.0.1', clock: systemClock }, { action: 'sealed.read_attempt', entityType: 'draw', entityId: 4242, after: { what: 'draw.result' } }));
    await page.locator(`[data-testid=board-open-alerts][data-count="${before + 1}"]`).waitFor();
    expect(await page.locator('[data-testid=board-alerts] li[data-rule=SV10]').count()).to.equal(1);
    expect(await page.getByTestId('board-toast').textContent()).to.contain('SV10');
    expect(await page.evaluate(() => (window as unknown as { __mark: number }).__mark)).to.equal(42);
    // English too
    await page.getByTestId('lang-switch').click();
    await page.locator('[data-testid=board-alerts] li[data-rule=SV10]').waitFor();
    expect(await page.locator('h1').first().textContent()).to.equal('Live monitoring board');
    await ctx.close();
  });

  it('fits the board on a screen: collapsed sections with counts, the alert feed paged, repeats folded (×N), evidence as a table', async () => {
    const engine = (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine }).engine;
    const operator = Number((await s.tdb.db('users').where({ username: 'operator' }).first('id')).id);
    const attempt = (drawId: number) => withTx(s.tdb.db, (tx) => record(tx, { userId: operator, role: 'operator', requestId: null, ip: '10.8.0.7', clock: systemClock }, { action: 'sealed.read_attempt', entityType: 'draw', entityId: drawId, after: { what: 'draw.result', revealAt: new Date(Date.now() + 86_400_000).toISOString() } }));
    // Twelve read attempts on twelve draws, then one draw read three times: twelve alerts, the newest ×3.
    for (let d = 0; d < 12; d++) await attempt(8800 + d);
    for (let k = 0; k < 3; k++) await attempt(8900);
    await engine.idle();
    const open = Number((await s.tdb.db('sv_alerts').whereNot('status', 'closed').count({ n: '*' }).first())!.n);
    const folded = await s.tdb.db('sv_alerts').where({ rule_code: 'SV10', subject_key: 'draw:8900' }).first();
    expect(Number(folded.occurrences)).to.equal(3);
    expect(open).to.be.greaterThan(10);

    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision"]').click();
    const sections = ['alerts', 'competitions', 'deadlines', 'overdue', 'projects'];
    for (const id of sections) await page.locator(`[data-testid=board-${id}] > summary`).waitFor();
    // Collapsed, each heading with its count; the whole board fits the screen's height.
    for (const id of sections) {
      expect(await page.locator(`[data-testid=board-${id}]`).evaluate((d) => (d as HTMLDetailsElement).open), id).to.equal(false);
      expect(await page.getByTestId(`board-${id}-count`).textContent(), id).to.match(/^\d+$/);
    }
    expect(await page.getByTestId('board-alerts-count').textContent()).to.equal(String(open));
    expect(await page.locator('[data-testid=board-alerts] > summary').textContent()).to.equal(`未办结预警 ${open}`);
    await page.screenshot({ path: path.join(os.tmpdir(), 'supervision-board-collapsed.png') });
    expect(await page.locator('[data-testid=supervision-board]').evaluate((b) => b.getBoundingClientRect().bottom)).to.be.below(800);

    // Opening the alerts shows the first page of ten, the newest first: the folded one with ×3.
    await page.locator('[data-testid=board-alerts] > summary').click();
    const items = page.locator('[data-testid=board-alert-feed] li[data-alert-id]');
    await items.first().waitFor();
    expect(await items.count()).to.equal(10);
    const pages = Math.ceil(open / 10);
    expect(await page.getByTestId('board-alert-page').textContent()).to.equal(`1 / ${pages}`);
    const top = page.locator(`[data-testid=board-alert-feed] li[data-alert-id="${folded.id}"]`);
    expect(await top.getByTestId('alert-occurrences').textContent()).to.equal('×3');
    expect(await items.first().getAttribute('data-alert-id')).to.equal(String(folded.id));
    // Its evidence reads as a table with labels and names, not JSON.
    await top.locator('details.feed-evidence > summary').click();
    const evidence = top.locator('table.evidence');
    await evidence.waitFor();
    const rows = await evidence.locator('tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
    expect(rows).to.deep.include(['操作人角色', '采购中心经办']);
    const operatorName = (await s.tdb.db('users').where({ id: operator }).first('display_name')).display_name;
    expect(rows).to.deep.include(['操作人', operatorName]);
    expect(rows).to.deep.include(['IP 地址', '10.8.0.7']);
    expect(rows).to.deep.include(['读取内容', '专家抽取结果']);
    await page.screenshot({ path: path.join(os.tmpdir(), 'supervision-board-alerts.png'), fullPage: true });
    const revealAt = rows.find((r) => r[0] === '揭晓时间')![1]!;
    expect(revealAt).to.not.match(/T\d\d:|Z$/);
    expect(await evidence.textContent()).to.not.match(/[{}"]|draw\.result|operator/);
    // The next page, and back.
    await page.getByTestId('board-alert-next').click();
    await page.locator('[data-testid=board-alert-page]').filter({ hasText: `2 / ${pages}` }).waitFor();
    expect(await page.locator(`[data-testid=board-alert-feed] li[data-alert-id="${folded.id}"]`).count()).to.equal(0);
    expect(await items.count()).to.equal(Math.min(10, open - 10));
    await page.getByTestId('board-alert-prev').click();
    await page.locator('[data-testid=board-alert-page]').filter({ hasText: `1 / ${pages}` }).waitFor();

    // The open section is remembered; the same board in English.
    await page.reload();
    await page.locator('[data-testid=board-alert-feed] li[data-alert-id]').first().waitFor();
    expect(await page.locator('[data-testid=board-alerts]').evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(true);
    expect(await page.locator('[data-testid=board-projects]').evaluate((d) => (d as HTMLDetailsElement).open)).to.equal(false);
    await page.getByTestId('lang-switch').click();
    await page.locator('[data-testid=board-alerts] > summary').filter({ hasText: `Open alerts ${open}` }).waitFor();
    await page.locator('[data-testid=board-alert-feed] li[data-alert-id]').first().waitFor();
    const topEn = page.locator(`[data-testid=board-alert-feed] li[data-alert-id="${folded.id}"]`);
    expect(await topEn.getByTestId('alert-occurrences').textContent()).to.equal('×3');
    expect(await topEn.locator('a').textContent()).to.match(/^SV10 Attempt to read sealed data before the reveal: .+ \(Procurement operator\)$/);
    await topEn.locator('details.feed-evidence > summary').click();
    const rowsEn = await topEn.locator('table.evidence tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th')!.textContent, tr.querySelector('td')!.textContent]));
    expect(rowsEn).to.deep.include(['actor role', 'Procurement operator']);
    expect(rowsEn).to.deep.include(['what was read', 'expert draw result']);
    for (const id of sections.filter((x) => x !== 'alerts')) expect(await page.locator(`[data-testid=board-${id}]`).evaluate((d) => (d as HTMLDetailsElement).open), id).to.equal(false);
    expect(await page.locator('[data-testid=board-projects] > summary').textContent()).to.match(/^Projects by stage and method \d+$/);

    // The alerts page and the alert show the count too.
    await page.goto(`${s.url}/supervision/alerts`);
    const listed = page.locator(`[data-testid=alerts-table] tr:has(a[data-nav-alert="${folded.id}"])`);
    await listed.waitFor();
    expect(await listed.getByTestId('alert-occurrences').textContent()).to.equal('×3');
    await page.goto(`${s.url}/supervision/alerts/${folded.id}`);
    await page.getByTestId('alert-occurrences-text').waitFor();
    expect(await page.getByTestId('alert-occurrences-text').textContent()).to.match(/^3 times \(last .+\)$/);
    await ctx.close();
  });

  it('lets the supervisor assign, acknowledge, investigate and close an alert from the page', async () => {
    const alert = await s.tdb.db('sv_alerts').where({ rule_code: 'SV10' }).first();
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.goto(`${s.url}/supervision/alerts/${alert.id}`);
    const state = (st: string) => page.locator(`[data-testid=alert-detail] h1 [data-status=${st}]`).waitFor();
    await page.getByTestId('alert-assign').click();
    await state('assigned');
    await page.getByTestId('alert-acknowledge').click();
    await state('acknowledged');
    await page.getByTestId('alert-note').fill('核查访问日志');
    await page.getByTestId('alert-investigate').click();
    await state('investigating');
    await page.getByTestId('alert-note').fill('经办人误操作，已提醒');
    await page.getByTestId('alert-finding').selectOption('corrected');
    await page.getByTestId('alert-close').click();
    await page.getByTestId('alert-finding-text').waitFor();
    expect(await page.getByTestId('alert-finding-text').textContent()).to.contain('经办人误操作');
    expect(await page.locator('[data-testid=alert-notes] li').count()).to.equal(3);
    // the trace of the draw's process is verified
    await page.goto(`${s.url}/supervision/trace?subjectType=supplier&subjectId=1`);
    await page.locator('[data-testid=trace-badge].ok').waitFor();
    await ctx.close();
  });

  it('lists alerts on the alerts page, filters them by status and opens one (the list answered 500, issue 11)', async () => {
    const closed = await s.tdb.db('sv_alerts').where({ rule_code: 'SV10', status: 'closed' }).first();
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision/alerts"]').click();
    const rows = page.locator('[data-testid=alerts-table] tbody tr');
    await page.locator('[data-testid=alerts-table] a[data-nav-alert]').first().waitFor();
    const all = await rows.count();
    expect(await page.locator(`[data-testid=alerts-table] a[data-nav-alert="${closed.id}"]`).count()).to.equal(1);
    await page.getByTestId('alert-status-filter').selectOption('closed');
    await page.waitForFunction((id) => {
      const links = [...document.querySelectorAll('[data-testid=alerts-table] a[data-nav-alert]')];
      return links.length > 0 && links.every((a) => a.closest('tr')?.querySelector('[data-status]')?.getAttribute('data-status') === 'closed') && links.some((a) => a.getAttribute('data-nav-alert') === String(id));
    }, closed.id);
    expect(await rows.count()).to.be.at.most(all);
    expect(await page.locator('[data-testid=alerts-table] .error').count()).to.equal(0);
    await page.locator(`[data-testid=alerts-table] a[data-nav-alert="${closed.id}"]`).click();
    await page.locator('[data-testid=alert-detail] h1 [data-status=closed]').waitFor();
    await ctx.close();
  });

  it('registers a risk point from the page and links rules to it', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision/risk-points"]').click();
    const form = page.locator('form.card');
    for (const [name, value] of Object.entries({ code: 'RP-B1', post: '采购人经办岗', process: '需求编制', title: '化整为零', description: '拆分采购规避公开招标', controls: '系统自动汇总' })) await form.locator(`[name=${name}]`).fill(value);
    await form.locator('[name=rules]').fill('SV07');
    await form.locator('button[type=submit]').click();
    const row = page.locator('[data-testid=risk-points] tr[data-code="RP-B1"]');
    await row.waitFor();
    await row.locator('.inline-edit input').fill('SV07, R003');
    await row.locator('.inline-edit button').click();
    await page.waitForFunction(() => (document.querySelector('tr[data-code="RP-B1"] .inline-edit input') as HTMLInputElement | null)?.value === 'R003, SV07');
    const stored = await s.tdb.db('sv_risk_point_rules').join('sv_risk_points as p', 'p.id', 'risk_point_id').where('p.code', 'RP-B1').select('rule_code');
    expect(stored.map((r: any) => r.rule_code).sort()).to.deep.equal(['R003', 'SV07']);
    await ctx.close();
  });
});
