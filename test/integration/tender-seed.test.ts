import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { verifyChain } from '../../server/supervision/audit/audit';
import { keyForEnvelope } from '../../client/src/views/tendering/sealing';
import { TENDER_STATUSES } from '../../server/execution/tendering/state-machine';

describe(`tendering demo data (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => {
    // The whole city: bidders registered for each category, committees of experts in it.
    s = await startTestServer({ seed: 'city' });
    // As on first start: module seeds run before the scheduler does.
    s.platform.scheduler.stop();
    await s.platform.modules.find((m) => m.name === 'tendering')!.seedDemo!();
    await s.platform.scheduler.start();
  });
  after(() => s?.stop());

  it('has a tender in every state, with an intact audit chain', async () => {
    const statuses = (await s.tdb.db('tenders').select('status')).map((r: { status: string }) => r.status);
    expect([...new Set(statuses)].sort()).to.deep.equal([...TENDER_STATUSES].sort());
    const reasons = (await s.tdb.db('tenders').where({ status: 'failed' }).select('failure_reason')).map((r: { failure_reason: string }) => r.failure_reason);
    expect(reasons.sort()).to.deep.equal(['TOO_FEW_BIDS', 'TOO_FEW_VALID_BIDS']);
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
  });

  it('lets the demo supplier see its sealed bid and decrypt its bid at the running opening with the demo passphrase', async () => {
    const c = await s.as('supplier');
    const list = await c.get('/api/tenders?pageSize=50');
    expect(list.body.items.some((t: any) => t.status === 'draft')).to.equal(false);
    const published = list.body.items.find((t: any) => t.status === 'published');
    const detail = await c.get(`/api/tenders/${published.id}`);
    expect(detail.body.myBids[0]).to.include({ status: 'sealed' });
    const opening = list.body.items.find((t: any) => t.status === 'opening');
    const mine = (await c.get(`/api/tenders/${opening.id}/bids/mine`)).body.items[0];
    const key = keyForEnvelope(mine.envelope, { passphrase: 'Sunshine@2026' });
    const r = await c.post(`/api/tenders/${opening.id}/opening/key`, { key });
    expect(r.body.status).to.equal('decrypted');
    expect((await c.get(`/api/tenders/${opening.id}`)).body.status).to.equal('evaluation'); // every bid resolved
  });

  it('leaves the demo expert a tender to score and a report to confirm, and the purchaser one to award', async () => {
    const e = await s.as('expert');
    const mine = (await e.get('/api/tenders?pageSize=50')).body.items.map((t: any) => t.status);
    expect(mine).to.include.members(['evaluation', 'report_confirmation', 'evaluated', 'awarded']);
    const evalId = (await e.get('/api/tenders?status=evaluation')).body.items.find((t: any) => t.title.includes('物业管理服务')).id;
    const view = await e.get(`/api/tenders/${evalId}/evaluation`);
    expect(view.status).to.equal(200);
    expect(view.body.bids.some((b: any) => b.abnormalStatus === 'explained')).to.equal(true);
    expect(view.body.committee.find((m: any) => m.expertId === view.body.myExpertId).submittedAt).to.equal(null);
    const p = await s.as('purchaser');
    const evaluated = (await p.get('/api/tenders?status=evaluated')).body.items[0];
    expect((await p.post(`/api/tenders/${evaluated.id}/award`, {})).body.status).to.equal('awarded');
    const portal = await s.client().get('/api/portal/tenders?pageSize=50');
    expect(portal.body.total).to.equal(9); // all but the draft
  });
});
