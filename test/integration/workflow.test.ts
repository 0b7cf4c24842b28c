// The whole path from requisition to payment, for every method, with the legal guards.
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { DAY, YUAN, advance, relogin, approveAll, cast, contractToPayment, item, line, ok, raise, type Cast, startWorkflowServer } from './workflow-helpers';

describe(`workflow: requisition to payment (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  it('public tender: freeze, chain, 20-day period, opening, award re-freeze, challenge period, contract, acceptance, payment', async () => {
    const l0 = await line(c);
    const req = await raise(c, [item('C1603', 1, 2_500_000)]);
    expect(req.status).to.equal('submitted');
    expect(req.method).to.equal('public_tender');
    expect(req.approvals.map((a: any) => a.status)).to.deep.equal(['pending', 'waiting', 'waiting']);
    expect((await line(c)).frozenFen).to.equal(l0.frozenFen + 2_500_000 * YUAN);
    const pid = await approveAll(c, req.id);
    let p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p.stage).to.equal('documents_prepared');
    expect(p.path).to.include.members(['notice_published', 'bidding_open', 'opening', 'evaluation', 'award_notice', 'challenge_period', 'contract', 'acceptance', 'payment', 'closed']);

    const now = () => s.clock.now().getTime();
    const short = await c.operator.post(`/api/projects/${pid}/notice`, { deadlineAt: new Date(now() + 19 * DAY).toISOString() });
    expect(short.status).to.equal(422);
    expect(short.body.error.code).to.equal('TENDER_PERIOD_TOO_SHORT');
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('documents_prepared'); // nothing written
    // Out of order: bids cannot be opened before the notice.
    expect((await c.operator.post(`/api/projects/${pid}/opening`, { bidsReceived: 5 })).status).to.equal(409);
    // A purchaser cannot run the procurement centre's steps.
    expect((await c.purchaser.post(`/api/projects/${pid}/notice`, { deadlineAt: new Date(now() + 25 * DAY).toISOString() })).status).to.equal(403);
    const deadlineAt = new Date(now() + 21 * DAY);
    await ok(c.operator.post(`/api/projects/${pid}/notice`, { deadlineAt: deadlineAt.toISOString() }));
    // The tender notice reaches the portal with the deadline in Beijing time.
    const ref = (await s.tdb.db('procurement_projects').where({ id: pid }).first('ref')).ref;
    const tenderNotices = (await s.client().get(`/api/portal/notices?kind=tender&projectRef=${ref}`)).body.items;
    expect(tenderNotices).to.have.length(1);
    const full = (await s.client().get(`/api/portal/notices/${tenderNotices[0].id}`)).body;
    expect(full.bodyZh).to.contain(new Date(deadlineAt.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' '));
    await ok(c.operator.post(`/api/projects/${pid}/documents`, {}));
    const early = await c.operator.post(`/api/projects/${pid}/close`);
    expect(early.body.error.code).to.equal('DEADLINE_NOT_REACHED');
    const desk = await ok(c.operator.get('/api/projects/deadlines'));
    expect(desk.items.some((d: any) => d.projectId === pid && d.stage === 'bidding_open')).to.equal(true);
    await advance(s, 21 * DAY + 1000); // the deadline job opens the bids
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('opening');
    await ok(c.operator.post(`/api/projects/${pid}/opening`, { bidsReceived: 4 }));
    const above = await c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 2_600_000 * YUAN });
    expect(above.body.error.code).to.equal('AWARD_ABOVE_BUDGET');
    const beforeAward = await line(c);
    p = await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 2_300_000 * YUAN }));
    expect(p.stage).to.equal('award_notice');
    expect((await line(c)).frozenFen).to.equal(beforeAward.frozenFen - 200_000 * YUAN); // difference released
    // No contract before the challenge period is over.
    expect((await c.operator.post('/api/contracts', { projectId: pid, terms: 'too early' })).status).to.equal(409);
    await advance(s, 2 * DAY);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('challenge_period');
    await advance(s, 6 * DAY);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('challenge_period'); // 7 working days, not 6 days
    await advance(s, 5 * DAY);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('contract');
    await contractToPayment(s, c, pid);
  });

  it('inquiry: at least 3 working days, at least 3 valid responses, then contract to payment', async () => {
    const req = await raise(c, [item('A02010201', 4, 60_000)]);
    expect(req.method).to.equal('inquiry');
    const pid = await approveAll(c, req.id);
    // Friday → the next Wednesday is 3 working days; Monday is not.
    (s.clock as ManualClock).set(Date.UTC(2026, 2, 27, 2, 0, 0));
    await relogin(c);
    const tooSoon = await c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(Date.UTC(2026, 2, 30, 2, 0, 0)).toISOString() });
    expect(tooSoon.body.error.code).to.equal('RESPONSE_PERIOD_TOO_SHORT');
    await ok(c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(Date.UTC(2026, 3, 1, 2, 0, 0)).toISOString() }));
    await advance(s, 5 * DAY + 1000);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('evaluation');
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 230_000 * YUAN }));
    await advance(s, 16 * DAY);
    await contractToPayment(s, c, pid);
  });

  it('competitive negotiation for services, through payment', async () => {
    const req = await raise(c, [item('C2301', 1, 180_000)]);
    expect(req.method).to.equal('competitive_negotiation');
    const pid = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${pid}/documents`, { deadlineAt: new Date(s.clock.now().getTime() + 7 * DAY).toISOString() }));
    await advance(s, 7 * DAY + 1000);
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 170_000 * YUAN }));
    await advance(s, 16 * DAY);
    await contractToPayment(s, c, pid);
  });

  it('invitational tender and competitive consultation: asked for with a reason, kept with the requisition, routed to their procedures', async () => {
    const noReason = await c.purchaser.post('/api/requisitions', { title: 'Workflow test', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'needed for work', items: [item('C1601', 1, 300_000)], requestedMethod: 'invitational_tender', methodRequestReason: '  ' });
    expect(noReason.status).to.equal(422);
    expect(noReason.body.error.code).to.equal('METHOD_REQUEST_REASON_REQUIRED');
    const inv = await raise(c, [item('C1601', 1, 300_000)], { requestedMethod: 'invitational_tender', methodRequestReason: 'only four makers can supply this system' });
    expect(inv.method).to.equal('invitational_tender');
    const read = await ok(c.purchaser.get(`/api/requisitions/${inv.id}`));
    expect(read.requestedMethod).to.equal('invitational_tender');
    expect(read.methodRequestReason).to.equal('only four makers can supply this system');
    const pid = await approveAll(c, inv.id);
    const p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p.method).to.equal('invitational_tender');
    expect(p.stage).to.equal('documents_prepared');
    const cons = await raise(c, [item('C1601', 1, 300_000)], { requestedMethod: 'competitive_consultation', methodRequestReason: 'requirements to be worked out with suppliers' });
    expect(cons.method).to.equal('competitive_consultation');
  });

  it('single source: needs a justification, published 5 working days, no challenge period', async () => {
    const plain = await raise(c, [item('C1601', 1, 300_000)], { singleSourceReason: '   ' });
    expect(plain.method).to.equal('competitive_negotiation'); // no justification, no single source
    const req = await raise(c, [item('C1601', 1, 300_000)], { singleSourceReason: 'proprietary system, only the original developer can upgrade it' });
    expect(req.method).to.equal('single_source');
    const pid = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${pid}/justification`));
    expect((await c.operator.post(`/api/projects/${pid}/negotiation`, { supplierId: c.supplierId, amountFen: 290_000 * YUAN })).status).to.equal(409);
    await advance(s, 8 * DAY);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('negotiation');
    await ok(c.operator.post(`/api/projects/${pid}/negotiation`, { supplierId: c.supplierId, amountFen: 290_000 * YUAN }));
    await advance(s, 3 * DAY);
    await contractToPayment(s, c, pid);
  });

  it('online price competition for framework goods: awarded through recordAward, through payment', async () => {
    const req = await raise(c, [item('A02010105', 10, 6_000)]);
    expect(req.method).to.equal('online_price_competition');
    const pid = await approveAll(c, req.id);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('competition');
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 4, supplierId: c.supplierId, amountFen: 55_000 * YUAN, sourceRef: 'AUC-1' }));
    await advance(s, 16 * DAY);
    await contractToPayment(s, c, pid);
  });

  it('a tender with fewer than 3 bids fails and releases its money', async () => {
    const l0 = await line(c);
    const req = await raise(c, [item('B07', 1, 4_500_000)]);
    expect(req.method).to.equal('public_tender');
    const pid = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${pid}/notice`, { deadlineAt: new Date(s.clock.now().getTime() + 22 * DAY).toISOString() }));
    await ok(c.operator.post(`/api/projects/${pid}/documents`, {}));
    await advance(s, 23 * DAY);
    const p = await ok(c.operator.post(`/api/projects/${pid}/opening`, { bidsReceived: 2 }));
    expect(p.stage).to.equal('failed');
    expect(p.failureReason).to.match(/TOO_FEW_BIDS/);
    expect((await line(c)).frozenFen).to.equal(l0.frozenFen);
  });

  it('reject releases the freeze, return allows changes and resubmission, and a step is decided exactly once', async () => {
    const l0 = await line(c);
    const a = await raise(c, [item('A02021003', 5, 3_000)]);
    const inbox = await ok(c.approver.get('/api/approvals/inbox'));
    const step = inbox.items.find((i: any) => i.requisitionId === a.id);
    expect((await c.approver.post(`/api/approvals/${step.id}/decision`, { decision: 'reject' })).body.error.code).to.equal('REASON_REQUIRED');
    expect((await c.purchaser.post(`/api/approvals/${step.id}/decision`, { decision: 'approve' })).status).to.equal(403);
    expect((await c.finance.post(`/api/approvals/${step.id}/decision`, { decision: 'approve' })).body.error.code).to.equal('NOT_YOUR_STEP');
    // Concurrent decisions on one step: exactly one wins.
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => c.approver.post(`/api/approvals/${step.id}/decision`, i % 2 ? { decision: 'return', comment: 'add detail' } : { decision: 'approve' })));
    expect(results.filter((r) => r.status === 200)).to.have.length(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'APPROVAL_ALREADY_DECIDED')).to.equal(true);

    const b = await raise(c, [item('A02021003', 5, 3_000)]);
    const stepB = (await ok(c.approver.get('/api/approvals/inbox'))).items.find((i: any) => i.requisitionId === b.id);
    await ok(c.approver.post(`/api/approvals/${stepB.id}/decision`, { decision: 'return', comment: 'state the old printers age' }));
    const returned = await ok(c.purchaser.get(`/api/requisitions/${b.id}`));
    expect(returned.status).to.equal('returned');
    expect(returned.frozenFen).to.equal(0);
    const resub = await ok(c.purchaser.request('PUT', `/api/requisitions/${b.id}`, { title: 'Printers (ages stated)', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'printers are 9 years old', items: [item('A02021003', 4, 3_000)], submit: true }));
    expect(resub.status).to.equal('submitted');
    expect(resub.approvals.filter((x: any) => x.round === 2).map((x: any) => x.status)).to.deep.equal(['pending', 'waiting', 'waiting']);
    await ok(c.purchaser.post(`/api/requisitions/${b.id}/cancel`, { reason: 'no longer needed' }));
    expect((await c.purchaser.post(`/api/requisitions/${b.id}/cancel`, { reason: 'again' })).status).to.equal(409);
    const aNow = await ok(c.purchaser.get(`/api/requisitions/${a.id}`));
    const expectFrozen = aNow.status === 'submitted' ? 15_000 * YUAN : 0;
    expect((await line(c)).frozenFen).to.equal(l0.frozenFen + expectFrozen);
  });

  it('flags a requisition split to stay under the tender threshold, for supervision', async () => {
    const first = await raise(c, [item('C2101', 1, 900_000)]);
    const second = await raise(c, [item('C2101', 1, 900_000)]);
    expect(first.splitSuspected).to.equal(false);
    expect(second.splitSuspected).to.equal(false);
    const third = await raise(c, [item('C2101', 1, 900_000)]);
    expect(third.splitSuspected).to.equal(true);
    const ev = await s.tdb.db('audit_events').where({ action: 'requisition.split_suspected', entity_id: String(third.id) }).first();
    expect(JSON.parse(ev.after_json).relatedRequisitions).to.have.length(2);
    const listed = await ok(c.operator.get('/api/requisitions?splitSuspected=true'));
    expect(listed.items.map((r: any) => r.id)).to.include(third.id);
  });

  it('writes step.overdue when an approval step or the 30-day contract limit passes', async () => {
    const req = await raise(c, [item('A02020800', 2, 4_000)]);
    await advance(s, 5 * DAY);
    const evs = await s.tdb.db('audit_events').where({ action: 'step.overdue', entity_type: 'approval_step' });
    expect(evs.map((e: any) => JSON.parse(e.after_json).requisitionId)).to.include(req.id);
    const r2 = await raise(c, [item('A02010105', 3, 6_000)]);
    const pid = await approveAll(c, r2.id);
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 17_000 * YUAN }));
    await advance(s, 31 * DAY);
    const p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p.stage).to.equal('contract');
    expect(p.stages.at(-1).overdueAt).to.be.a('string');
    const over = await s.tdb.db('audit_events').where({ action: 'step.overdue', entity_type: 'project', entity_id: String(pid) }).first();
    expect(over).to.exist;
    const ct = await ok(c.operator.get('/api/projects/cycle-times'));
    expect(ct.items.some((x: any) => x.method === 'public_tender' && x.stage === 'bidding_open' && x.avgDays >= 20)).to.equal(true);
  });
});

