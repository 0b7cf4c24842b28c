// The public portal (no login) and the finance bureau's reports, in Chromium: results with
// winner and price, search, a project's timeline, home figures, a 390 px phone, both languages;
// report tabs, sorting, drill-down and an XLSX export with progress.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { systemActor } from '../../server/http/actor';
import { reconcile } from '../../server/supervision/reports/project-hook';
import { loadReportFixture, type Fixture } from '../integration/report-fixture';

describe(`browser: portal results and reports (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  let fx: Fixture;
  let names: string[];
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));
  before(async () => {
    s = await startTestServer({ clock });
    fx = await loadReportFixture(s.tdb.db);
    await reconcile(s.tdb.db, systemActor('test', clock));
    names = await s.tdb.db('suppliers').whereIn('id', [fx.s1, fx.s2, fx.s3]).orderBy('id').pluck('name');
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  async function phone(locale: 'zh-CN' | 'en'): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await ctx.addInitScript((l) => localStorage.setItem('locale', l), locale);
    return ctx.newPage();
  }
  const noHorizontalScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

  it('home: figures and latest results, on a phone, in Chinese', async () => {
    const page = await phone('zh-CN');
    await page.goto(`${s.url}/portal`);
    await page.getByTestId('portal-figures').locator('.portal-figure').first().waitFor();
    const figures = await page.getByTestId('portal-figures').innerText();
    expect(figures).to.contain('2026年成交项目');
    expect(figures).to.contain('4');
    await page.getByTestId('result-list').locator('li').first().waitFor();
    expect(await page.getByTestId('result-list').locator('li').count()).to.equal(4);
    expect(await page.getByTestId('portal-nav').locator('a').allTextContents()).to.include('中标（成交）结果');
    expect(await noHorizontalScroll(page)).to.equal(true);
    await page.screenshot({ path: path.join(os.tmpdir(), 'portal-home-390.png'), fullPage: true });
    await page.context().close();
  });

  it('results: winner and price, search by supplier and amount, in English', async () => {
    const page = await phone('en');
    await page.goto(`${s.url}/portal/results`);
    const list = page.getByTestId('result-list');
    await list.locator('li').first().waitFor();
    expect(await list.locator('li').count()).to.equal(4);
    // Newest first: P5 (June), P3 (May), P2, P1 (April).
    const first = await list.locator('li').first().innerText();
    expect(first).to.contain('Fixture project 5');
    expect(first).to.contain(`Winner: ${names[0]}`);
    expect(first).to.contain('Price: CN¥9,000.00');
    await page.getByRole('searchbox').fill(names[2]);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result-list] li').length === 1);
    expect(await list.innerText()).to.contain('Fixture project 3');
    await page.getByRole('searchbox').fill('');
    await page.locator('input[name=min]').fill('15000');
    await page.locator('input[name=max]').fill('70000');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=result-list] li').length === 2);
    expect(await list.innerText()).to.contain('Fixture project 1').and.contain('Fixture project 2');
    expect(await noHorizontalScroll(page)).to.equal(true);
    await page.context().close();
  });

  it('notices: kind, text search and a day in Beijing time, then one notice, on a phone in English', async () => {
    const page = await phone('en');
    await page.goto(`${s.url}/portal/notices`);
    const list = page.getByTestId('notice-list');
    await list.locator('li a').first().waitFor();
    const awards = (await s.client().get('/api/portal/notices?kind=award')).body.total as number;
    await page.locator('select[name=kind]').selectOption('award');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid=notice-list] li a').length === n, awards);
    // Published 01:30 UTC on 10 April = 09:30 in Beijing: found on that day, in the English title.
    await page.locator('input[name=from]').fill('2026-04-10');
    await page.locator('input[name=to]').fill('2026-04-10');
    await page.getByRole('searchbox').fill('Laptops');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=notice-list] li a').length === 1);
    expect(await list.innerText()).to.contain('Online price competition result: Laptops (WSJJ-2026-0901)');
    await list.locator('li a').first().click();
    await page.getByTestId('portal-notice').locator('h1').waitFor();
    expect(await page.getByTestId('portal-notice').locator('h1').innerText()).to.equal('Online price competition result: Laptops (WSJJ-2026-0901)');
    expect(await noHorizontalScroll(page)).to.equal(true);
    await page.context().close();
  });

  it('a project page: result and public timeline from stages and notices, readable on a phone', async () => {
    const page = await phone('zh-CN');
    await page.goto(`${s.url}/portal/projects/PRJ-2026-901`);
    await page.getByTestId('project-result').waitFor();
    const result = await page.getByTestId('project-result').innerText();
    expect(result).to.contain(names[0]);
    expect(result).to.contain('¥63,000.01');
    expect(result).to.contain('CON-2026-901');
    const steps = await page.getByTestId('timeline').locator('li').allInnerTexts();
    const texts = steps.map((x) => x.split('\n').pop());
    expect(texts.slice(0, 4)).to.deep.equal(['采购文件编制', '响应', '评审', '结果公告进行中']);
    // The result and contract notices published for the project, linked, and the signing.
    expect(texts.slice(4)).to.have.members(['中标（成交）结果公告：Fixture project 1 成交结果公告', '合同公告：Fixture project 1 政府采购合同公告', '合同签订']);
    await page.getByTestId('timeline').locator('a', { hasText: '成交结果公告' }).click();
    await page.getByTestId('portal-notice').locator('.notice-body').waitFor();
    expect(await page.getByTestId('portal-notice').innerText()).to.contain(`成交供应商：${names[0]}`).and.contain('成交金额：63000.01 元');
    expect(await noHorizontalScroll(page)).to.equal(true);
    await page.screenshot({ path: path.join(os.tmpdir(), 'portal-project-390.png'), fullPage: true });
    await page.goto(`${s.url}/portal/projects/NO-SUCH`);
    await page.getByText('页面不存在').waitFor();
    await page.context().close();
  });

  it('amounts never break inside a number on a 390 px screen, in Chinese and English; notice titles say the procedure once', async () => {
    const award = (await s.client().get(`/api/portal/notices?kind=award&q=${encodeURIComponent('Fixture project 1')}`)).body.items[0];
    for (const locale of ['zh-CN', 'en'] as const) {
      const page = await phone(locale);
      for (const [path, ready] of [
        ['/portal', '[data-testid=result-list] li [data-amount]'],
        ['/portal/results', '[data-testid=result-list] li [data-amount]'],
        ['/portal/notices', '[data-testid=notice-list] li [data-amount]'],
        [`/portal/notices/${award.id}`, '.notice-body [data-amount]'],
        ['/portal/projects/PRJ-2026-901', '[data-testid=project-result] [data-amount]'],
      ] as const) {
        await page.goto(`${s.url}${path}`);
        await page.locator(ready).first().waitFor();
        const amounts = await page.locator('main [data-amount]').evaluateAll((els) =>
          els.map((el) => {
            const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.6;
            return { text: el.textContent ?? '', lines: el.getClientRects().length, height: el.getBoundingClientRect().height, lineHeight, whiteSpace: getComputedStyle(el).whiteSpace };
          }),
        );
        expect(amounts.length, `${locale} ${path}`).to.be.greaterThan(0);
        for (const a of amounts) {
          expect(a.text, `${locale} ${path}`).to.match(/\d/);
          expect(a.whiteSpace, `${locale} ${path} ${a.text}`).to.equal('nowrap');
          expect(a.lines, `${locale} ${path} ${a.text}`).to.equal(1);
          expect(a.height, `${locale} ${path} ${a.text}`).to.be.at.most(a.lineHeight * 1.2);
        }
        expect(await noHorizontalScroll(page), `${locale} ${path}`).to.equal(true);
        if (path === '/portal/notices') expect(await page.getByTestId('notice-list').innerText()).to.not.match(/(网上竞价|公开招标|招标)\s?\1/);
      }
      await page.context().close();
    }
  });

  it('reports: totals, a chart, sorting, drill-down and an XLSX export with progress', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'finance');
    await page.locator('[data-nav="/reports"]').click();
    await page.getByTestId('total-award').waitFor();
    expect(await page.getByTestId('total-award').innerText()).to.contain('¥167,000.01');
    expect(await page.getByTestId('chart').locator('rect').count()).to.equal(2);
    const table = page.getByTestId('report-table');
    // Sort by savings rate ascending (first click on a numeric column sorts descending).
    await table.locator('th button', { hasText: '节约率' }).click();
    const rates = await table.locator('tbody tr td:last-child').allInnerTexts();
    expect(rates).to.deep.equal(['20.00%', '13.00%']);
    await table.locator('th button', { hasText: '节约率' }).click();
    expect(await table.locator('tbody tr td:last-child').allInnerTexts()).to.deep.equal(['13.00%', '20.00%']);
    // Drill down from unit A's total to its three projects.
    await table.locator('tbody tr', { hasText: '13.00%' }).click();
    await page.getByTestId('drilldown').locator('tbody tr').first().waitFor();
    expect(await page.getByTestId('drilldown').locator('tbody tr').count()).to.equal(3);
    // Suppliers tab: HHI.
    await page.getByTestId('tab-suppliers').click();
    await page.getByTestId('hhi').waitFor();
    expect(await page.getByTestId('hhi').innerText()).to.contain('4234');
    expect(await page.getByTestId('small-share').innerText()).to.contain('91.02%');
    // Export the supplier table as XLSX.
    await page.getByRole('button', { name: '导出 Excel' }).click();
    const link = page.getByTestId('export-link-suppliers');
    await link.waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp-dl-')), 'x.xlsx');
    await download.saveAs(file);
    expect(fs.readFileSync(file).subarray(0, 2).toString()).to.equal('PK');
    await ctx.close();
  });

  it('reports as finance, in Chinese and English: every filter labelled, cycle stages in process order, exports with unit codes and names', async () => {
    const ctx = await browser.newContext({ acceptDownloads: true });
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'finance');
    await page.locator('[data-nav="/reports"]').click();
    await page.getByTestId('total-award').waitFor();
    const filters = page.getByTestId('report-filters');
    // Each filter has its name written beside it (a visible label around the field).
    expect(await filters.locator('label.filter .filter-label').allInnerTexts()).to.deep.equal(['起始月份', '截止月份', '采购单位', '品目', '采购方式']);
    for (const name of ['起始月份', '截止月份', '采购单位', '品目', '采购方式']) {
      expect(await page.getByLabel(name, { exact: true }).count(), name).to.equal(1);
      expect(await filters.locator('label.filter', { hasText: name }).isVisible(), name).to.equal(true);
    }
    // Cycle times: per method the stages as the process runs them.
    const ZH = ['申请审批', '采购文件编制', '招标公告', '投标', '开标', '响应', '单一来源公示', '协商', '竞价', '评审', '结果公告', '质疑期', '合同签订', '履约验收', '资金支付', '已完结', '失败/废标', '申请至合同签订'];
    const EN = ['Requisition approval', 'Documents', 'Tender notice', 'Bidding', 'Opening', 'Responses', 'Single-source notice', 'Negotiation', 'Competition', 'Evaluation', 'Award notice', 'Challenge period', 'Contract', 'Acceptance', 'Payment', 'Closed', 'Failed', 'Requisition to contract'];
    const stagesInOrder = async (order: string[]) => {
      const rows = await page.getByTestId('report-table').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent ?? '')));
      expect(rows.length).to.be.greaterThan(1);
      const methods = [...new Set(rows.map((r) => r[0]))];
      for (const m of methods) {
        const stages = rows.filter((r) => r[0] === m).map((r) => r[1]);
        expect(stages.every((x) => order.includes(x)), stages.join(' ')).to.equal(true);
        expect(stages, m).to.deep.equal([...stages].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
      }
      return rows;
    };
    await page.getByTestId('tab-cycle').click();
    await page.getByTestId('report-table').locator('tbody tr').first().waitFor();
    const zhRows = await stagesInOrder(ZH);
    expect(zhRows.filter((r) => r[0] === '询价')[0][1]).to.equal('申请审批');
    // The spend export names the units by code and name.
    await page.getByTestId('tab-spend').click();
    await page.getByTestId('total-award').waitFor();
    await page.getByRole('button', { name: '导出 CSV' }).click();
    const link = page.getByTestId('export-link-spend');
    await link.waitFor({ timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sp-dl-')), 'spend.csv');
    await download.saveAs(file);
    const lines = fs.readFileSync(file, 'utf8').slice(1).split('\r\n\r\n')[0].trim().split('\r\n');
    const units = await s.tdb.db('organisations').whereIn('id', [fx.orgA, fx.orgB]).select('code', 'name_zh');
    expect(lines[0].startsWith('编码,名称,')).to.equal(true);
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')).sort()).to.deep.equal(units.map((u: any) => `${u.code},${u.name_zh}`).sort());

    // English.
    await page.getByTestId('lang-switch').click();
    await page.locator('[data-testid=report-filters] .filter-label', { hasText: 'From month' }).waitFor();
    expect(await page.getByTestId('report-filters').locator('label.filter .filter-label').allInnerTexts()).to.deep.equal(['From month', 'To month', 'Purchasing unit', 'Category', 'Method']);
    for (const name of ['From month', 'To month', 'Purchasing unit', 'Category', 'Method']) expect(await page.getByLabel(name, { exact: true }).count(), name).to.equal(1);
    await page.getByTestId('tab-cycle').click();
    await page.getByTestId('report-table').locator('tbody tr td', { hasText: 'Requisition approval' }).first().waitFor();
    const enRows = await stagesInOrder(EN);
    expect(enRows.filter((r) => r[0] === 'Request for quotations')[0][1]).to.equal('Requisition approval');
    await ctx.close();
  });
});
