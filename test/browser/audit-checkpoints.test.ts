// The portal's page of signed audit checkpoints (issue 16), in Chromium, in both languages.
import { expect } from 'chai';
import fs from 'node:fs';
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

describe(`browser: a supplier's bid receipts with proofs (${TEST_DIALECT})`, function () {
  this.timeout(90_000);
  let s: TestServer;
  let browser: Browser;
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 1, 0, 0));
  before(async () => {
    s = await startTestServer({ clock, env: { AUDIT_CHECKPOINT_MINUTES: '10' } });
    const u = await s.tdb.db('users').where({ username: 'supplier' }).first();
    // The event a sealed tender bid records (server/execution/tendering/bids/service.ts).
    await withTx(s.tdb.db, (tx) =>
      record(tx, { userId: u.id, role: 'supplier', requestId: null, ip: '10.0.0.8', clock }, { action: 'bid.submitted', entityType: 'tender', entityId: 1, after: { tenderId: 1, bidId: 1, supplierId: u.supplier_id, receiptNo: 'ZB2026-0001-AB12CD34EF', digest: 'a1'.repeat(32), envelopeDigest: 'b2'.repeat(32), submittedAt: clock.now().toISOString(), ip: '10.0.0.8', deviceId: 'dev-1' } }),
    );
    clock.advance(10 * 60_000);
    while ((await s.platform.scheduler.runDue()) > 0);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await s?.stop();
  });

  it('lists the receipt with its checkpoint and downloads receipts and proofs as one file', async () => {
    const { loginThroughPage } = await import('../helpers/browser');
    const ctx = await browser.newContext({ acceptDownloads: true });
    await ctx.addInitScript(() => localStorage.setItem('locale', 'zh-CN'));
    const page = await ctx.newPage();
    await loginThroughPage(page, s.url, 'supplier');
    await page.goto(`${s.url}/my/receipts`);
    const row = page.locator('tr[data-ref="ZB2026-0001-AB12CD34EF"]');
    await row.waitFor();
    expect(await row.innerText()).to.include('招标投标').and.include('已被检查点');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('receipts-download').click()]);
    const saved = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
    expect(saved.items[0]).to.include({ kind: 'tender_bid', ref: 'ZB2026-0001-AB12CD34EF' });
    // The bid's event is in the tender's stream; the checkpoint signs the cross-link that listed it.
    const proof = saved.items[0].proof;
    expect(proof.events[0].hash).to.equal(saved.items[0].audit.hash);
    expect(proof.checkpoint.eventHashes).to.include(proof.crossLink.hash);
    await ctx.close();
  });
});
