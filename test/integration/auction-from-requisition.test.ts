// Competitions come from approved requisitions: a bare requisitionId is held to the same rules as
// a projectId (approved, online price competition, the unit's own) and links the competition to
// its project; only the procurement centre may run a competition with neither.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { ManualClock, toDbTime } from '../../server/db/time';
import { auctionBody, cookieFor } from './auction-fixtures';
import { cast, item, raise, approveAll, ok, YUAN, type Cast } from './workflow-helpers';

describe(`online price competition from a requisition (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 2, 0, 0));
  let s: TestServer;
  let c: Cast;
  let otherUnit: TestClient; // a purchaser of another unit (PU02)

  before(async () => {
    s = await startTestServer({ clock });
    c = await cast(s);
    const db = s.tdb.db;
    const pu02 = await db('organisations').where({ code: 'PU02' }).first('id');
    const me = await db('users').where({ username: 'purchaser' }).first('password_hash');
    const [uid] = await db('users').insert({ username: 'purchaser-pu02', display_name: '第一中学采购', password_hash: me.password_hash, org_id: pu02.id, status: 'active', is_demo: false, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: toDbTime(clock.now()) });
    await db('user_roles').insert({ user_id: Number(uid), role: 'purchaser' });
    otherUnit = new TestClient(s.url);
    Object.assign(otherUnit, await cookieFor(s.platform.sessions, Number(uid)));
  });
  after(() => s?.stop());

  const start = () => new Date(clock.now().getTime() + 3600_000);
  const laptops = (over: Record<string, unknown> = {}) => auctionBody(start(), { categoryCode: 'A02010105', ceilingFen: 60_000 * YUAN, decrementValue: 100 * YUAN, ...over });
  const auctionRows = async () => Number((await s.tdb.db('auctions').count({ n: '*' }).first())!.n);
  async function approvedLaptops() {
    const req = await raise(c, [item('A02010105', 10, 6_000)]); // 60,000.00 yuan: online price competition
    expect(req.method).to.equal('online_price_competition');
    return { req, pid: await approveAll(c, req.id) };
  }
  /** The request fails with the status and code, and no competition row is written. */
  async function refused(p: Promise<{ status: number; body: any }>, status: number, code: string) {
    const before = await auctionRows();
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).to.equal(status);
    expect(r.body.error.code).to.equal(code);
    expect(await auctionRows()).to.equal(before);
  }

  it('links a competition named by its requisition alone to that requisition\'s project', async () => {
    const { req, pid } = await approvedLaptops();
    // The picker lists the waiting project with its category, for the unit and the centre.
    const listed = await ok(c.purchaser.get('/api/projects?awaitingCompetition=true&pageSize=200'));
    expect(listed.items.find((p: any) => p.id === pid)).to.include({ requisitionId: req.id, categoryCode: 'A02010105', budgetFen: 60_000 * YUAN, stage: 'competition' });
    expect((await ok(otherUnit.get('/api/projects?awaitingCompetition=true'))).items.map((p: any) => p.id)).to.not.include(pid);

    const a = await ok(c.purchaser.post('/api/auctions', laptops({ requisitionId: req.id })), 201);
    expect(a).to.include({ requisitionId: req.id, projectId: pid });
    const row = await s.tdb.db('auctions').where({ id: a.id }).first();
    expect(Number(row.project_id)).to.equal(pid);
    expect(Number(row.requisition_id)).to.equal(req.id);
    expect(Number(row.org_id)).to.equal(req.orgId);
    // Once it has a competition the project leaves the picker, and a second one is refused.
    expect((await ok(c.operator.get('/api/projects?awaitingCompetition=true&pageSize=200'))).items.map((p: any) => p.id)).to.not.include(pid);
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: req.id })), 409, 'PROJECT_HAS_COMPETITION');
  });

  it('lets the procurement centre create one from a requisition too, and checks it against the project', async () => {
    const { req, pid } = await approvedLaptops();
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: req.id, ceilingFen: 60_001 * YUAN })), 422, 'CEILING_ABOVE_PROJECT_BUDGET');
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: req.id, categoryCode: 'A02010104' })), 422, 'CATEGORY_NOT_PROJECT_CATEGORY');
    const other = await approvedLaptops();
    await refused(c.operator.post('/api/auctions', laptops({ projectId: pid, requisitionId: other.req.id })), 422, 'REQUISITION_NOT_OF_PROJECT');
    const a = await ok(c.operator.post('/api/auctions', laptops({ requisitionId: req.id })), 201);
    expect(a).to.include({ requisitionId: req.id, projectId: pid, orgId: req.orgId });
  });

  it('refuses a requisition that is not approved, not for online competition, or another unit\'s, writing nothing', async () => {
    const pending = await raise(c, [item('A02010105', 10, 6_000)]);
    expect(pending.status).to.equal('submitted');
    await refused(c.purchaser.post('/api/auctions', laptops({ requisitionId: pending.id })), 409, 'REQUISITION_NOT_APPROVED');
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: pending.id })), 409, 'REQUISITION_NOT_APPROVED');

    const tender = await raise(c, [item('B07', 1, 4_500_000)]);
    expect(tender.method).to.not.equal('online_price_competition');
    await approveAll(c, tender.id);
    await refused(c.purchaser.post('/api/auctions', laptops({ requisitionId: tender.id })), 422, 'REQUISITION_NOT_ONLINE_COMPETITION');
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: tender.id })), 422, 'REQUISITION_NOT_ONLINE_COMPETITION');

    const { req, pid } = await approvedLaptops();
    await refused(otherUnit.post('/api/auctions', laptops({ requisitionId: req.id })), 422, 'REQUISITION_OF_ANOTHER_UNIT');
    await refused(otherUnit.post('/api/auctions', laptops({ projectId: pid })), 422, 'PROJECT_OF_ANOTHER_UNIT');
    const pu02 = await s.tdb.db('organisations').where({ code: 'PU02' }).first('id');
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: req.id, orgId: pu02.id })), 422, 'REQUISITION_OF_ANOTHER_UNIT');
    await refused(c.operator.post('/api/auctions', laptops({ requisitionId: 2_000_000_000 })), 422, 'UNKNOWN_REQUISITION');
    // Still free for its own unit afterwards.
    expect((await ok(c.purchaser.post('/api/auctions', laptops({ requisitionId: req.id })), 201)).projectId).to.equal(pid);
  });

  it('lets only the procurement centre run a competition without a requisition', async () => {
    await refused(c.purchaser.post('/api/auctions', auctionBody(start())), 422, 'REQUISITION_REQUIRED');
    await refused(c.purchaser.post('/api/auctions', auctionBody(start(), { projectId: null, requisitionId: null })), 422, 'REQUISITION_REQUIRED');
    const own = await ok(c.operator.post('/api/auctions', auctionBody(start())), 201);
    expect(own).to.include({ projectId: null, requisitionId: null });
  });
});
