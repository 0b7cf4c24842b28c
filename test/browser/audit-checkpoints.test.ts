// The portal's page of signed audit checkpoints (issue 16), in Chromium, in both languages.
import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server';
import { launchBrowser } from '../helpers/browser';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { record } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';

describe(`browser: portal audit checkpoints (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1, 0, 0));
  before(async () => {
    s = await startTestServer({ seed: 'none', clock, env: { AUDIT_CHECKPOINT_MINUTES: '10' } });
    await withTx(s.tdb.db, (tx) => record(tx, systemActor('test', clock), { action: 'thing.changed', entityType: 'thing', entityId: 1, after: { v: 1 } }));
    clock.advance(10 * 60_000);
    while ((await s.platform.scheduler.runDue()) > 0);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  for (const [locale, heading, kind] of [['zh-CN', '审计链签名检查点', '定时'], ['en', 'Signed checkpoints of the audit chain', 'interval']] as const) {
    it(`lists the checkpoints and the public key without a login (${locale})`, async () => {
      const ctx = await browser.newContext();
      await ctx.addInitScript((l) => localStorage.setItem('locale', l), locale);
      const page = await ctx.newPage();
      await page.goto(`${s.url}/portal/audit`);
      await page.getByTestId('audit-checkpoint-table').waitFor();
      expect(await page.locator('h1').innerText()).to.equal(heading);
      const published = await (await fetch(`${s.url}/api/public/audit/checkpoints`)).json();
      expect(await page.getByTestId('audit-key-id').innerText()).to.equal(published.publicKey.keyId);
      expect(await page.getByTestId('audit-public-key').innerText()).to.equal(published.publicKey.hex);
      const row = page.locator(`tr[data-seq="${published.items[0].seq}"]`);
      expect(await row.innerText()).to.include(kind);
      await ctx.close();
    });
  }
});
