import { expect } from 'chai';
import { ELIGIBILITY_TTL_MS } from '../../server/execution/auctions/eligibility-cache';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { ManualClock, toDbTime } from '../../server/db/time';
import { verifyChain } from '../../server/supervision/audit/audit';
import { auctionAward, type AuctionService } from '../../server/execution/auctions/service';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);

describe(`online price competition (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  const clock = new ManualClock(T0);
  let s: TestServer;
  let op: TestClient;
  let bidders: BidderFixture[];
  let service: AuctionService;
  const sockets: WsClient[] = [];

  before(async () => {
    s = await startTestServer({ clock });
    op = await s.as('operator');
    bidders = await createBidders(s.tdb.db, clock, 64, { prefix: 'it' });
    service = (s.platform.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await s?.stop();
  });

  async function connect(b: BidderFixture, headers: Record<string, string> = {}) {
    const { cookie } = await cookieFor(s.platform.sessions, b.userId);
    const ws = await WsClient.connect(s.url, cookie, headers);
    sockets.push(ws);
    return ws;
  }
  async function httpAs(b: BidderFixture) {
    const c = new TestClient(s.url);
    const { cookie, csrf } = await cookieFor(s.platform.sessions, b.userId);
    c.cookie = cookie;
    c.csrf = csrf;
    return c;
  }
  async function create(over: Record<string, unknown> = {}) {
    const r = await op.post('/api/auctions', auctionBody(new Date(clock.now().getTime() + 3600_000), over));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body;
  }
  async function join(a: { id: number }, bs: BidderFixture[]) {
    for (const b of bs) {
      const r = await (await httpAs(b)).post(`/api/auctions/${a.id}/join`, { brand: b.brand, model: b.model, deviceId: `dev-${b.supplierId}` });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
  }
  async function open(a: { id: number; startsAt?: string }) {
    clock.set(new Date(a.startsAt ?? 0).getTime() + 1);
    await s.platform.scheduler.runDue();
    return (await op.get(`/api/auctions/${a.id}`)).body;
  }
  async function bid(ws: WsClient, auctionId: number, amount: unknown, clientBidId: string) {
    ws.send({ type: 'bid', auctionId, amount, clientBidId });
    return ws.next((m) => (m.type === 'bid.accepted' || m.type === 'bid.rejected') && m.clientBidId === clientBidId);
  }

  it('creates and announces a competition, refuses non-framework categories and a start in the past', async () => {
    const a = await create();
    expect(a.status).to.equal('announced');
    expect(a.code).to.match(/^WSJJ-2026-\d{4}$/);
    expect((await op.post('/api/auctions', auctionBody(new Date(T0 + 3600_000), { categoryCode: 'C1601' }))).body.error.code).to.equal('CATEGORY_NOT_FRAMEWORK');
    expect((await op.post('/api/auctions', auctionBody(new Date(T0 - 1000)))).body.error.code).to.equal('START_IN_PAST');
    expect((await op.post('/api/auctions', auctionBody(new Date(T0 + 3600_000), { ceilingFen: 1.5 }))).status).to.equal(400);
    const sup = await httpAs(bidders[0]);
    expect((await sup.post('/api/auctions', auctionBody(new Date(T0 + 3600_000)))).status).to.equal(403);
    const events = await s.tdb.db('audit_events').where({ entity_type: 'auction', entity_id: String(a.id) }).orderBy('seq').pluck('action');
    expect(events).to.deep.equal(['auction.created', 'auction.announced']);
    const notice = await s.tdb.db('notices').where({ source_type: 'auction', source_id: String(a.id) }).first();
    expect(notice).to.include({ kind: 'competition', method: 'online_price_competition' });
    expect(notice.title_zh).to.include(a.code);
  });

  it('lets suppliers in the category join with a brand they supply, once, before the start', async () => {
    const a = await create();
    const c = await httpAs(bidders[0]);
    expect((await c.post(`/api/auctions/${a.id}/join`, { brand: 'Other', model: 'X' })).body.error.code).to.equal('BRAND_NOT_SUPPLIED');
    expect((await c.post(`/api/auctions/${a.id}/join`, { brand: bidders[0].brand, model: bidders[0].model, deviceId: 'd1' })).body.label).to.equal('A');
    expect((await c.post(`/api/auctions/${a.id}/join`, { brand: bidders[0].brand, model: bidders[0].model })).body.error.code).to.equal('ALREADY_JOINED');
    const other = await createBidders(s.tdb.db, clock, 1, { prefix: 'paper', category: 'A08060301' });
    expect((await (await httpAs(other[0])).post(`/api/auctions/${a.id}/join`, { brand: other[0].brand, model: other[0].model })).body.error.code).to.equal('CATEGORY_MISMATCH');
    const joined = await s.tdb.db('audit_events').where({ action: 'auction.participant_joined', entity_id: String(a.id) }).first();
    expect(JSON.parse(joined.after_json)).to.include({ supplierId: bidders[0].supplierId, deviceId: 'd1', label: 'A' });
  });

  it('fails at the start when there are too few suppliers or brands, recording the reason', async () => {
    const a = await create({ minBrands: 3 });
    await join(a, bidders.slice(0, 2));
    const after = await open(a);
    expect(after.status).to.equal('failed');
    expect(after.failureCode).to.equal('NOT_ENOUGH_COMPETITION');
    expect(after.statusReason).to.match(/2 supplier\(s\) of 3/);
    expect((await s.tdb.db('notices').where({ source_type: 'auction', source_id: String(a.id), kind: 'failure' }).first()).body_en).to.match(/Not enough competition/);
    clock.set(T0);
  });

  it('runs a best-price competition: rules, visibility, anti-sniping, suspension, result and award', async () => {
    const a = await create({ durationSec: 600, extensionSec: 60, maxExtensionSec: 120 });
    const [b1, b2, b3] = bidders.slice(0, 3);
    await join(a, [b1, b2, b3]);
    const outsider = bidders[10];
    const w1 = await connect(b1);
    const w2 = await connect(b2);
    const wOut = await connect(outsider);
    expect((await bid(w1, a.id, 24_000_000, 'early')).code).to.equal('AUCTION_NOT_STARTED');
    const opened = await open(a);
    expect(opened.status).to.equal('running');
    expect((await s.client().get(`/api/portal/auctions/${a.id}/result`)).status).to.equal(404); // public only once finished
    w1.send({ type: 'subscribe', channel: `auction:${a.id}` });
    const snap = await w1.next((m) => m.type === 'auction.state' && m.auctionId === a.id);
    expect(snap).to.include({ status: 'running', seq: 0, best: null });
    expect(snap.you).to.include({ label: 'A', lastBid: null, rank: null, maxBid: 25_000_000 });
    wOut.send({ type: 'subscribe', channel: `auction:${a.id}` });
    expect((await wOut.next((m) => m.type === 'error' && m.channel === `auction:${a.id}`)).code).to.equal('FORBIDDEN_CHANNEL');

    // Bad amounts, ceiling, non-participants write nothing.
    for (const [amount, code] of [[-5, 'BAD_AMOUNT'], [1.5, 'BAD_AMOUNT'], ['100', 'BAD_AMOUNT'], [1e16, 'BAD_AMOUNT'], [25_000_001, 'ABOVE_CEILING']] as const) {
      expect((await bid(w1, a.id, amount, `bad-${String(amount)}`)).code, String(amount)).to.equal(code);
    }
    expect((await bid(wOut, a.id, 20_000_000, 'out')).code).to.equal('NOT_A_PARTICIPANT');
    expect((await s.tdb.db('auction_bids').where({ auction_id: a.id })).length).to.equal(0);

    const ok1 = await bid(w1, a.id, 24_000_000, 'b1-1');
    expect(ok1).to.include({ type: 'bid.accepted', seq: 1, amount: 24_000_000, rank: 1 });
    // b2 sees the best price move (best-price mode) and its own rank.
    w2.send({ type: 'subscribe', channel: `auction:${a.id}` });
    const st2 = await w2.next((m) => m.type === 'auction.state' && m.seq === 1);
    expect(st2.best).to.equal(24_000_000);
    expect(st2.ladder).to.equal(undefined);
    expect(JSON.stringify(st2)).to.not.include(String(b1.supplierId) + ',');
    expect(JSON.stringify(st2)).to.not.include('测试供应商');
    expect((await bid(w2, a.id, 23_995_000, 'b2-x')).code).to.equal('NOT_BELOW_BEST');
    expect((await bid(w2, a.id, 23_990_000, 'b2-1')).rank).to.equal(1);
    expect((await bid(w1, a.id, 23_985_000, 'b1-2')).code).to.equal('NOT_BELOW_BEST');
    expect((await bid(w1, a.id, 23_980_000, 'b1-2b')).seq).to.equal(3);

    // Blacklisted after joining: refused at once (the decision is audited, which drops the cached answer).
    const bl = await op.post(`/api/suppliers/${b2.supplierId}/blacklist`, { reason: 'collusion', source: 'FB 2026-9', startsAt: new Date(T0 - 1000).toISOString(), endsAt: new Date(T0 + 365 * 86400_000).toISOString() });
    expect(bl.status, JSON.stringify(bl.body)).to.equal(201);
    expect((await bid(w2, a.id, 23_000_000, 'b2-bl')).code).to.equal('SUPPLIER_BLACKLISTED');
    const entry = await s.tdb.db('supplier_blacklist').where({ supplier_id: b2.supplierId }).whereNull('lifted_at').first('id');
    expect((await op.post(`/api/suppliers/${b2.supplierId}/blacklist/${entry.id}/lift`, { reason: 'decision annulled on review' })).status).to.be.oneOf([200, 201, 204]);
    // Entered behind the platform's back (no audited change): refused once the cached answer expires.
    await s.tdb.db('supplier_blacklist').insert({ supplier_id: b2.supplierId, reason: 'collusion', source: 'FB 2026-9', starts_at: toDbTime(T0 - 1000), ends_at: toDbTime(T0 + 365 * 86400_000), created_at: toDbTime(clock.now()) });
    clock.advance(ELIGIBILITY_TTL_MS + 1000);
    expect((await bid(w2, a.id, 23_000_000, 'b2-bl2')).code).to.equal('SUPPLIER_BLACKLISTED');
    await s.tdb.db('supplier_blacklist').where({ supplier_id: b2.supplierId }).delete();

    // Suspension keeps the remaining time.
    const before = await service.live(a.id);
    const remaining = before!.a.endsAt!.getTime() - clock.now().getTime();
    const sus = await op.post(`/api/auctions/${a.id}/suspend`, { reason: '网络故障' });
    expect(sus.body.status).to.equal('suspended');
    expect((await bid(w1, a.id, 23_000_000, 'during-suspension')).code).to.equal('AUCTION_SUSPENDED');
    clock.advance(300_000);
    const res = await op.post(`/api/auctions/${a.id}/resume`, { reason: '已恢复' });
    expect(new Date(res.body.endsAt).getTime() - clock.now().getTime()).to.equal(remaining);
    expect((await (await httpAs(b1)).post(`/api/auctions/${a.id}/suspend`, { reason: 'x' })).status).to.equal(403);

    // Anti-sniping: a bid in the last 60 s moves the end to now + 60 s, up to the hard cap.
    clock.set(new Date(res.body.endsAt).getTime() - 10_000);
    const late = await bid(w2, a.id, 23_900_000, 'b2-late');
    expect(new Date(late.endsAt).getTime()).to.equal(clock.now().getTime() + 60_000);
    clock.advance(55_000);
    const late2 = await bid(w1, a.id, 23_800_000, 'b1-late');
    expect(new Date(late2.endsAt).getTime()).to.equal(clock.now().getTime() + 60_000);
    clock.advance(59_000);
    const late3 = await bid(w2, a.id, 23_700_000, 'b2-late2');
    const hardCap = new Date(res.body.endsAt).getTime() + 120_000;
    expect(new Date(late3.endsAt).getTime()).to.equal(hardCap);
    const extended = await s.tdb.db('audit_events').where({ action: 'auction.extended', entity_id: String(a.id) });
    expect(extended.length).to.equal(3);

    // The end, on the server clock.
    clock.set(hardCap);
    expect((await bid(w1, a.id, 20_000_000, 'too-late')).code).to.equal('AUCTION_ENDED');
    await s.platform.scheduler.runDue();
    const fin = await w1.next((m) => m.type === 'auction.state' && m.status === 'closed');
    expect(fin.result).to.include({ winnerLabel: 'B', priceFen: 23_700_000, savingsFen: 1_300_000 });
    const result = (await (await httpAs(b3)).get(`/api/auctions/${a.id}/result`)).body;
    expect(result.winner.label).to.equal('B');
    expect(result.bids.map((x: any) => x.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(result.bids[0]).to.not.have.property('supplierId');
    const awardNotice = await s.tdb.db('notices').where({ source_type: 'auction', source_id: String(a.id), kind: 'award' }).first();
    expect(awardNotice.body_zh).to.include('237,000.00 元');
    // The anonymised final ladder is announced with the result, and every bid is public afterwards.
    expect(awardNotice.body_zh).to.match(/最终报价排名（匿名，北京时间）：1\. 供应商B 237,000\.00 元（\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d:\d\d）；2\. 供应商/);
    expect(awardNotice.body_en).to.include('1. Supplier B CNY 237,000.00');
    const pub = await s.client().get(`/api/portal/auctions/${a.id}/result`);
    expect(pub.status).to.equal(200);
    expect(pub.body.winner).to.include({ label: 'B' });
    expect(pub.body.bids.map((x: any) => x.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    for (const x of pub.body.bids) {
      expect(x).to.have.all.keys('seq', 'label', 'amountFen', 'at');
    }
    expect(Number(awardNotice.amount_fen)).to.equal(23_700_000);
    const award = await auctionAward(s.tdb.db, a.id);
    expect(award).to.include({ status: 'closed', winnerSupplierId: b2.supplierId, priceFen: 23_700_000, savingsFen: 1_300_000, ceilingFen: 25_000_000 });
    const acts = await s.tdb.db('audit_events').where({ entity_type: 'auction', entity_id: String(a.id) }).orderBy('seq').pluck('action');
    expect(acts).to.include.members(['auction.opened', 'auction.bids_accepted', 'auction.suspended', 'auction.resumed', 'auction.extended', 'auction.closed']);
    // Every accepted bid is in the chain, once, with its facts (batched per competition per commit).
    const batches = await s.tdb.db('audit_events').where({ action: 'auction.bids_accepted', entity_id: String(a.id) }).orderBy('seq');
    const audited = batches.flatMap((e: any) => JSON.parse(e.after_json).bids);
    expect(audited.map((x: any) => x.seq)).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(audited[0]).to.include({ supplierId: b1.supplierId, amountFen: 24_000_000, ip: '127.0.0.1' });
    expect(JSON.parse(batches[0].after_json)).to.include({ auctionId: a.id, ceilingFen: 25_000_000 });
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
    clock.set(T0);
  });

  it('shows ranks only in rank-only mode and the anonymised ladder in ladder mode; supervisors see identities', async () => {
    const ro = await create({ visibility: 'rank_only' });
    const la = await create({ visibility: 'ladder' });
    const [b1, b2, b3] = bidders.slice(3, 6);
    await join(ro, [b1, b2, b3]);
    await join(la, [b1, b2, b3]);
    clock.set(new Date(ro.startsAt).getTime() + 1);
    await s.platform.scheduler.runDue();
    const w1 = await connect(b1);
    const w2 = await connect(b2);
    // rank-only: a higher bid than the best is valid (only the own previous bid counts).
    expect((await bid(w1, ro.id, 20_000_000, 'r1')).rank).to.equal(1);
    const r2 = await bid(w2, ro.id, 21_000_000, 'r2');
    expect(r2).to.include({ type: 'bid.accepted', rank: 2 });
    w2.send({ type: 'subscribe', channel: `auction:${ro.id}` });
    const st = await w2.next((m) => m.type === 'auction.state' && m.auctionId === ro.id);
    expect(st).to.not.have.property('best');
    expect(st).to.not.have.property('ladder');
    expect(st.you).to.include({ rank: 2, lastBid: 21_000_000 });
    // ladder mode: labels and prices, never names.
    await bid(w1, la.id, 20_000_000, 'l1');
    await bid(w2, la.id, 19_000_000, 'l2');
    w1.send({ type: 'subscribe', channel: `auction:${la.id}` });
    const ls = await w1.next((m) => m.type === 'auction.state' && m.auctionId === la.id && m.seq === 2);
    expect(ls.ladder.map((r: any) => [r.label, r.amount])).to.deep.equal([['B', 19_000_000], ['A', 20_000_000]]);
    expect(ls.ladder[0]).to.not.have.property('supplierId');
    expect(ls.you).to.include({ label: 'A', rank: 2 });
    const sup = await s.as('supervisor');
    const sv = (await sup.get(`/api/auctions/${la.id}/state`)).body;
    expect(sv.ladder[0]).to.include({ supplierId: b2.supplierId });
    const mon = (await op.get(`/api/auctions/${la.id}/state`)).body;
    expect(mon.ladder[0]).to.not.have.property('supplierId');
    // The price history: in rank-only mode a supplier sees its own bids, never the best price;
    // a supervisor sees the best price (no identities); a supplier not in it sees nothing.
    const h2 = (await (await httpAs(b2)).get(`/api/auctions/${ro.id}/history`)).body;
    expect(h2.best).to.equal(null);
    expect(h2.own.map((p: any) => p.amountFen)).to.deep.equal([21_000_000]);
    const hs = (await sup.get(`/api/auctions/${ro.id}/history`)).body;
    expect(hs.best.map((p: any) => p.amountFen)).to.deep.equal([20_000_000]);
    expect(hs.best[0]).to.have.keys(['at', 'amountFen']);
    expect(hs.own).to.deep.equal([]);
    const hl = (await (await httpAs(b1)).get(`/api/auctions/${la.id}/history`)).body;
    expect(hl.best.map((p: any) => p.amountFen)).to.deep.equal([20_000_000, 19_000_000]);
    expect(hl.own.map((p: any) => p.amountFen)).to.deep.equal([20_000_000]);
    expect((await (await httpAs(bidders[40])).get(`/api/auctions/${ro.id}/history`)).status).to.equal(404);
    clock.set(T0);
  });

  it('answers a repeated clientBidId with the first answer and never makes a second bid', async () => {
    const a = await create({ visibility: 'rank_only' });
    const [b1, b2, b3] = bidders.slice(6, 9);
    await join(a, [b1, b2, b3]);
    await open(a);
    const w = await connect(b1);
    // Sent twice at once, then again later with a different amount.
    w.send({ type: 'bid', auctionId: a.id, amount: 22_000_000, clientBidId: 'same' });
    w.send({ type: 'bid', auctionId: a.id, amount: 22_000_000, clientBidId: 'same' });
    await w.next((m) => m.clientBidId === 'same' && w.messages.filter((x) => x.clientBidId === 'same').length === 2);
    const answers = w.messages.filter((x) => x.clientBidId === 'same');
    expect(answers.map((x) => [x.type, x.seq])).to.deep.equal([['bid.accepted', 1], ['bid.accepted', 1]]);
    const again = await bid(w, a.id, 21_000_000, 'same');
    expect(again).to.include({ type: 'bid.accepted', seq: 1, amount: 22_000_000 });
    // A rejected clientBidId also keeps its first answer.
    expect((await bid(w, a.id, 30_000_000, 'rej')).code).to.equal('ABOVE_CEILING');
    w.messages.length = 0;
    expect((await bid(w, a.id, 10_000_000, 'rej')).code).to.equal('ABOVE_CEILING');
    // Another supplier may use the same clientBidId.
    const w2 = await connect(b2);
    expect((await bid(w2, a.id, 21_500_000, 'same')).seq).to.equal(2);
    expect((await s.tdb.db('auction_bids').where({ auction_id: a.id })).length).to.equal(2);
    // After the end, a retry still gets its first answer.
    clock.set(new Date((await op.get(`/api/auctions/${a.id}`)).body.endsAt).getTime());
    await s.platform.scheduler.runDue();
    w.messages.length = 0;
    expect(await bid(w, a.id, 22_000_000, 'same')).to.include({ type: 'bid.accepted', seq: 1 });
    clock.set(T0);
  });

  for (const visibility of ['rank_only', 'best_price'] as const) {
    it(`keeps every acknowledged bid, once, in one order, with 60 concurrent bidders (${visibility})`, async () => {
      const a = await create({ visibility, decrementKind: 'percent', decrementValue: 1 });
      const crowd = bidders.slice(0, 60);
      await join(a, crowd);
      await open(a);
      const sockets = await Promise.all(crowd.map((b) => connect(b)));
      const watcher = sockets[0];
      const acks: any[] = [];
      await Promise.all(sockets.map((ws) => (ws.send({ type: 'subscribe', channel: `auction:${a.id}` }), ws.next((m) => m.type === 'auction.state' && m.auctionId === a.id))));
      // Each bidder sends 8 bids as fast as its answers come back.
      await Promise.all(
        sockets.map(async (ws, i) => {
          let mine = 25_000_000;
          for (let k = 0; k < 8; k++) {
            const seen = ws.messages.filter((m) => m.type === 'auction.state' && m.auctionId === a.id).pop();
            const best = visibility === 'best_price' && typeof seen?.best === 'number' ? seen.best : mine;
            const ref = Math.min(mine, best);
            const amount = ref - Math.ceil(ref / 10_000) - ((i * 13 + k) % 7) * 100;
            const ans = await bid(ws, a.id, amount, `c${i}-${k}`);
            if (ans.type === 'bid.accepted') {
              acks.push({ ...ans, supplierId: crowd[i].supplierId });
              mine = ans.amount;
            } else expect(ans.code).to.equal('NOT_BELOW_BEST');
          }
        }),
      );
      await service.engine.idle();
      const rows = await s.tdb.db('auction_bids').where({ auction_id: a.id }).orderBy('seq');
      if (visibility === 'rank_only') expect(acks.length).to.equal(480);
      else expect(acks.length).to.be.at.least(5);
      expect(rows.length).to.equal(acks.length);
      expect(rows.map((r: any) => Number(r.seq))).to.deep.equal(rows.map((_: unknown, i: number) => i + 1));
      const bySeq = new Map(rows.map((r: any) => [Number(r.seq), r]));
      for (const ack of acks) {
        const r = bySeq.get(ack.seq)!;
        expect(Number(r.amount_fen)).to.equal(ack.amount);
        expect(Number(r.supplier_id)).to.equal(ack.supplierId);
      }
      // In best-price mode every accepted bid beat the one before it: one order for everyone.
      if (visibility === 'best_price') for (let i = 1; i < rows.length; i++) expect(Number(rows[i].amount_fen)).to.be.lessThan(Number(rows[i - 1].amount_fen));
      // Every subscriber saw sequence numbers only grow, up to the last one.
      await Promise.all(sockets.map((ws) => ws.next((m) => m.type === 'auction.state' && m.auctionId === a.id && m.seq === rows.length)));
      for (const ws of sockets) {
        const seqs = ws.messages.filter((m) => m.type === 'auction.state' && m.auctionId === a.id).map((m) => m.seq);
        for (let i = 1; i < seqs.length; i++) expect(seqs[i]).to.be.at.least(seqs[i - 1]);
      }
      // The final ranks everyone sees follow from the stored bids alone.
      const lastBySupplier = new Map<number, { amount: number; seq: number }>();
      for (const r of rows) lastBySupplier.set(Number(r.supplier_id), { amount: Number(r.amount_fen), seq: Number(r.seq) });
      const expected = [...lastBySupplier.entries()].sort((x, y) => x[1].amount - y[1].amount || x[1].seq - y[1].seq).map(([id]) => id);
      const sup = await s.as('supervisor');
      const sv = (await sup.get(`/api/auctions/${a.id}/state`)).body;
      expect(sv.ladder.map((r: any) => r.supplierId)).to.deep.equal(expected);
      const final = watcher.messages.filter((m) => m.type === 'auction.state' && m.auctionId === a.id).pop();
      expect(final.you.rank).to.equal(expected.indexOf(crowd[0].supplierId) + 1 || null);
      expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
      sockets.forEach((w) => w.close());
      clock.set(T0);
    });
  }
});
