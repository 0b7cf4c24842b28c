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
import { canonicalJson, eventHash, GENESIS_HASH } from '../../server/supervision/audit/chain';
import { crossLink } from '../../server/supervision/audit/cross-links';
import { systemActor } from '../../server/http/actor';
import { checkpointProblem, nextChinaMidnight } from '../../server/supervision/audit/checkpoint-format';
import { auditSigningKey, makeCheckpoint, verifyAgainstCheckpoints } from '../../server/supervision/audit/checkpoints';
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
    // The checkpoint signs the global chain, whose last event is the cross-link listing every stream's head.
    const head = await s.tdb.db('audit_events').where({ stream: 'global', stream_seq: cp1.seq }).first();
    expect(head.hash).to.equal(cp1.hash);
    expect(head.action).to.equal('audit.cross_link');
    const listed = JSON.parse(head.after_json).heads;
    const platformHead = await s.tdb.db('audit_events').where({ stream: 'platform', action: 'thing.changed', entity_id: 'a-5' }).first();
    expect(listed.find((h: any) => h.stream === 'platform')).to.include({ seq: Number(platformHead.stream_seq), hash: platformHead.hash });
    // Signed by a key from outside the database: the checkpoint itself is an audit event, never the key.
    const signed = await s.tdb.db('audit_events').where({ action: 'audit.checkpoint_signed' });
    expect(signed).to.have.length(1);
    expect(JSON.stringify(await s.tdb.db('audit_events'))).to.not.include(s.config.secrets.sealKey);
    // A tampered copy does not verify.
    expect(checkpointProblem(page1.publicKey.hex, { ...cp1, hash: 'f'.repeat(64), eventHashes: [...cp1.eventHashes.slice(0, -1), 'f'.repeat(64)] })).to.equal('signature does not verify');
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

  it('a long stretch is signed as several checkpoints of at most N global events, each delivered whole to the finance bureau', async () => {
    const before = store.items.length;
    // 6,000 events of one stream are covered by one cross-link: the checkpoint signs the global chain.
    await withTx(s.tdb.db, (tx) => recordMany(tx, systemActor('test', clock), Array.from({ length: 6_000 }, (_, i) => ({ action: 'thing.imported', entityType: 'thing', entityId: `bulk-${i}`, after: { i } }))));
    await drive(10 * 60_000);
    const bulk = await (await fetch(`${s.url}/api/public/audit/checkpoints?pageSize=1`)).json();
    expect(bulk.items[0].eventHashes.length).to.be.below(5);
    expect(store.items.length).to.equal(before + 1);
    // Five cross-links (one per competition's stream moving), signed at most two global events at a time.
    for (let i = 1; i <= 5; i++) {
      await withTx(s.tdb.db, (tx) => record(tx, systemActor('test', clock), { action: 'auction.changed', entityType: 'auction', entityId: 9000 + i, after: { i } }));
      expect(await crossLink(s.tdb.db, clock)).to.not.equal(null);
    }
    expect(await makeCheckpoint(s.tdb.db, auditSigningKey(s.config), clock, 'manual', { maxEventsPerCheckpoint: 2 })).to.not.equal(null);
    await drive(1000);
    const page = await (await fetch(`${s.url}/api/public/audit/checkpoints?pageSize=3`)).json();
    const [third, second, first] = page.items;
    expect(first.eventHashes).to.have.length(2);
    expect(second.eventHashes).to.have.length(2);
    expect(second.fromSeq).to.equal(first.seq + 1);
    expect(third.fromSeq).to.equal(second.seq + 1);
    for (const cp of [first, second, third]) expect(checkpointProblem(page.publicKey.hex, cp)).to.equal(null);
    expect(store.items.length).to.equal(before + 4);
    expect(store.rejected).to.deep.equal([]);
    expect((await verifyAgainstCheckpoints(s.tdb.db, store.toJSON() as never)).intact).to.equal(true);
  });

  it('a consistent rewrite of a stretch of history passes the chain walk but not the checkpoints: the cross-link covering it is named', async () => {
    const db = s.tdb.db;
    const target = await db('audit_events').where({ action: 'thing.changed', entity_id: 'a-3' }).first();
    // Rewriting the stream's tail alone (its hashes and head recomputed) breaks the cross-link that listed it.
    await withTx(db, async (tx) => {
      const tail = await tx('audit_events').where({ stream: 'platform' }).where('stream_seq', '>=', target.stream_seq).orderBy('stream_seq');
      let prev = target.prev_hash;
      for (const r of tail) {
        const changed = r.id === target.id ? { ...r, after_json: JSON.stringify({ tag: 'a', v: 300 }) } : r;
        prev = eventHash(prev, changed);
        await tx('audit_events').where({ id: r.id }).update({ after_json: changed.after_json, hash: prev });
        const next = tail.find((x: any) => Number(x.stream_seq) === Number(r.stream_seq) + 1);
        if (next) next.prev_hash = prev;
        if (next) await tx('audit_events').where({ id: next.id }).update({ prev_hash: prev });
      }
      await tx('audit_stream_heads').where({ stream: 'platform' }).update({ last_hash: prev });
      const walk = await verifyChain(tx as never);
      expect(walk.intact).to.equal(false);
      // Named at the head the cross-link listed (a listing records heads, not every event).
      expect(walk.brokenAt).to.include({ stream: 'platform' });
      expect(walk.brokenAt!.streamSeq).to.be.at.least(Number(target.stream_seq));
      expect(walk.brokenAt!.reason).to.include('cross-link');
      throw Object.assign(new Error('undo'), { undo: true });
    }).catch((e) => expect(e.undo, e.message).to.equal(true));

    // The insider rewrites everything consistently: the event, every later hash of every stream,
    // the cross-links' listings and anchors, the global chain and every head.
    await rechain(db, (r) => (r.id === target.id ? { ...r, after_json: JSON.stringify({ tag: 'a', v: 300 }) } : r));
    expect((await verifyChain(db)).intact).to.equal(true); // the chains alone cannot tell

    const cli = await verifyCli(path.join(dir, 'saved-1.json'));
    expect(cli.code).to.equal(1);
    expect(cli.out).to.match(/history rewritten: event \d+ \(row id \d+, audit.cross_link audit_chain/);
    expect(cli.out).to.match(/rewritten events are among those it lists: .*platform 1–\d+/);
    expect(cli.out).to.include('0 of 1 checkpoints match');
    // The finance bureau's copies catch it too, the file it keeps and what it holds in memory.
    const copies = await verifyCli(path.join(dir, 'finance-copies.json'));
    expect(copies.code).to.equal(1);
    expect(copies.out).to.include('history rewritten: event 1 ');
    const check = await verifyAgainstCheckpoints(db, store.toJSON() as never);
    expect(check.intact).to.equal(false);
    expect(check.firstRewritten).to.include({ seq: 1, action: 'audit.cross_link' });
    expect(check.firstRewritten!.lists!.map((l) => l.stream)).to.include('platform');
    // A key that did not sign them is refused.
    const other = await verifyAgainstCheckpoints(db, store.toJSON() as never, { publicKeyHex: 'ab'.repeat(32) });
    expect(other.problems.join(' ')).to.include('is not the one given');
  });
});

