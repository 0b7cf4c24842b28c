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

  it('leaves the demo supplier a change to acknowledge and a response to give, and the demo expert a team to sit on', async () => {
    const sup = await s.as('supplier');
    const mine = (await sup.get('/api/consultations?pageSize=50')).body.items;
    const consulting = mine.find((i: { stage: string }) => i.stage === 'consulting');
    const d = (await sup.get(`/api/consultations/${consulting.id}`)).body;
    expect(d.changes.some((x: { sent: boolean; acknowledgedAt: string | null }) => x.sent && x.acknowledgedAt === null)).to.equal(true);
    expect(mine.some((i: { stage: string }) => i.stage === 'issued')).to.equal(true); // by public notice: open to every supplier
    const ex = await s.as('expert');
    const team = (await ex.get('/api/consultations?pageSize=50')).body.items;
    expect(team.some((i: { stage: string }) => i.stage === 'consulting')).to.equal(true);
  });
});
