import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server';
import { launchBrowser, loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

const login = loginThroughPage;

describe(`browser: the client shell (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser()));
  after(() => closeServerAndBrowser(s, browser));

  it('logs a purchaser in through the page and shows the purchaser navigation, in Chinese then English', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'purchaser');
    const nav = page.getByTestId('nav');
    expect(await nav.getAttribute('data-roles')).to.equal('purchaser');
    const links = await nav.locator('a').allTextContents();
    expect(links).to.include.members(['工作台', '预算指标', '采购品目']);
    expect(links).to.not.include('审计追踪');
    await page.locator('[data-testid=ws-status][data-status=online]').waitFor();
    expect(await page.getByTestId('ws-status').textContent()).to.equal('实时连接正常');
    await page.getByTestId('lang-switch').click();
    expect(await page.getByTestId('nav').locator('a').allTextContents()).to.include.members(['Workspace', 'Budget lines', 'Catalogue']);
    expect(await page.getByTestId('ws-status').textContent()).to.equal('Live connection up');
    // The purchaser's own unit's budget lines render with yuan amounts from integer fen.
    await page.locator('[data-nav="/budget-lines"]').click();
    await page.locator('[data-testid=budget-lines] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=budget-lines] tbody tr td').nth(4).textContent()).to.match(/^CN¥[\d,]+\.\d\d$/);
    await ctx.close();
  });

  it('shows each role its own navigation', async () => {
    const expected: Record<string, string[]> = {
      supervisor: ['/audit', '/suppliers', '/experts'],
      operator: ['/suppliers', '/experts', '/budget-lines'],
      finance: ['/budget-lines'],
      supplier: ['/my-company'],
      expert: ['/catalogue'],
      approver: ['/budget-lines'],
      admin: ['/audit'],
    };
    for (const [role, paths] of Object.entries(expected)) {
      const ctx = await browser.newContext();
      const page = await ctx.newPage();
      await login(page, s.url, role);
      const hrefs = await page.getByTestId('nav').locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      expect(hrefs, role).to.include.members(['/', ...paths]);
      if (role !== 'supervisor' && role !== 'admin') expect(hrefs, role).to.not.include('/audit');
      await ctx.close();
    }
  });

  it('lets a supervisor verify the audit chain from the page, and log out', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await login(page, s.url, 'supervisor');
    await page.locator('[data-nav="/audit"]').click();
    await page.locator('[data-testid=chain-badge].ok').waitFor();
    expect(await page.getByTestId('chain-badge').textContent()).to.match(/^哈希链完整，共 \d+ 条事件$/);
    await page.getByTestId('logout').click();
    await page.getByTestId('login-submit').waitFor();
    await ctx.close();
  });
});
