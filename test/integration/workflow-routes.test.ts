// Workflow-body routes no other suite called with success: closing responses by hand after the
// deadline, declaring a project failed, removing a requisition attachment, and the city's own
// holiday days (which move working-day deadlines).
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { DAY, YUAN, approveAll, item, line, ok, raise, relogin, startWorkflowServer, type Cast } from './workflow-helpers';

describe(`workflow routes: close, failure, attachment removal, city holidays (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());
  const clock = () => s.clock as ManualClock;

  it('closes responses by hand once the deadline has passed, then the operator declares the project failed and the money is released', async () => {
    const l0 = await line(c);
    const req = await raise(c, [item('A02010201', 2, 50_000)]);
    expect(req.method).to.equal('inquiry');
    expect((await line(c)).frozenFen).to.equal(l0.frozenFen + 100_000 * YUAN);
    const pid = await approveAll(c, req.id);
    const deadline = clock().now().getTime() + 7 * DAY;
    await ok(c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(deadline).toISOString() }));
    // The clock passes the deadline while the scheduler has not run: the operator closes by hand.
    clock().set(deadline + 60_000);
    await relogin(c);
    expect((await c.purchaser.post(`/api/projects/${pid}/close`)).status).to.equal(403);
    const closed = await ok(c.operator.post(`/api/projects/${pid}/close`));
    expect(closed.stage).to.equal('evaluation');
    const responses = closed.stages.find((st: any) => st.stage === 'responses_open');
    expect(responses.exitedAt).to.be.a('string');
    expect(closed.stages.at(-1)).to.include({ stage: 'evaluation', exitedAt: null });
    // The deadline job, when it runs, finds the project moved on and leaves it there.
    while ((await s.platform.scheduler.runDue()) > 0);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('evaluation');
    expect((await c.operator.post(`/api/projects/${pid}/close`)).body.error.code).to.equal('PROJECT_WRONG_STAGE');

    const before = await line(c);
    const failed = await ok(c.operator.post(`/api/projects/${pid}/failure`, { reason: '有效响应均超出采购需求' }));
    expect(failed.stage).to.equal('failed');
    expect(failed.failureReason).to.equal('有效响应均超出采购需求');
    expect((await line(c)).frozenFen).to.equal(before.frozenFen - 100_000 * YUAN);
    expect((await line(c)).frozenFen).to.equal(l0.frozenFen);
    const ev = await s.tdb.db('audit_events').where({ action: 'project.failed', entity_id: String(pid) }).first();
    expect(JSON.parse(ev.after_json)).to.deep.equal({ reason: '有效响应均超出采购需求' });
    // Failed is final.
    const again = await c.operator.post(`/api/projects/${pid}/failure`, { reason: 'again' });
    expect([again.status, again.body.error.code]).to.deep.equal([409, 'PROJECT_TRANSITION_NOT_ALLOWED']);
  });

  it('removes an attachment from a draft requisition, keeps the others, and audits it', async () => {
    const draft = await ok(c.purchaser.post('/api/requisitions', { title: 'Files to tidy', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'see the files', items: [item('A02021003', 1, 2_000)] }), 201);
    const file = (name: string, text: string) => ({ name, contentType: 'text/plain', contentBase64: Buffer.from(text).toString('base64') });
    await ok(c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, file('需求说明.txt', 'keep me')), 201);
    const both = await ok(c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, file('旧报价.txt', 'remove me')), 201);
    expect(both.attachments.map((a: any) => a.name)).to.deep.equal(['需求说明.txt', '旧报价.txt']);
    const gone = both.attachments[1];
    expect((await c.approver.request('DELETE', `/api/requisitions/${draft.id}/attachments/${gone.sha256}`)).status).to.equal(403);
    const after = await ok(c.purchaser.request('DELETE', `/api/requisitions/${draft.id}/attachments/${gone.sha256}`));
    expect(after.id).to.equal(draft.id);
    expect(after.attachments.map((a: any) => a.name)).to.deep.equal(['需求说明.txt']);
    expect((await c.purchaser.get(`/api/requisitions/${draft.id}/attachments/${gone.sha256}`)).status).to.equal(404);
    const kept = await fetch(`${s.url}/api/requisitions/${draft.id}/attachments/${both.attachments[0].sha256}`, { headers: { cookie: c.purchaser.cookie } });
    expect(await kept.text()).to.equal('keep me');
    const again = await c.purchaser.request('DELETE', `/api/requisitions/${draft.id}/attachments/${gone.sha256}`);
    expect([again.status, again.body.error.code]).to.deep.equal([404, 'ATTACHMENT_NOT_FOUND']);
    const ev = await s.tdb.db('audit_events').where({ action: 'requisition.attachment_removed', entity_id: String(draft.id) }).first();
    expect(JSON.parse(ev.before_json)).to.deep.equal({ name: '旧报价.txt', sha256: gone.sha256 });
    // the draft goes on with the file it kept
    const sent = await ok(c.purchaser.post(`/api/requisitions/${draft.id}/submit`));
    expect(sent.status).to.equal('submitted');
    expect(sent.attachments).to.have.length(1);
  });

  it("a city's own holiday (PUT /api/calendar/:day) is listed and moves a working-day deadline", async () => {
    const req = await raise(c, [item('A02010201', 3, 40_000)]);
    const pid = await approveAll(c, req.id);
    // Friday 27 March 2026, 10:00 in Beijing: Wednesday 1 April is the third working day.
    clock().set(Date.UTC(2026, 2, 27, 2, 0, 0));
    await relogin(c);
    const admin = await s.as('admin');
    expect((await c.operator.request('PUT', '/api/calendar/2026-03-31', { kind: 'holiday', name: '城市纪念日' })).status).to.equal(403);
    const set = await admin.request('PUT', '/api/calendar/2026-03-31', { kind: 'holiday', name: '城市纪念日' });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    expect(JSON.stringify(set.body)).to.contain('2026-03-31').and.contain('城市纪念日');
    const cal = await c.operator.get('/api/calendar');
    expect(cal.status).to.equal(200);
    expect(JSON.stringify(cal.body)).to.contain('2026-03-31').and.contain('城市纪念日');
    const ev = await s.tdb.db('audit_events').where({ action: 'calendar.day_set', entity_id: '2026-03-31' }).first();
    expect(JSON.parse(ev.after_json)).to.include({ kind: 'holiday', name: '城市纪念日' });
    // Tuesday is now a holiday: Wednesday is only the second working day, Thursday the third.
    const wed = await c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(Date.UTC(2026, 3, 1, 2, 0, 0)).toISOString() });
    expect(wed.body.error?.code).to.equal('RESPONSE_PERIOD_TOO_SHORT');
    const thu = await ok(c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(Date.UTC(2026, 3, 2, 2, 0, 0)).toISOString() }));
    expect(thu.stage).to.equal('responses_open');
    // and a working Saturday counts: declared so, Wednesday becomes the third working day again
    await ok(admin.request('PUT', '/api/calendar/2026-03-28', { kind: 'workday', name: '调休上班' }));
    const req2 = await raise(c, [item('A02010201', 3, 40_000)]);
    const pid2 = await approveAll(c, req2.id);
    const wed2 = await ok(c.operator.post(`/api/projects/${pid2}/documents`, { deadlineAt: new Date(Date.UTC(2026, 3, 1, 2, 0, 0)).toISOString() }));
    expect(wed2.stage).to.equal('responses_open');
  });
});
