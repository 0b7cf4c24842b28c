// Expert library and draw routes no other suite called with success: the operator cancels an
// expert's leave and withdraws a declared conflict (each puts the expert back in the eligible
// pool of a draw), and the public list of draw records.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPEC = 'B'; // a specialty no seeded expert has: the pool is exactly the experts enrolled here

describe(`expert and draw routes: leave cancelled, conflict withdrawn, public draw list (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0)); // Monday 09:00 in Beijing
  const evaluationAt = new Date(Date.UTC(2026, 10, 4, 2, 0, 0));
  const revealAt = new Date(Date.UTC(2026, 10, 4, 1, 0, 0));
  let s: TestServer;
  let op: TestClient;
  let orgId: number;
  const experts: number[] = [];
  const drawIds: number[] = [];

  before(async () => {
    s = await startTestServer({ clock });
    op = await s.as('operator');
    orgId = (await s.tdb.db('organisations').where({ code: 'PU05' }).first('id')).id;
    for (let i = 1; i <= 7; i++) {
      const r = await op.post('/api/experts', { name: `路由专家${i}`, employerName: '阳光大学', region: '330100', title: '高级工程师', phone: `1390002${String(1000 + i)}`, email: `routes${i}@t.example.cn`, specialties: [SPEC] });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      experts.push(r.body.id);
    }
  });
  after(() => s?.stop());

  /** A committee of all seven, for an evaluation `day` days after the first (each its own session). */
  const drawOf7 = (day: number) =>
    op.post('/api/draws', {
      projectRef: `YGCG-ROUTES-00${day + 1}`,
      purchasingOrgId: orgId,
      supplierIds: [],
      groups: [{ specialty: SPEC, count: 7 }],
      evaluationAt: new Date(evaluationAt.getTime() + day * DAY).toISOString(),
      evaluationPlace: '采购中心第2评标室',
      revealAt: new Date(revealAt.getTime() + day * DAY).toISOString(),
    });
  const refused = (r: { status: number; body: any }) => expect([r.status, r.body.error?.code, r.body.error?.details?.needed]).to.deep.equal([422, 'POOL_TOO_SMALL', 7]);

  it('cancelling a leave puts the expert back in the pool and off the on-leave list', async () => {
    const [e1, e2] = experts;
    const leave = await op.post(`/api/experts/${e1}/leaves`, { startsAt: clock.now().toISOString(), endsAt: new Date(evaluationAt.getTime() + 12 * HOUR).toISOString(), reason: '出国访学' });
    expect(leave.status).to.equal(201);
    const leaveId = leave.body.id as number;
    // Six of seven are eligible: a committee of seven cannot be drawn.
    refused(await drawOf7(0));
    expect((await op.get('/api/experts?onLeave=true&pageSize=200')).body.items.map((x: any) => x.id)).to.include(e1);

    expect((await op.post(`/api/experts/${e2}/leaves/${leaveId}/cancel`)).status).to.equal(404); // another expert's leave
    expect((await (await s.as('expert')).post(`/api/experts/${e1}/leaves/${leaveId}/cancel`)).status).to.equal(403);
    const cancelled = await op.post(`/api/experts/${e1}/leaves/${leaveId}/cancel`);
    expect(cancelled.status).to.equal(204);
    const detail = (await op.get(`/api/experts/${e1}`)).body;
    expect(detail.leaves[0]).to.include({ id: leaveId, current: false, reason: '出国访学' });
    expect(detail.leaves[0].cancelledAt).to.equal(clock.now().toISOString());
    expect((await op.get('/api/experts?onLeave=true&pageSize=200')).body.items.map((x: any) => x.id)).to.not.include(e1);
    const again = await op.post(`/api/experts/${e1}/leaves/${leaveId}/cancel`);
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'ALREADY_CANCELLED']);
    expect(await s.tdb.db('audit_events').where({ action: 'expert.leave_cancelled', entity_id: String(e1) }).first()).to.exist;
    // All seven again: the committee is drawn.
    const draw = await drawOf7(0);
    expect(draw.status, JSON.stringify(draw.body)).to.equal(201);
    drawIds.push(draw.body.id);
  });

  it('withdrawing a declared conflict puts the expert back in the pool: the draw of seven goes ahead', async () => {
    const e2 = experts[1];
    const conflict = await op.post(`/api/experts/${e2}/conflicts`, { orgId, relation: 'former_employer', note: '2024年前在该单位任职' });
    expect(conflict.status).to.equal(201);
    const conflictId = conflict.body.id as number;
    refused(await drawOf7(2));
    expect((await (await s.as('expert')).post(`/api/experts/${e2}/conflicts/${conflictId}/withdraw`)).status).to.equal(403);
    const withdrawn = await op.post(`/api/experts/${e2}/conflicts/${conflictId}/withdraw`);
    expect(withdrawn.status).to.equal(204);
    const c = (await op.get(`/api/experts/${e2}`)).body.conflicts.find((x: any) => x.id === conflictId);
    expect(c).to.include({ orgId, relation: 'former_employer' });
    expect(c.withdrawnAt).to.equal(clock.now().toISOString());
    const again = await op.post(`/api/experts/${e2}/conflicts/${conflictId}/withdraw`);
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'ALREADY_WITHDRAWN']);
    const draw = await drawOf7(2);
    expect(draw.status, JSON.stringify(draw.body)).to.equal(201);
    expect(draw.body.status).to.equal('sealed');
    drawIds.push(draw.body.id);
    expect(await s.tdb.db('audit_events').where({ action: 'expert.conflict_withdrawn', entity_id: String(e2) }).first()).to.exist;
  });

  it('lists the public draw records without a login, newest first and paged, never who was drawn', async () => {
    const anon = s.client();
    const [first, second] = drawIds;
    const total = Number((await s.tdb.db('draws').count({ n: '*' }).first())!.n);
    const r = await anon.get('/api/public/draws');
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ total, page: 1, pageSize: 20 });
    const ids = r.body.items.map((d: any) => d.id);
    expect(ids).to.deep.equal([...ids].sort((a: number, b: number) => b - a));
    expect(ids.indexOf(second)).to.be.lessThan(ids.indexOf(first));
    expect(r.body.items.find((d: any) => d.id === first)).to.deep.equal({ id: first, projectRef: 'YGCG-ROUTES-001', status: 'sealed', totalCount: 7, revealAt: revealAt.toISOString(), createdAt: clock.now().toISOString() });
    const page1 = await anon.get('/api/public/draws?page=1&pageSize=1');
    expect(page1.body.items.map((d: any) => d.id)).to.deep.equal([ids[0]]);
    expect(page1.body.total).to.equal(total);
    expect((await anon.get('/api/public/draws?pageSize=500')).status).to.equal(400);
    // Nothing in the listing names an expert, before or after the reveal.
    expect(JSON.stringify(r.body)).to.not.match(/expert|路由专家/i);
    clock.set(revealAt.getTime() + 1000);
    while ((await s.platform.scheduler.runDue()) > 0);
    const after = (await anon.get('/api/public/draws')).body.items;
    expect(after.find((d: any) => d.id === first).status).to.equal('revealed');
    expect(after.find((d: any) => d.id === second).status).to.equal('sealed');
    expect(Object.keys(after.find((d: any) => d.id === first)).sort()).to.deep.equal(['createdAt', 'id', 'projectRef', 'revealAt', 'status', 'totalCount']);
    expect(JSON.stringify(after)).to.not.match(/expert|路由专家/i);
  });
});