/**
 * What an insider with write access would have to do to rewrite history without breaking any
 * chain: recompute, in the order events were appended, every hash after the change in every
 * stream, every cross-link's listing and every anchor naming a changed cross-link, and the heads.
 */
async function rechain(knex: any, change: (r: any) => any): Promise<void> {
  await knex.transaction((db: any) => rechainIn(db, change));
}

async function rechainIn(db: any, change: (r: any) => any): Promise<void> {
  const rows = await db('audit_events').orderBy('id');
  const last = new Map<string, string>();
  const remap = new Map<string, string>();
  for (const r of rows) {
    const nr = { ...change(r) };
    if (nr.anchor) nr.anchor = remap.get(nr.anchor) ?? nr.anchor;
    if (nr.action === 'audit.cross_link') {
      const heads = JSON.parse(nr.after_json).heads.map((h: any) => ({ ...h, hash: remap.get(h.hash) ?? h.hash }));
      nr.after_json = canonicalJson({ heads });
    }
    nr.prev_hash = last.get(nr.stream) ?? GENESIS_HASH;
    nr.hash = eventHash(nr.prev_hash, nr);
    remap.set(r.hash, nr.hash);
    last.set(nr.stream, nr.hash);
    if (nr.hash !== r.hash) await db('audit_events').where({ id: r.id }).update({ after_json: nr.after_json, anchor: nr.anchor, prev_hash: nr.prev_hash, hash: nr.hash });
  }
  for (const h of await db('audit_stream_heads')) await db('audit_stream_heads').where({ stream: h.stream }).update({ last_hash: last.get(h.stream) ?? h.last_hash, anchor: h.anchor ? (remap.get(h.anchor) ?? h.anchor) : null });
  for (const l of await db('audit_cross_links')) if (remap.has(l.hash)) await db('audit_cross_links').where({ stream: l.stream, stream_seq: l.stream_seq }).update({ hash: remap.get(l.hash) });
  await db('audit_chain_head').where({ id: 1 }).update({ last_hash: last.get('global') });
}
