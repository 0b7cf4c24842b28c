// The platform's state on the supervision board and the procurement centre's desk, live: on
// MariaDB a lock held on the audit chain head turns it "not ready" (commit latency) without a
// reload, and it turns back when the lock goes. SQLite runs in-process and cannot be held that
// way without freezing the server, so there the panel's figures are checked, not the change.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import knexFactory from 'knex';
import type { TestServer } from '../helpers/server';
import { loginThroughPage, startServerAndBrowser, closeServerAndBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';

describe(`browser: platform state on the board and the desk (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let browser: Browser;
  before(async () => ({ s, browser } = await startServerAndBrowser({ env: { HEALTH_TIMEOUT_MS: '1000', COMMIT_SLOW_MS: '1000' } })));
  after(() => closeServerAndBrowser(s, browser));

  it('shows the database, commit latency and queued bids, in Chinese and English, and follows a held lock live', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'supervisor');
    await page.locator('[data-nav="/supervision"]').click();
    await page.locator('[data-testid=platform-status][data-status=ready]').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('platform-db').getAttribute('data-status')).to.equal('ok');
    expect(await page.getByTestId('platform-queued').getAttribute('data-count')).to.equal('0');
    expect(await page.getByTestId('platform-panel').locator('h2').textContent()).to.equal('平台运行状态');
    await page.getByTestId('lang-switch').click();
    await page.locator('[data-testid=platform-panel] h2', { hasText: 'Platform state' }).waitFor();
    await page.evaluate(() => ((window as unknown as { __mark: number }).__mark = 7));
    if (TEST_DIALECT === 'mysql') {
      const other = knexFactory({ client: 'mysql2', connection: s.tdb.databaseUrl!, pool: { min: 1, max: 1 } });
      const trx = await other.transaction();
      try {
        await trx('platform_probe').where({ id: 1 }).forUpdate().first(); // the commit probe's row: commits look stalled
        await page.locator('[data-testid=platform-status][data-status=unavailable]').waitFor({ timeout: 10000 });
        expect(await page.getByTestId('platform-commit').getAttribute('data-status')).to.equal('slow');
        expect(await page.getByTestId('platform-problems').textContent()).to.contain('commit');
      } finally {
        await trx.rollback();
        await other.destroy();
      }
      await page.locator('[data-testid=platform-status][data-status=ready]').waitFor({ timeout: 10000 });
      expect(await page.evaluate(() => (window as unknown as { __mark: number }).__mark)).to.equal(7); // no reload
    }
    await ctx.close();
  });

  it('shows the same panel on the operator desk', async () => {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'operator');
    await page.goto(`${s.url}/procurement`);
    await page.locator('[data-testid=desk] [data-testid=platform-status][data-status=ready]').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('platform-commit').getAttribute('data-status')).to.equal('ok');
    await ctx.close();
  });
});
