// Online price competition routes no other suite called with success: announcing a draft.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { ManualClock, fromDbTime } from '../../server/db/time';
import { auctionBody, cookieFor, createBidders, type BidderFixture } from './auction-fixtures';

const T0 = Date.UTC(2026, 10, 25, 2, 0, 0);

describe(`auction routes: announcing a draft competition (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  const clock = new ManualClock(T0);
  let s: TestServer;
  let op: TestClient;
  let bidders: BidderFixture[];
  before(async () => {
    s = await startTestServer({ clock });
    op = await s.as('operator');
    bidders = await createBidders(s.tdb.db, clock, 3, { prefix: 'announce' });
  });
  after(() => s?.stop());

  const supplierClient = async (b = bidders[0]) => {
    const c = new TestClient(s.url);
    Object.assign(c, await cookieFor(s.platform.sessions, b.userId));
    return c;
  };

  it('a draft is announced on the portal by POST /announce: suppliers see it, its start is scheduled, and it opens on time', async () => {
    const startsAt = new Date(T0 + 2 * 3600_000);
    const draft = await op.post('/api/auctions', auctionBody(startsAt, { announce: false }));
    expect(draft.status, JSON.stringify(draft.body)).to.equal(201);
    expect(draft.body.status).to.equal('draft');
    const id = draft.body.id as number;
    const sup = await supplierClient();
    // A draft is nobody's business but the centre's: no notice, invisible to suppliers, cannot be joined.
    expect((await sup.get(`/api/auctions/${id}`)).status).to.equal(404);
    expect(await s.tdb.db('notices').where({ source_type: 'auction', source_id: String(id) }).first()).to.equal(undefined);
    expect((await sup.post(`/api/auctions/${id}/join`, { brand: bidders[0].brand, model: bidders[0].model })).status).to.equal(404);
    expect((await sup.post(`/api/auctions/${id}/announce`, {})).status).to.equal(403);

    const announced = await op.post(`/api/auctions/${id}/announce`, {});
    expect(announced.status, JSON.stringify(announced.body)).to.equal(201);
    expect(announced.body).to.include({ id, status: 'announced', code: draft.body.code });
    const notice = await s.tdb.db('notices').where({ source_type: 'auction', source_id: String(id) }).first();
    expect(notice).to.include({ kind: 'competition', method: 'online_price_competition' });
    expect(notice.title_zh).to.include(draft.body.code);
    const job = await s.tdb.db('scheduled_jobs').where({ job_key: `auction:open:${id}` }).first();
    expect(job, 'the start is scheduled').to.exist;
    expect(fromDbTime(job.run_at)!.getTime()).to.equal(startsAt.getTime());
    expect((await s.tdb.db('audit_events').where({ entity_type: 'auction', entity_id: String(id) }).orderBy('seq').pluck('action'))).to.deep.equal(['auction.created', 'auction.announced']);
    expect((await sup.get(`/api/auctions/${id}`)).body.status).to.equal('announced');
    for (const b of bidders) expect((await (await supplierClient(b)).post(`/api/auctions/${id}/join`, { brand: b.brand, model: b.model, deviceId: `dev-${b.supplierId}` })).status).to.equal(201);
    // Once only.
    const again = await op.post(`/api/auctions/${id}/announce`, {});
    expect(again.status).to.equal(409);
    // The scheduled start opens it.
    clock.set(startsAt.getTime() + 1);
    await s.platform.scheduler.runDue();
    expect((await (await s.as('operator')).get(`/api/auctions/${id}`)).body.status).to.equal('running');
  });

  it('a draft whose start has passed cannot be announced', async () => {
    const draft = await (await s.as('operator')).post('/api/auctions', auctionBody(new Date(clock.now().getTime() + 600_000), { announce: false }));
    expect(draft.status).to.equal(201);
    clock.advance(601_000);
    const late = await (await s.as('operator')).post(`/api/auctions/${draft.body.id}/announce`, {});
    expect([late.status, late.body.error.code]).to.deep.equal([422, 'START_IN_PAST']);
    expect((await s.tdb.db('auctions').where({ id: draft.body.id }).first('status')).status).to.equal('draft');
  });
});
