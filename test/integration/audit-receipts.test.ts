// Receipts that point into the audit chain (issue 16): an auction bid's bid.accepted carries the
// seq and hash of its batch event and its index; GET /api/public/audit/proof links the event to
// the next signed checkpoint; a supplier downloads its receipts with proofs; an independent
// verifier (node:crypto only) accepts them, and refuses a forged receipt and a rewritten record.
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { WsClient } from '../helpers/ws';
import { ManualClock } from '../../server/db/time';
import { eventHash } from '../../server/supervision/audit/chain';
import { verifyChain } from '../../server/supervision/audit/audit';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';

const run = promisify(execFile);
const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);

describe(`audit receipts: bids point into the chain, proofs reach a signed checkpoint (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(T0);
  let s: TestServer;
  let bidders: BidderFixture[];
  let dir: string;
  const sockets: WsClient[] = [];
  const verify = async (...args: string[]) => {
    try {
      const { stdout } = await run('node', ['scripts/verify-receipt.mjs', ...args], { encoding: 'utf8' });
      return { code: 0, out: stdout };
    } catch (e: any) {
      return { code: e.code as number, out: String(e.stdout) + String(e.stderr) };
    }
  };
  const asBidder = async (b: BidderFixture) => {
    const c = new TestClient(s.url);
    Object.assign(c, await cookieFor(s.platform.sessions, b.userId));
    return c;
  };

  before(async () => {
    s = await startTestServer({ clock, env: { AUDIT_CHECKPOINT_MINUTES: '10' } });
    bidders = await createBidders(s.tdb.db, clock, 3, { prefix: 'receipt' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-rc-'));
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an accepted auction bid carries its audit event; its receipt verifies against a later checkpoint; forgeries and rewrites do not', async () => {
    const op = await s.as('operator');
    const created = await op.post('/api/auctions', auctionBody(new Date(T0 + 3600_000), { durationSec: 3600 }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const a = created.body;
    for (const b of bidders) expect((await (await asBidder(b)).post(`/api/auctions/${a.id}/join`, { brand: b.brand, model: b.model, deviceId: `dev-${b.supplierId}` })).status).to.equal(201);
    clock.set(new Date(a.startsAt).getTime() + 1);
    await s.platform.scheduler.runDue();
    const ws = await WsClient.connect(s.url, (await cookieFor(s.platform.sessions, bidders[0].userId)).cookie);
    sockets.push(ws);
    ws.send({ type: 'bid', auctionId: a.id, amount: a.ceilingFen ? a.ceilingFen - 10_000 : 24_000_000, clientBidId: 'rc-1' });
    const ack = await ws.next((m) => (m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === 'rc-1');
    expect(ack.type, JSON.stringify(ack)).to.equal('bid.accepted');
    expect(ack.audit).to.include({ index: 0 });
    const ev = await s.tdb.db('audit_events').where({ seq: ack.audit.seq }).first();
    expect(ev.hash).to.equal(ack.audit.hash);
    expect(ev.action).to.equal('auction.bids_accepted');
    expect(JSON.parse(ev.after_json).bids[ack.audit.index]).to.include({ clientBidId: 'rc-1', supplierId: bidders[0].supplierId });

    // No checkpoint covers it yet.
    const early = await fetch(`${s.url}/api/public/audit/proof?seq=${ack.audit.seq}`);
    expect(early.status).to.equal(404);
    expect((await early.json()).error.code).to.equal('NOT_YET_CHECKPOINTED');

    clock.advance(10 * 60_000);
    while ((await s.platform.scheduler.runDue()) > 0);
    const proofRes = await fetch(`${s.url}/api/public/audit/proof?seq=${ack.audit.seq}`);
    expect(proofRes.status).to.equal(200);
    const proof = await proofRes.json();
    // The bid's event is in its competition's stream; the proof walks that stream up to the head a
    // cross-link listed, and the checkpoint signs the global chain, which holds the cross-link.
    expect(ev.stream).to.equal(`auction:${a.id}`);
    expect(ack.audit).to.include({ stream: ev.stream, streamSeq: Number(ev.stream_seq) });
    expect(proof.events[0]).to.deep.equal({ seq: ack.audit.seq, streamSeq: Number(ev.stream_seq), prevHash: ev.prev_hash, hash: ev.hash });
    expect(proof.events[0]).to.not.have.property('after_json'); // hashes only
    const listing = JSON.parse(proof.crossLink.event.after_json).heads.find((h: any) => h.stream === ev.stream);
    expect(listing).to.include({ seq: proof.events.at(-1).streamSeq, hash: proof.events.at(-1).hash });
    expect(proof.checkpoint.eventHashes[proof.crossLink.position - proof.checkpoint.fromSeq]).to.equal(proof.crossLink.hash);
    expect(eventHash(proof.crossLink.event.prev_hash, proof.crossLink.event)).to.equal(proof.crossLink.hash);

    const mine = await (await asBidder(bidders[0])).get('/api/my/audit-receipts');
    expect(mine.status).to.equal(200);
    const receipt = mine.body.items.find((r: any) => r.ref === 'rc-1');
    expect(receipt).to.include({ kind: 'auction_bid', processId: a.id });
    expect(receipt.audit).to.deep.equal(ack.audit);
    expect(receipt.event.hash).to.equal(ack.audit.hash);
    expect(receipt.proof.checkpoint.seq).to.be.at.least(receipt.proof.crossLink.position);
    // Another supplier's receipts do not include it.
    expect((await (await asBidder(bidders[1])).get('/api/my/audit-receipts')).body.items.map((r: any) => r.ref)).to.not.include('rc-1');
    const file = path.join(dir, 'receipts.json');
    fs.writeFileSync(file, JSON.stringify(mine.body));

    const good = await verify(file, '--platform', s.url, '--public-key', mine.body.publicKey.hex);
    expect(good.code, good.out).to.equal(0);
    expect(good.out).to.include('ok   auction_bid rc-1');

    // A forged receipt: the bid's amount changed and the hash recomputed; no signed checkpoint holds that hash.
    const forged = structuredClone(receipt);
    const after = JSON.parse(forged.event.after_json);
    after.bids[forged.audit.index].amountFen -= 1_000_000;
    forged.event.after_json = JSON.stringify(after);
    forged.event.hash = forged.audit.hash = eventHash(forged.event.prev_hash, forged.event);
    fs.writeFileSync(path.join(dir, 'forged.json'), JSON.stringify({ publicKey: mine.body.publicKey, items: [forged] }));
    const bad = await verify(path.join(dir, 'forged.json'));
    expect(bad.code).to.equal(1);
    expect(bad.out).to.include('is not at');

    // The platform's record rewritten consistently from the bid's event on: the receipt, checked
    // against the platform now, is refused.
    const rows = await s.tdb.db('audit_events').where({ stream: ev.stream }).where('stream_seq', '>=', ev.stream_seq).orderBy('stream_seq');
    let prev = ev.prev_hash;
    for (const r of rows) {
      const changed = r.seq === ev.seq ? { ...r, after_json: forged.event.after_json } : r;
      const h = eventHash(prev, changed);
      await s.tdb.db('audit_events').where({ id: r.id }).update({ after_json: changed.after_json, prev_hash: prev, hash: h });
      prev = h;
    }
    await s.tdb.db('audit_stream_heads').where({ stream: ev.stream }).update({ last_hash: prev });
    // The stream's own chain is consistent again, but the cross-link listed the original head.
    const walk = await verifyChain(s.tdb.db);
    expect(walk.intact).to.equal(false);
    expect(walk.brokenAt!.reason).to.include('cross-link');
    const rewritten = await verify(file, '--platform', s.url);
    expect(rewritten.code).to.equal(1);
    expect(rewritten.out).to.include(`the platform's record of event ${ack.audit.seq} now differs from the receipt (rewritten)`);
  });
});
