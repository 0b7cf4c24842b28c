import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock, toDbTime } from '../../server/db/time';

describe(`expert library (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0));
  let s: TestServer;
  before(async () => (s = await startTestServer({ clock })));
  after(() => s.stop());

  it('enrols an expert with a login, who keeps their own profile, leave and conflicts', async () => {
    const op = await s.as('operator');
    const r = await op.post('/api/experts', { name: '方晓岚', employerName: '阳光大学', region: '330100', title: '教授', phone: '13905710001', email: 'fang@t.example.cn', specialties: ['C1601', 'NOPE'], account: { username: 'fangxl', password: 'Fangxl2026pw' } });
    expect(r.body.error.code).to.equal('UNKNOWN_SPECIALTY');
    const ok = await op.post('/api/experts', { name: '方晓岚', employerName: '阳光大学', region: '330100', title: '教授', phone: '13905710001', email: 'fang@t.example.cn', specialties: ['C1601', 'C1603'], maxEvaluationsPerQuarter: 6, account: { username: 'fangxl', password: 'Fangxl2026pw' } });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(201);
    const me = s.client();
    expect((await me.login('fangxl', 'Fangxl2026pw')).status).to.equal(200);
    const p = await me.get('/api/my/expert');
    expect(p.body).to.include({ name: '方晓岚', maxEvaluationsPerQuarter: 6 });
    expect(p.body.specialties).to.deep.equal(['C1601', 'C1603']);
    expect((await me.request('PATCH', '/api/my/expert', { phone: '13905719999', title: '二级教授' })).body).to.include({ phone: '13905719999', title: '二级教授' });
    const bad = await me.post('/api/my/expert/leaves', { startsAt: '2026-11-10T00:00:00Z', endsAt: '2026-11-09T00:00:00Z', reason: '出差' });
    expect(bad.body.error.code).to.equal('LEAVE_PERIOD_EMPTY');
    const leave = await me.post('/api/my/expert/leaves', { startsAt: '2026-11-01T00:00:00Z', endsAt: '2026-11-09T00:00:00Z', reason: '出差' });
    expect(leave.status).to.equal(201);
    const unit = (await s.tdb.db('organisations').where({ code: 'PU03' }).first('id')).id;
    expect((await me.post('/api/my/expert/conflicts', { relation: 'relative', note: 'x' })).body.error.code).to.equal('ONE_PARTY');
    expect((await me.post('/api/my/expert/conflicts', { orgId: unit, relation: 'former_employer', note: '2025年前在该学院任教', until: '2028-07-01T00:00:00Z' })).status).to.equal(201);
    const d = await op.get(`/api/experts/${ok.body.id}`);
    expect(d.body.leaves[0]).to.include({ current: true, reason: '出差' });
    expect(d.body.conflicts[0]).to.include({ orgId: unit, relation: 'former_employer' });
    expect((await op.get('/api/experts?onLeave=true')).body.items.map((x: any) => x.id)).to.include(ok.body.id);
    expect((await me.post(`/api/my/expert/leaves/${leave.body.id}/cancel`)).status).to.equal(204);
    expect((await op.get(`/api/experts/${ok.body.id}`)).body.leaves[0].current).to.equal(false);
    // Another expert cannot reach this expert's record.
    const other = await s.as('expert');
    expect((await other.get(`/api/experts/${ok.body.id}`)).status).to.equal(403);
    expect((await other.post(`/api/my/expert/leaves/${leave.body.id}/cancel`)).status).to.equal(404);
  });

  it('issues a login to an expert enrolled without one', async () => {
    const op = await s.as('operator');
    const e = (await s.tdb.db('experts').whereNull('user_id').orderBy('id').first('id', 'name')) as { id: number; name: string };
    const r = await op.post(`/api/experts/${e.id}/account`, { username: 'newexpert', password: 'Newexpert2026' });
    expect(r.status).to.equal(201);
    expect((await op.post(`/api/experts/${e.id}/account`, { username: 'other1', password: 'Newexpert2026' })).body.error.code).to.equal('HAS_ACCOUNT');
    const me = s.client();
    expect((await me.login('newexpert', 'Newexpert2026')).status).to.equal(200);
    expect((await me.get('/api/my/expert')).body).to.include({ id: e.id, name: e.name });
    expect((await me.get('/api/my/invitations')).body.items).to.deep.equal([]);
  });

  it('suspends and disqualifies with a reason, and keeps one employer on the platform', async () => {
    const op = await s.as('operator');
    const e = (await s.tdb.db('experts').where({ status: 'active' }).orderBy('id').first('id')).id;
    expect((await op.post(`/api/experts/${e}/status`, { status: 'disqualified', reason: '收受财物' })).body).to.include({ status: 'disqualified', statusReason: '收受财物' });
    expect((await op.post(`/api/experts/${e}/status`, { status: 'disqualified', reason: 'x' })).body.error.code).to.equal('STATUS_UNCHANGED');
    const sup = (await s.tdb.db('suppliers').first('id')).id;
    const org = (await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).first('id')).id;
    expect((await op.request('PATCH', `/api/experts/${e}`, { employerOrgId: org })).body).to.include({ employerOrgId: org, employerSupplierId: null });
    expect((await op.request('PATCH', `/api/experts/${e}`, { employerSupplierId: sup })).body).to.include({ employerOrgId: null, employerSupplierId: sup });
  });

  it('rates an evaluation once it has taken place, and averages the rating', async () => {
    let op = await s.as('operator');
    const e = (await s.tdb.db('experts').where({ status: 'active' }).orderBy('id', 'desc').first('id')).id;
    const [v1] = await s.tdb.db('expert_evaluations').insert({ expert_id: e, draw_id: 9001, project_ref: 'P-1', evaluation_at: toDbTime(clock.now().getTime() - 86_400_000), created_at: toDbTime(clock.now()) });
    const [v2] = await s.tdb.db('expert_evaluations').insert({ expert_id: e, draw_id: 9002, project_ref: 'P-2', evaluation_at: toDbTime(clock.now().getTime() + 86_400_000), created_at: toDbTime(clock.now()) });
    expect((await op.post(`/api/expert-evaluations/${v2}/rating`, { score: 4 })).body.error.code).to.equal('EVALUATION_NOT_HELD');
    expect((await op.post(`/api/expert-evaluations/${v1}/rating`, { score: 3.5, comment: '意见简略' })).body).to.deep.equal({ rating: 3.5 });
    expect((await op.post(`/api/expert-evaluations/${v1}/rating`, { score: 5 })).body.error.code).to.equal('ALREADY_RATED');
    clock.advance(2 * 86_400_000);
    op = await s.as('operator'); // the session idled out over two days
    expect((await op.post(`/api/expert-evaluations/${v2}/rating`, { score: 4.5 })).body).to.deep.equal({ rating: 4 });
    const d = await op.get(`/api/experts/${e}`);
    expect(d.body.rating).to.equal(4);
    expect(d.body.evaluations.map((x: any) => x.rating)).to.deep.equal([4.5, 3.5]);
  });
});
