// Signed checkpoints of the audit chain head (issue 16): made on the interval and at the end of
// the China day by the scheduler, published at GET /api/public/audit/checkpoints, delivered to the
// finance bureau's system through the outbox, and used by `npm run audit:verify -- --checkpoints`
// to catch a consistent rewrite of history (hashes and head recomputed) and name its first event.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { record, recordMany, verifyChain } from '../../server/supervision/audit/audit';
import { eventHash } from '../../server/supervision/audit/chain';
import { systemActor } from '../../server/http/actor';
import { checkpointProblem, nextChinaMidnight } from '../../server/supervision/audit/checkpoint-format';
import { MAX_EVENTS_PER_CHECKPOINT, verifyAgainstCheckpoints } from '../../server/supervision/audit/checkpoints';
import { FinanceClient, startWebhookReceiver } from '../../scripts/finance-sim/client';
import { CheckpointStore } from '../../scripts/finance-sim/checkpoints';

const run = promisify(execFile);

describe(`audit checkpoints: signed, published, kept by the finance bureau (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  let clock: ManualClock;
  let dir: string;
  let store: CheckpointStore;
  let rx: Awaited<ReturnType<typeof startWebhookReceiver>>;

  const events = (n: number, tag: string) =>
    withTx(s.tdb.db, async (tx) => {
      for (let i = 1; i <= n; i++) await record(tx, systemActor('test', clock), { action: 'thing.changed', entityType: 'thing', entityId: `${tag}-${i}`, after: { v: i, tag } });
    });
  const drive = async (ms: number) => {
    clock.advance(ms);
    while ((await s.platform.scheduler.runDue()) > 0);
  };
  const verifyCli = async (source: string) => {
    const env = { ...process.env, ...(s.tdb.databaseUrl ? { DB_CLIENT: 'mysql', DATABASE_URL: s.tdb.databaseUrl } : { DB_CLIENT: 'sqlite', DATABASE_URL: '' }), DATA_DIR: s.tdb.dataDir, NODE_ENV: 'test' };
    try {
      const { stdout } = await run('npx', ['tsx', 'scripts/audit-verify.ts', '--checkpoints', source], { env, encoding: 'utf8' });
      return { code: 0, out: stdout };
    } catch (e: any) {
      return { code: e.code as number, out: String(e.stdout) };
    }
  };

  before(async () => {
    clock = new ManualClock(Date.UTC(2026, 0, 5, 1, 0, 0)); // 09:00 in Beijing
    s = await startTestServer({ seed: 'none', clock, env: { AUDIT_CHECKPOINT_MINUTES: '10' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-cp-'));
    const fin = new FinanceClient(s.url, s.config.secrets.financeHmacSecret, () => clock.now());
    store = new CheckpointStore(path.join(dir, 'finance-copies.json'));
    rx = await startWebhookReceiver(fin, { onEvent: (e) => void (e.type === 'audit.checkpoint' && store.add(e.data as never)) });
    expect((await fin.registerWebhook(rx.url)).status).to.equal(200);
  });
  after(async () => {
    await rx?.close();
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('signs the head every interval and at the end of the China day, publishes it with the key and delivers a copy', async () => {
    expect(s.config.auditCheckpointMinutes).to.equal(10);
    await events(5, 'a');
    await drive(10 * 60_000);
    const r1 = await fetch(`${s.url}/api/public/audit/checkpoints`);
    expect(r1.status).to.equal(200);
    const page1 = await r1.json();
    expect(page1.publicKey.algorithm).to.equal('Ed25519');
    expect(page1.publicKey.hex).to.match(/^[0-9a-f]{64}$/);
    expect(page1.publicKey.pem).to.include('BEGIN PUBLIC KEY');
    expect(page1.items).to.have.length(1);
    const cp1 = page1.items[0];
    expect(cp1).to.include({ fromSeq: 1, reason: 'interval', keyId: page1.publicKey.keyId });
    expect(cp1.eventHashes).to.have.length(cp1.seq);
    expect(checkpointProblem(page1.publicKey.hex, cp1)).to.equal(null);
    const head = await s.tdb.db('audit_events').where({ seq: cp1.seq }).first();
    expect(head.hash).to.equal(cp1.hash);
    // Signed by a key from outside the database: the checkpoint itself is an audit event, never the key.
    const signed = await s.tdb.db('audit_events').where({ action: 'audit.checkpoint_signed' });
    expect(signed).to.have.length(1);
    expect(JSON.stringify(await s.tdb.db('audit_events'))).to.not.include(s.config.secrets.sealKey);
    // A tampered copy does not verify.
    expect(checkpointProblem(page1.publicKey.hex, { ...cp1, hash: cp1.eventHashes[0], eventHashes: [...cp1.eventHashes.slice(0, -1), cp1.eventHashes[0]] })).to.equal('signature does not verify');
    // The finance bureau's system received and kept it.
    expect(store.items.map((c) => c.seq)).to.deep.equal([cp1.seq]);
    expect(store.publicKey!.hex).to.equal(page1.publicKey.hex);
    fs.writeFileSync(path.join(dir, 'saved-1.json'), JSON.stringify(page1));

    // Nothing new but the checkpoint's own events: the next interval signs nothing.
    await drive(10 * 60_000);
    expect((await (await fetch(`${s.url}/api/public/audit/checkpoints`)).json()).items).to.have.length(1);

    await events(5, 'b');
    // The end of the China day (16:00 UTC) signs the head whatever the interval.
    const midnight = nextChinaMidnight(clock.now());
    expect(midnight.toISOString()).to.equal('2026-01-05T16:00:00.000Z');
    clock.set(midnight.getTime() - 1000);
    await drive(1000);
    const page2 = await (await fetch(`${s.url}/api/public/audit/checkpoints?pageSize=5`)).json();
    const reasons = page2.items.map((c: any) => c.reason);
    expect(reasons).to.include('day_end');
    expect(page2.items[0].fromSeq).to.equal(page2.items[1].seq + 1);
    expect(store.items.length).to.equal(page2.total);
    const slim = await (await fetch(`${s.url}/api/public/audit/checkpoints?hashes=false`)).json();
    expect(slim.items[0].eventHashes).to.deep.equal([]);
    // The next end-of-day job waits for the next China midnight.
    const jobs = await s.platform.scheduler.pending('audit.checkpoint');
    expect(jobs.find((j) => j.key === 'audit-checkpoint:day-end')!.runAt.toISOString()).to.equal('2026-01-06T16:00:00.000Z');
  });

  it('the verifier accepts the untouched chain, from a saved file and from the published URL', async () => {
    const fromFile = await verifyCli(path.join(dir, 'saved-1.json'));
    expect(fromFile.code, fromFile.out).to.equal(0);
    expect(fromFile.out).to.include('1 of 1 checkpoints match');
    const fromUrl = await verifyCli(`${s.url}/api/public/audit/checkpoints`);
    expect(fromUrl.code, fromUrl.out).to.equal(0);
    expect(fromUrl.out).to.include('chain intact and consistent with every signed checkpoint');
  });

  it('a long stretch is signed as several checkpoints of at most 5,000 events, each delivered whole to the finance bureau', async () => {
    const before = store.items.length;
    await withTx(s.tdb.db, (tx) => recordMany(tx, systemActor('test', clock), Array.from({ length: 6_000 }, (_, i) => ({ action: 'thing.imported', entityType: 'thing', entityId: `bulk-${i}`, after: { i } }))));
    await drive(10 * 60_000);
    const page = await (await fetch(`${s.url}/api/public/audit/checkpoints?pageSize=2`)).json();
    const [second, first] = page.items;
    expect(first.eventHashes).to.have.length(MAX_EVENTS_PER_CHECKPOINT);
    expect(second.fromSeq).to.equal(first.seq + 1);
    expect(checkpointProblem(page.publicKey.hex, first)).to.equal(null);
    expect(checkpointProblem(page.publicKey.hex, second)).to.equal(null);
    expect(store.items.length).to.equal(before + 2);
    expect(store.rejected).to.deep.equal([]);
    expect((await verifyAgainstCheckpoints(s.tdb.db, store.toJSON() as never)).intact).to.equal(true);
  });

  it('a consistent rewrite of a stretch of history passes the chain walk but not the checkpoints: the first rewritten event is named', async () => {
    const db = s.tdb.db;
    const target = await db('audit_events').where({ action: 'thing.changed', entity_id: 'a-3' }).first();
    const from = Number(target.seq);
    // The insider rewrites events from `target` on, recomputing every hash and the head.
    const rows = await db('audit_events').where('seq', '>=', from).orderBy('seq');
    let prev = (await db('audit_events').where({ seq: from - 1 }).first()).hash;
    for (const r of rows) {
      const changed = r.entity_id === 'a-3' ? { ...r, after_json: JSON.stringify({ tag: 'a', v: 300 }) } : r;
      const hash = eventHash(prev, changed);
      await db('audit_events').where({ id: r.id }).update({ after_json: changed.after_json, prev_hash: prev, hash });
      prev = hash;
    }
    await db('audit_chain_head').where({ id: 1 }).update({ last_hash: prev });
    expect((await verifyChain(db)).intact).to.equal(true); // the chain alone cannot tell

    const cli = await verifyCli(path.join(dir, 'saved-1.json'));
    expect(cli.code).to.equal(1);
    expect(cli.out).to.include(`history rewritten: event ${from} (row id ${target.id}, thing.changed thing a-3)`);
    expect(cli.out).to.include('0 of 1 checkpoints match');
    // The finance bureau's copies catch it too, the file it keeps and what it holds in memory.
    const copies = await verifyCli(path.join(dir, 'finance-copies.json'));
    expect(copies.code).to.equal(1);
    expect(copies.out).to.include(`history rewritten: event ${from} `);
    const check = await verifyAgainstCheckpoints(db, store.toJSON() as never);
    expect(check.intact).to.equal(false);
    expect(check.firstRewritten).to.include({ seq: from, action: 'thing.changed', entityId: 'a-3' });
    // A key that did not sign them is refused.
    const other = await verifyAgainstCheckpoints(db, store.toJSON() as never, { publicKeyHex: 'ab'.repeat(32) });
    expect(other.problems.join(' ')).to.include('is not the one given');
  });
});
