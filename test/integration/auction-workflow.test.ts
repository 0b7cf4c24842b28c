// A competition created from an approved requisition's project: its result flows back to the
// workflow body as the award (budget re-frozen at the winning price), a failure fails the project.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';
import { cast, item, raise, approveAll, line, ok, DAY, YUAN, type Cast } from './workflow-helpers';

describe(`online price competition ↔ workflow (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 2, 0, 0));
  let s: TestServer;
  let c: Cast;
  let bidders: BidderFixture[];
  const sockets: WsClient[] = [];

  before(async () => {
    s = await startTestServer({ clock });
    c = await cast(s);
    bidders = await createBidders(s.tdb.db, clock, 4, { prefix: 'wfa', category: 'A02010105' });
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await s?.stop();
  });

  async function as(b: BidderFixture) {
    const h = new TestClient(s.url);
    Object.assign(h, await cookieFor(s.platform.sessions, b.userId));
    return h;
  }
  async function projectInCompetition() {
    const req = await raise(c, [item('A02010105', 10, 6_000)]); // 60,000.00 yuan of laptops
    expect(req.method).to.equal('online_price_competition');
    const pid = await approveAll(c, req.id);
    return { pid, req };
  }
  async function openAt(a: { startsAt: string }) {
    clock.set(new Date(a.startsAt).getTime() + 1);
    while ((await s.platform.scheduler.runDue()) > 0);
  }

  it('refuses a competition that does not match its project', async () => {
    const { pid } = await projectInCompetition();
    const start = new Date(clock.now().getTime() + 3600_000);
    const wrongCat = await c.operator.post('/api/auctions', auctionBody(start, { projectId: pid }));
    expect(wrongCat.body.error.code).to.equal('CATEGORY_NOT_PROJECT_CATEGORY');
    const tooHigh = await c.operator.post('/api/auctions', auctionBody(start, { projectId: pid, categoryCode: 'A02010105', ceilingFen: 60_001 * YUAN }));
    expect(tooHigh.body.error.code).to.equal('CEILING_ABOVE_PROJECT_BUDGET');
    const tender = await raise(c, [item('B07', 1, 4_500_000)]);
    const tpid = await approveAll(c, tender.id);
    expect((await c.operator.post('/api/auctions', auctionBody(start, { projectId: tpid, categoryCode: 'A02010105' }))).body.error.code).to.equal('PROJECT_NOT_ONLINE_COMPETITION');
  });

  it('hands the winning bid to the project as its award and re-freezes the budget at the price', async () => {
    const { pid, req } = await projectInCompetition();
    const before = await line(c);
    const a = await ok(c.operator.post('/api/auctions', auctionBody(new Date(clock.now().getTime() + 3600_000), { projectId: pid, categoryCode: 'A02010105', ceilingFen: 60_000 * YUAN, decrementValue: 100 * YUAN })), 201);
    expect(a.requisitionId).to.equal(req.id);
    expect((await c.operator.post('/api/auctions', auctionBody(new Date(clock.now().getTime() + 3600_000), { projectId: pid, categoryCode: 'A02010105', ceilingFen: 60_000 * YUAN }))).body.error.code).to.equal('PROJECT_HAS_COMPETITION');
    for (const b of bidders.slice(0, 3)) await ok((await as(b)).post(`/api/auctions/${a.id}/join`, { brand: b.brand, model: b.model, deviceId: `d${b.supplierId}` }), 201);
    await openAt(a);
    const prices = [58_000, 57_000, 55_500];
    for (let i = 0; i < 3; i++) {
      const ws = await WsClient.connect(s.url, (await cookieFor(s.platform.sessions, bidders[i].userId)).cookie);
      sockets.push(ws);
      ws.send({ type: 'bid', auctionId: a.id, amount: prices[i] * YUAN, clientBidId: `b${i}` });
      const ack = await ws.next((m) => m.clientBidId === `b${i}`);
      expect(ack.type, JSON.stringify(ack)).to.equal('bid.accepted');
    }
    clock.advance(a.durationSec * 1000 + 1000);
    while ((await s.platform.scheduler.runDue()) > 0);
    const p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p.stage).to.equal('award_notice');
    expect(p.awardFen).to.equal(55_500 * YUAN);
    const after = await line(c);
    // The requisition froze 60,000.00; the award re-froze at 55,500.00 and released the rest.
    expect(after.frozenFen - before.frozenFen).to.equal(-4_500 * YUAN);
    const events = await s.tdb.db('audit_events').where({ entity_type: 'project', entity_id: String(pid) }).pluck('action');
    expect(events).to.include('project.awarded');
    const awarded = await s.tdb.db('procurement_projects').where({ id: pid }).first();
    expect(awarded.awarded_supplier_id).to.equal(bidders[2].supplierId);
    expect(awarded.award_source_ref).to.equal(`auction:${a.code}`);
    // The award's open-data release, a snapshot written in the closing transaction, already sees
    // the competition closed: each bidder's best price, the winning bid related to the award.
    const rel = JSON.parse((await s.tdb.db('ocds_releases').where({ project_id: pid, tag: 'award' }).first()).json);
    expect(rel.bids.details.map((d: any) => d.value.amount)).to.have.members(prices);
    expect(rel.tender.auctions[0].period.endDate).to.be.a('string');
    expect(rel.awards[0].relatedBids).to.have.length(1);
  });

  it('fails the project and releases its money when there is not enough competition', async () => {
    const { pid } = await projectInCompetition();
    const before = await line(c);
    const a = await ok(c.operator.post('/api/auctions', auctionBody(new Date(clock.now().getTime() + 3600_000), { projectId: pid, categoryCode: 'A02010105', ceilingFen: 60_000 * YUAN })), 201);
    for (const b of bidders.slice(0, 2)) await ok((await as(b)).post(`/api/auctions/${a.id}/join`, { brand: b.brand, model: b.model }), 201);
    await openAt(a);
    expect((await ok(c.operator.get(`/api/auctions/${a.id}`))).status).to.equal('failed');
    const p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p.stage).to.equal('failed');
    expect(p.failureReason).to.match(/AUCTION_NOT_ENOUGH_COMPETITION/);
    expect((await line(c)).frozenFen - before.frozenFen).to.equal(-60_000 * YUAN);
    void DAY;
  });
});
