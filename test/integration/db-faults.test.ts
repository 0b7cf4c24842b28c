// When the database falters (issue 17): bids keep being answered, each once, with its
// clientBidId; nothing acknowledged is lost; readiness tells the truth; the platform recovers by
// itself. On MariaDB the app's pool goes through a FaultProxy (test/helpers/fault-proxy.ts), so
// faults never touch the shared database server. SQLite runs in-process and cannot stall, be cut
// or restart: those cases are skipped there, the rest runs on both dialects.
import { expect } from 'chai';
import knexFactory, { type Knex } from 'knex';
import { TEST_DIALECT } from '../helpers/db';
import { LoopBidder, readiness, startFaultServer, waitFor, type Answer, type FaultServer } from '../helpers/fault-server';
import { auctionBody, cookieFor, createBidders, JOIN_LEAD_MS, moveStart, type BidderFixture } from './auction-fixtures';
import { systemClock, toDbTime } from '../../server/db/time';
import { verifyChain } from '../../server/supervision/audit/audit';
import { TestClient } from '../helpers/http';
import { WsClient } from '../helpers/ws';

const mysqlOnly = TEST_DIALECT === 'mysql' ? describe : describe.skip;
const CEILING = 25_000_000;

describe(`when the database falters (${TEST_DIALECT})`, function () {
  this.timeout(90000);
  let s: FaultServer;
  let op: TestClient;
  let bidders: BidderFixture[];
  const figures: Record<string, unknown> = {};

  before(async () => {
    s = await startFaultServer();
    op = await s.as('operator');
    bidders = await createBidders(s.tdb.db, systemClock, 12, { prefix: 'fault' });
  });
  after(async () => {
    if (Object.keys(figures).length) console.log(`      fault figures (${TEST_DIALECT}): ${JSON.stringify(figures)}`);
    await s?.stop();
  });

  async function cookie(b: BidderFixture) {
    return (await cookieFor(s.platform.sessions, b.userId)).cookie;
  }

  /** A running rank-only competition with the given bidders joined (opened by the scheduler, on the real clock). */
  async function running(bs: BidderFixture[], over: Record<string, unknown> = {}): Promise<{ id: number; endsAt: string }> {
    const created = await op.post('/api/auctions', auctionBody(new Date(Date.now() + JOIN_LEAD_MS), { visibility: 'rank_only', decrementKind: 'absolute', decrementValue: 100, durationSec: 600, ...over }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    // Joined directly (the join route has its own tests), so a loaded machine cannot miss the start.
    const now = toDbTime(new Date());
    await s.tdb.db('auction_participants').insert(bs.map((b, k) => ({ auction_id: id, supplier_id: b.supplierId, label: String.fromCharCode(65 + k), brand: b.brand, model: b.model, user_id: b.userId, ip: '127.0.0.1', device_id: null, joined_at: now })));
    await moveStart(s.tdb.db, id);
    await waitFor('the competition opens', async () => (await s.tdb.db('auctions').where({ id }).first()).status === 'running');
    await waitFor('the sequencer holds it', () => s.service.engine.live.has(id));
    return { id, endsAt: (await op.get(`/api/auctions/${id}`)).body.endsAt };
  }

  async function loopBidders(id: number, bs: BidderFixture[]): Promise<LoopBidder[]> {
    return Promise.all(bs.map(async (b, i) => LoopBidder.connect(s.url, await cookie(b), `b${i}`, id, CEILING)));
  }

  const accepted = (ls: LoopBidder[]) => ls.reduce((n, l) => n + l.all.filter((a) => a.type === 'bid.accepted').length, 0);

  /** Every send answered exactly once with its id; every acceptance stored once; nothing stored that was refused. */
  async function checkBids(id: number, ls: LoopBidder[]): Promise<Record<string, number>> {
    const rows = await s.tdb.db('auction_bids').where({ auction_id: id }).orderBy('seq');
    const byClient = new Map<string, any>();
    for (const r of rows) {
      const k = `${r.supplier_id}/${r.client_bid_id}`;
      expect(byClient.has(k), `bid ${k} stored twice`).to.equal(false);
      byClient.set(k, r);
    }
    expect(rows.map((r: any) => Number(r.seq))).to.deep.equal(rows.map((_: unknown, i: number) => i + 1));
    const codes: Record<string, number> = {};
    for (const [i, l] of ls.entries()) {
      const supplierId = bidders[i].supplierId;
      for (const [cbid, n] of l.sends) {
        const got = l.answers.get(cbid) ?? [];
        expect(got.length, `${cbid}: ${n} send(s), ${got.length} answer(s)`).to.equal(n);
        for (const a of got) codes[a.type === 'bid.accepted' ? 'ACCEPTED' : (a.code ?? a.type)] = (codes[a.type === 'bid.accepted' ? 'ACCEPTED' : (a.code ?? a.type)] ?? 0) + 1;
        const row = byClient.get(`${supplierId}/${cbid}`);
        const acc = got.find((a) => a.type === 'bid.accepted');
        if (acc) {
          expect(row, `acknowledged bid ${cbid} lost`).to.not.equal(undefined);
          expect(Number(row.seq)).to.equal(acc.seq);
          expect(Number(row.amount_fen)).to.equal(acc.amount);
        } else if (row) {
          // Stored but not acknowledged: only when its last answer said the outcome was unknown.
          expect(got[got.length - 1].code, `${cbid} stored but answered ${got.map((a) => a.code).join(',')}`).to.equal('SERVICE_UNAVAILABLE');
        }
        for (const a of got) if (a.code === 'BID_NOT_RECORDED') expect(row && a === got[got.length - 1], `${cbid} answered BID_NOT_RECORDED but stored`).to.not.equal(true);
      }
    }
    for (const a of ls.flatMap((l) => l.all)) expect(a.type, `an answer without a bid answer type: ${JSON.stringify(a)}`).to.match(/^bid\./);
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
    return codes;
  }

  it('answers liveness at once without the database, readiness with its checks', async () => {
    const live = await fetch(`${s.url}/api/health`);
    expect(live.status).to.equal(200);
    expect(await live.json()).to.include({ status: 'ok', db: TEST_DIALECT });
    const r = await readiness(s.url);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body.status).to.equal('ready');
    expect(r.body.database.status).to.equal('ok');
    expect(r.body.commit.status).to.equal('ok');
    expect(r.body.sources.bids).to.include({ status: 'ok', queued: 0 });
    expect(r.body.commit.latencyMs).to.be.a('number');
  });

  it('answers a bid for an unknown competition AUCTION_NOT_FOUND, with its clientBidId', async () => {
    const ws = await WsClient.connect(s.url, await cookie(bidders[0]));
    ws.send({ type: 'bid', auctionId: 987654, amount: 100, clientBidId: 'nowhere' });
    const a = await ws.next((m) => m.clientBidId === 'nowhere');
    expect(a).to.include({ type: 'bid.rejected', code: 'AUCTION_NOT_FOUND', auctionId: 987654 });
    ws.close();
  });

  it('does not remember a failed load: the next call after a failure loads the competition', async () => {
    const { id } = await running(bidders.slice(0, 3));
    // Drop it from memory as after a restart, then break the load (a table it reads is gone).
    s.service.engine.live.delete(id);
    await s.tdb.db.schema.renameTable('auction_participants', 'auction_participants_away');
    try {
      expect((await op.get(`/api/auctions/${id}/state`)).status).to.be.oneOf([500, 503]);
    } finally {
      await s.tdb.db.schema.renameTable('auction_participants_away', 'auction_participants');
    }
    const again = await op.get(`/api/auctions/${id}/state`);
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect(again.body.status).to.equal('running');
  });

  it('takes 1,000 bids in one batch (the audit row holds them all) and counts flooding suppliers out with RATE_LIMITED', async function () {
    // 1,000 distinct suppliers' bids reach the sequencer in one turn: one batch, one audit event.
    const crowd = await createBidders(s.tdb.db, systemClock, 1000, { prefix: 'batch' });
    const { id } = await running(bidders.slice(0, 3));
    const now = toDbTime(new Date());
    for (let i = 0; i < crowd.length; i += 200) {
      await s.tdb.db('auction_participants').insert(crowd.slice(i, i + 200).map((b, k) => ({ auction_id: id, supplier_id: b.supplierId, label: `Z${i + k}`, brand: b.brand, model: b.model, user_id: b.userId, ip: '127.0.0.1', device_id: null, joined_at: now })));
    }
    s.service.engine.live.delete(id); // reloaded with its 1,003 participants
    await s.service.live(id);
    const before = s.service.engine.stats.maxBatch;
    const answers = await Promise.all(crowd.map((b, i) => s.service.engine.submit({ auctionId: id, supplierId: b.supplierId, userId: b.userId, amount: CEILING - 1000 - i, clientBidId: `big-${i}`, ip: '10.0.0.1', deviceId: `device-${i}` })));
    expect(answers.filter((a) => a.type === 'bid.accepted').length, JSON.stringify(answers.find((a) => a.type !== 'bid.accepted'))).to.equal(1000);
    expect(Math.max(before, s.service.engine.stats.maxBatch)).to.be.at.least(1000);
    const ev = await s.tdb.db('audit_events').where({ action: 'auction.bids_accepted', entity_id: String(id) }).orderBy('seq', 'desc').first();
    expect(ev.after_json.length).to.be.greaterThan(65535);
    expect(JSON.parse(ev.after_json).bids).to.have.length(1000);
    const chain = await verifyChain(s.tdb.db);
    expect(chain.intact, JSON.stringify([chain, await s.tdb.db('audit_stream_heads'), await s.tdb.db('audit_events').where({ stream: 'platform' }).orderBy('stream_seq', 'desc').limit(3).select('seq', 'stream_seq', 'action', 'hash', 'prev_hash')])).to.equal(true);
    figures.batchAuditRowBytes = ev.after_json.length;

    // A flood from one supplier: answered at once, each with its id; the limit is in the answer.
    const flood = await LoopBidder.connect(s.url, await cookie(crowd[0]), 'flood', id, CEILING);
    const t0 = performance.now();
    const sent = await Promise.all(Array.from({ length: 300 }, (_, i) => flood.send(`flood-${i}`, CEILING - 5000 - i * 200)));
    const floodMs = performance.now() - t0;
    const codes: Record<string, number> = {};
    for (const a of sent) codes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] = (codes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] ?? 0) + 1;
    expect(sent.map((a) => a.clientBidId)).to.deep.equal(Array.from({ length: 300 }, (_, i) => `flood-${i}`));
    expect(codes.RATE_LIMITED).to.be.greaterThan(200);
    const limits = sent.filter((a) => a.code === 'RATE_LIMITED').map((a) => (a as Answer & { limit: Record<string, number> }).limit);
    // Over the rate (with the rate in the answer), or over the bids one supplier may have waiting.
    expect(limits.find((l) => l.perSecond)).to.deep.equal({ perSecond: s.config.limits.bidRatePerSec, burst: 2 * s.config.limits.bidRatePerSec });
    const limited = sent.find((a) => a.code === 'RATE_LIMITED')!;
    expect(limited.retryAfterMs).to.be.a('number');
    expect((await readiness(s.url)).status).to.equal(200); // shed, not queued: the platform stays ready
    flood.close();
    figures.flood = { sent: 300, ms: Math.round(floodMs), codes };
  });

  mysqlOnly('through the fault proxy (MariaDB)', () => {
    it('answers an ordinary route 503 SERVICE_UNAVAILABLE with a retry hint while the database is down, and 200 after', async () => {
      const purchaser = await s.as('purchaser');
      expect((await purchaser.get('/api/requisitions?pageSize=1')).status).to.equal(200);
      s.proxy!.refuse(true);
      s.proxy!.cutAll();
      try {
        const r = await purchaser.get('/api/requisitions?pageSize=1');
        expect(r.status, JSON.stringify(r.body)).to.equal(503);
        expect(r.body.error.code).to.equal('SERVICE_UNAVAILABLE');
        expect(r.headers.get('retry-after')).to.equal('2');
      } finally {
        s.proxy!.heal();
      }
      await waitFor('the route answers again', async () => (await purchaser.get('/api/requisitions?pageSize=1')).status === 200);
    });

    it('a stall during batch commits: bids answered within the limit, readiness 503 during and 200 after, liveness always', async () => {
      const bs = bidders.slice(0, 6);
      const { id } = await running(bs);
      const ls = await loopBidders(id, bs);
      ls.forEach((l) => l.start());
      await waitFor('bids flowing', () => accepted(ls) >= 30);
      const beforeStall = ls.flatMap((l) => l.all).length;
      s.proxy!.stall();
      const stalledAt = performance.now();
      await waitFor('readiness 503', async () => (await readiness(s.url)).status === 503);
      const during = await readiness(s.url);
      expect(during.body.error.details.problems.join(' ')).to.match(/database|commit|bids/);
      const liveT0 = performance.now();
      expect((await fetch(`${s.url}/api/health`)).status).to.equal(200);
      const livenessMs = performance.now() - liveT0;
      expect(livenessMs).to.be.lessThan(1000); // not held by the stall (it lasts until resumed); a few ms when the machine is quiet
      // Every bid sent during the stall is answered within the commit limit plus its check.
      await waitFor('bids answered during the stall', () => ls.flatMap((l) => l.all).length > beforeStall + ls.length, 8000);
      s.proxy!.heal();
      const healedAt = performance.now();
      const acceptedAtHeal = accepted(ls);
      const recoverMs = await waitFor('a bid accepted after the stall', () => accepted(ls) > acceptedAtHeal, 15000);
      await waitFor('readiness 200', async () => (await readiness(s.url)).status === 200, 15000);
      await Promise.all(ls.map((l) => l.stop()));
      ls.forEach((l) => l.close());
      const codes = await checkBids(id, ls);
      const duringCodes: Record<string, number> = {};
      for (const a of ls.flatMap((l) => l.all)) if (a.at >= stalledAt && a.at <= healedAt) duringCodes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] = (duringCodes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] ?? 0) + 1;
      const waits = ls.flatMap((l) => [...l.answers.values()].flat()).filter((a) => a.at >= stalledAt);
      figures.stall = { stallMs: Math.round(healedAt - stalledAt), duringCodes, allCodes: codes, livenessMs: Math.round(livenessMs), recoverMs: Math.round(recoverMs), answersAfterStall: waits.length };
      expect(duringCodes.SERVICE_UNAVAILABLE ?? 0).to.be.greaterThan(0);
    });

    it('connections cut mid-transaction: no acknowledged bid lost, every bid answered once', async () => {
      const bs = bidders.slice(0, 6);
      const { id } = await running(bs);
      const ls = await loopBidders(id, bs);
      ls.forEach((l) => l.start());
      await waitFor('bids flowing', () => accepted(ls) >= 30);
      let cuts = 0;
      const t0 = performance.now();
      for (let k = 0; k < 5; k++) {
        const a0 = accepted(ls);
        cuts += s.proxy!.cutAll();
        await waitFor('a bid accepted after the cut', () => accepted(ls) > a0 + 3, 15000);
      }
      const cutMs = performance.now() - t0;
      await waitFor('readiness 200', async () => (await readiness(s.url)).status === 200);
      await Promise.all(ls.map((l) => l.stop()));
      ls.forEach((l) => l.close());
      const codes = await checkBids(id, ls);
      figures.cut = { cuts: 5, connectionsCut: cuts, ms: Math.round(cutMs), codes, failedBatches: s.service.engine.stats.failedBatches };
    });

    it('a database restart past the grace: competitions suspended for everyone and resumed with the end moved, audited', async () => {
      const bs = bidders.slice(0, 6);
      const { id, endsAt } = await running(bs);
      const watcher = await WsClient.connect(s.url, await cookie(bs[0]));
      watcher.send({ type: 'subscribe', channel: `auction:${id}` });
      await watcher.next((m) => m.type === 'auction.state' && m.auctionId === id);
      const ls = await loopBidders(id, bs);
      ls.forEach((l) => l.start());
      await waitFor('bids flowing', () => accepted(ls) >= 30);
      const downMs = s.config.limits.dbOutageGraceMs + 1500;
      const t0 = performance.now();
      const restart = s.proxy!.restart(downMs);
      await waitFor('readiness 503 with the database down', async () => {
        const r = await readiness(s.url);
        return r.status === 503 && r.body.error.details.database.status === 'down';
      });
      const detectMs = performance.now() - t0;
      await watcher.next((m) => m.type === 'auction.state' && m.auctionId === id && m.status === 'suspended', 10000);
      const suspendedMs = performance.now() - t0;
      await restart;
      const upAt = performance.now();
      const acceptedAtUp = accepted(ls);
      await waitFor('readiness 200', async () => (await readiness(s.url)).status === 200, 15000);
      const readyMs = performance.now() - upAt;
      await watcher.next((m) => m.type === 'auction.state' && m.auctionId === id && m.status === 'running' && watcher.messages.some((x) => x.status === 'suspended'), 15000);
      const recoverMs = await waitFor('a bid accepted after the restart', () => accepted(ls) > acceptedAtUp, 15000);
      await Promise.all(ls.map((l) => l.stop()));
      ls.forEach((l) => l.close());
      watcher.close();
      const codes = await checkBids(id, ls);
      const events = await s.tdb.db('audit_events').where({ entity_type: 'auction', entity_id: String(id) }).whereIn('action', ['auction.suspended', 'auction.resumed']).orderBy('seq');
      expect(events.map((e: any) => e.action)).to.deep.equal(['auction.suspended', 'auction.resumed']);
      const resumed = JSON.parse(events[1].after_json);
      expect(resumed.reason).to.equal('DATABASE_RECOVERED');
      expect(JSON.parse(events[0].after_json).reason).to.equal('DATABASE_UNAVAILABLE');
      const movedMs = new Date((await op.get(`/api/auctions/${id}`)).body.endsAt).getTime() - new Date(endsAt).getTime();
      // The end moved by the outage (from its start to the resumption), give or take the probes.
      expect(movedMs).to.be.at.least(downMs - 500);
      expect(movedMs).to.be.lessThan(downMs + 6000);
      figures.restart = { downMs, detectMs: Math.round(detectMs), suspendedAfterMs: Math.round(suspendedMs), readyAfterUpMs: Math.round(readyMs), firstAcceptAfterUpMs: Math.round(recoverMs), endMovedMs: movedMs, codes };
    });

    it('a lock held elsewhere: the global audit head or the platform stream held no longer stops bids; the own stream of the competition held is answered within the limit; recovery after', async () => {
      const bs = bidders.slice(0, 6);
      const { id } = await running(bs);
      const ls = await loopBidders(id, bs);
      ls.forEach((l) => l.start());
      await waitFor('bids flowing', () => accepted(ls) >= 30);
      const other: Knex = knexFactory({ client: 'mysql2', connection: s.tdb.databaseUrl!, pool: { min: 1, max: 1 } });
      // 1. A second connection (not through the proxy) holds what every audited change locked
      //    before the audit trail had one chain per stream: the global head, and the platform
      //    stream's head (a long bulk action). Bids do not take either: they keep being accepted.
      const bulk = await other.transaction();
      await bulk('audit_chain_head').where({ id: 1 }).forUpdate().first();
      await bulk('audit_stream_heads').where({ stream: 'platform' }).forUpdate().first();
      const bulkAt = performance.now();
      const acceptedAtBulk = accepted(ls);
      await waitFor('bids accepted while the global and platform heads are held', () => accepted(ls) >= acceptedAtBulk + 30, 10000);
      const acceptedWhileBulk = accepted(ls) - acceptedAtBulk;
      expect((await readiness(s.url)).status).to.equal(200);
      await bulk.rollback();
      const bulkMs = Math.round(performance.now() - bulkAt);
      // 2. The competition's own stream head held: its bids cannot commit and are answered within the limit.
      const trx = await other.transaction();
      await trx('audit_stream_heads').where({ stream: `auction:${id}` }).forUpdate().first();
      const heldAt = performance.now();
      const answeredBefore = ls.flatMap((l) => l.all).length;
      await waitFor('bids answered while the lock is held', () => ls.flatMap((l) => l.all).length >= answeredBefore + 2 * ls.length, 10000);
      await trx.rollback();
      await other.destroy();
      const releasedAt = performance.now();
      const a0 = accepted(ls);
      const recoverMs = await waitFor('a bid accepted after the lock', () => accepted(ls) > a0, 15000);
      await waitFor('readiness 200', async () => (await readiness(s.url)).status === 200, 15000);
      await Promise.all(ls.map((l) => l.stop()));
      ls.forEach((l) => l.close());
      const codes = await checkBids(id, ls);
      // While the lock was held, no answer took longer than the batch limit plus its check.
      const heldAnswers = ls.flatMap((l) => l.all).filter((a) => a.at > heldAt && a.at < releasedAt);
      const duringCodes: Record<string, number> = {};
      for (const a of heldAnswers) duringCodes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] = (duringCodes[a.type === 'bid.accepted' ? 'ACCEPTED' : a.code!] ?? 0) + 1;
      expect(Object.keys(duringCodes).some((c) => c !== 'ACCEPTED')).to.equal(true);
      figures.heldLock = { globalAndPlatformHeldMs: bulkMs, acceptedWhileGlobalAndPlatformHeld: acceptedWhileBulk, heldMs: Math.round(releasedAt - heldAt), duringCodes, recoverMs: Math.round(recoverMs), allCodes: codes };
    });
  });
});