describe(`workflow: challenges to a result (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  async function awarded(amountYuan: number) {
    const req = await raise(c, [item('A02010105', 4, 6_000)]);
    const pid = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: amountYuan * YUAN }));
    return pid;
  }
  const other = async () => (await s.tdb.db('suppliers').where({ status: 'approved' }).whereNot({ id: c.supplierId }).first()).id;

  it('an open challenge holds the contract past the period; dismissing it moves the project on', async () => {
    const pid = await awarded(22_000);
    await advance(s, 2 * DAY);
    const p = await ok(c.operator.post(`/api/projects/${pid}/challenges`, { supplierId: await other(), summary: 'the winning laptops do not meet the battery requirement' }), 201);
    expect(p.challenges).to.have.length(1);
    expect(p.challenges[0].status).to.equal('open');
    await advance(s, 12 * DAY); // the 7 working days are over, but the challenge is open
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).stage).to.equal('challenge_period');
    const chId = p.challenges[0].id;
    const late = await s.tdb.db('audit_events').where({ action: 'step.overdue', entity_type: 'project', entity_id: String(pid) });
    expect(late.map((e: any) => JSON.parse(e.after_json).step)).to.include('challenge_reply');
    const after = await ok(c.operator.post(`/api/projects/${pid}/challenges/${chId}/reply`, { upheld: false, reply: 'the offered model meets the requirement (test report attached)' }));
    expect(after.stage).to.equal('contract');
    expect((await c.operator.post(`/api/projects/${pid}/challenges/${chId}/reply`, { upheld: true, reply: 'again' })).status).to.equal(409);
    // No more challenges once the period is over.
    const tooLate = await c.operator.post(`/api/projects/${pid}/challenges`, { supplierId: await other(), summary: 'too late' });
    expect(tooLate.body.error.code).to.equal('CHALLENGE_PERIOD_OVER');
  });

  it('an upheld challenge annuls the result and releases the money', async () => {
    const before = (await c.purchaser.get(`/api/budget-lines/${c.lineId}`)).body.frozenFen;
    const pid = await awarded(21_000);
    const frozen = (await c.purchaser.get(`/api/budget-lines/${c.lineId}`)).body.frozenFen;
    expect(frozen).to.equal(before + 21_000 * YUAN);
    const filed = await ok(c.supplier.post(`/api/projects/${pid}/challenges`, { supplierId: c.supplierId, summary: 'own challenge for the test' }), 201);
    expect((await c.supplier.post(`/api/projects/${pid}/challenges`, { supplierId: await other(), summary: 'in another name' })).status).to.equal(403);
    const p = await ok(c.operator.post(`/api/projects/${pid}/challenges/${filed.challengeId}/reply`, { upheld: true, reply: 'the evaluation misapplied the scoring rule' }));
    expect(p.stage).to.equal('failed');
    expect(p.failureReason).to.match(/CHALLENGE_UPHELD/);
    expect((await c.purchaser.get(`/api/budget-lines/${c.lineId}`)).body.frozenFen).to.equal(before);
    // After an award, the operator alone cannot declare a failure.
    const pid2 = await awarded(20_000);
    expect((await c.operator.post(`/api/projects/${pid2}/failure`, { reason: 'changed our mind' })).status).to.equal(409);
  });
});
