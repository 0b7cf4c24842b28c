import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { verifyChain } from '../../server/supervision/audit/audit';

describe(`consultation demo data (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'city' });
    // As on first start: module seeds run before the scheduler does.
    s.platform.scheduler.stop();
    await s.platform.modules.find((m) => m.name === 'consultation')!.seedDemo!();
    await s.platform.scheduler.start();
  });
  after(() => s?.stop());

  it('has a consultation in each stage the demo shows, with an intact audit chain', async () => {
    const c = await s.as('operator');
    const list = await c.get('/api/consultations?pageSize=50');
    expect(list.status).to.equal(200);
    const stages = list.body.items.map((i: { stage: string }) => i.stage).sort();
    expect(stages).to.deep.equal(['awarded', 'consulting', 'draft', 'failed', 'final_quotation', 'issued']);
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
  });

  it('leaves the demo supplier a response to give and a final quotation to seal, the demo expert a team to sit on, and runs one from its requisition', async () => {
    const sup = await s.as('supplier');
    const mine = (await sup.get('/api/consultations?pageSize=50')).body.items;
    expect(mine.some((i: { stage: string }) => i.stage === 'issued')).to.equal(true); // by public notice: open to every supplier
    const fq = mine.find((i: { stage: string }) => i.stage === 'final_quotation');
    const d = (await sup.get(`/api/consultations/${fq.id}`)).body;
    expect(d.tenderId).to.be.a('number');
    expect((await sup.get(`/api/tenders/${d.tenderId}/bids/mine`)).body.items).to.have.length(0);
    const ex = await s.as('expert');
    const team = (await ex.get('/api/consultations?pageSize=50')).body.items;
    const consulting = team.find((i: { stage: string }) => i.stage === 'consulting');
    const view = (await ex.get(`/api/consultations/${consulting.id}`)).body;
    expect(view.viewer).to.equal('team');
    expect(view.changes[0].acks.filter((a: { acknowledgedAt: string | null }) => a.acknowledgedAt === null)).to.have.length(1);
    const awarded = await s.tdb.db('consultations').where({ status: 'final_quotation' }).whereNotNull('project_id').first('project_id');
    const project = await s.tdb.db('procurement_projects').where({ id: awarded.project_id }).first('method', 'stage');
    expect(project.method).to.equal('competitive_consultation');
    expect(['award_notice', 'challenge_period', 'contract']).to.include(project.stage);
  });
});
