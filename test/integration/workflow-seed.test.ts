// The workflow's demo data: every state a requisition, project, contract and payment request can be in.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { verifyChain } from '../../server/supervision/audit/audit';
import { STAGES } from '../../server/core/projects/state-machine';
import { METHODS } from '../../server/core/methods/rules';

describe(`workflow demo seed (${TEST_DIALECT})`, function () {
  this.timeout(120000);
  let s: TestServer;
  before(async () => {
    // The whole city: bidders registered for each category, committees of experts in it.
    s = await startTestServer({ seed: 'city' });
    // As on first start: module seeds run before the scheduler does (the real-clock scheduler
    // would otherwise run the story's past jobs under the story's feet).
    s.platform.scheduler.stop();
    await s.platform.modules.find((m) => m.name === 'workflow')!.seedDemo!();
    await s.platform.scheduler.start();
  });
  after(async () => s?.stop());

  it('covers every requisition, project, contract and payment state, and every method', async () => {
    const db = s.tdb.db;
    const col = async (table: string, c: string) => new Set((await db(table).distinct(c)).map((r: any) => r[c]));
    expect([...(await col('requisitions', 'status'))]).to.include.members(['draft', 'submitted', 'returned', 'approved', 'rejected', 'cancelled']);
    const stages = await col('procurement_projects', 'stage');
    expect([...stages]).to.include.members([...STAGES]);
    expect([...(await col('procurement_projects', 'method'))]).to.include.members([...METHODS]);
    expect([...(await col('contracts', 'status'))]).to.include.members(['drafted', 'purchaser_signed', 'signed', 'accepted']);
    expect([...(await col('payment_requests', 'status'))]).to.include.members(['requested', 'accepted', 'rejected', 'paid']);
    expect([...(await col('approval_steps', 'status'))]).to.include.members(['pending', 'waiting', 'approved', 'rejected', 'returned', 'skipped']);
    expect([...(await col('project_challenges', 'status'))]).to.include.members(['open', 'dismissed']);
    expect(await db('requisitions').where({ split_suspected: true }).first()).to.exist;
    expect(await db('audit_events').where({ action: 'requisition.split_suspected' }).first()).to.exist;
    expect(await db('audit_events').where({ action: 'step.overdue', entity_type: 'approval_step' }).first()).to.exist;
    expect(await db('audit_events').where({ action: 'step.overdue', entity_type: 'project' }).first()).to.exist;
    const money = await db('budget_lines').sum({ f: 'frozen_fen', sp: 'spent_fen' }).first();
    expect(Number(money!.f)).to.be.greaterThan(0);
    expect(Number(money!.sp)).to.be.greaterThan(0);
    expect((await verifyChain(db)).intact).to.equal(true);
  });

  it('shows an invitational tender in each stage, its draws sealed and revealed (and verifying), a prequalification with applications', async () => {
    const db = s.tdb.db;
    const stages = (await db('procurement_projects').where({ method: 'invitational_tender' }).pluck('stage')) as string[];
    expect(stages).to.include.members(['documents_prepared', 'prequalification', 'suppliers_invited', 'bidding_open', 'closed']);
    expect((await db('supplier_draws').pluck('status')) as string[]).to.include.members(['sealed', 'revealed']);
    const revealed = await db('supplier_draws').where({ status: 'revealed' }).first('id');
    expect((await s.client().get(`/api/public/supplier-draws/${revealed.id}/verify`)).body.ok).to.equal(true);
    expect(await db('prequalification_applications').count({ n: '*' }).first().then((r: any) => Number(r.n))).to.be.at.least(2);
    // The invited demo suppliers' bids are in the open invitational tender.
    const open = await db('procurement_projects').where({ method: 'invitational_tender', stage: 'bidding_open' }).first('id');
    expect(await db('tender_bids as b').join('tenders as t', 't.id', 'b.tender_id').where('t.project_id', open.id).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(2);
  });

  it('lets the demo approver, finance and operator find work in their inboxes', async () => {
    for (const u of ['approver', 'finance', 'operator']) {
      const c = await s.as(u);
      const inbox = await c.get('/api/approvals/inbox');
      expect(inbox.body.total, u).to.be.greaterThan(0);
    }
    const op = await s.as('operator');
    expect((await op.get('/api/projects/deadlines')).body.items.length).to.be.greaterThan(0);
    expect((await op.get('/api/projects/cycle-times')).body.items.length).to.be.greaterThan(0);
  });
});
