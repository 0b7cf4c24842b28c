// The demo city's framework agreements: one in each first-stage state and, within the agreement in
// force, an order of each kind, all made through the services; their OCDS records validate.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ocdsValidators } from '../../server/supervision/ocds/validate';

describe(`framework-agreement demo data (${TEST_DIALECT})`, function () {
  this.timeout(600000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(() => s?.stop());

  it('has agreements in each first-stage state and orders of each kind', async () => {
    const list = (await s.client().get('/api/portal/framework-agreements')).body as Array<{ ref: string; status: string }>;
    expect(list.map((a) => a.status).sort()).to.deep.equal(['active', 'calling', 'entries_published', 'evaluation', 'failed']);
    const operator = await s.as('operator');
    expect(((await operator.get('/api/framework-agreements')).body as Array<{ status: string }>).map((a) => a.status)).to.include('draft');
    const active = list.find((a) => a.status === 'active')!;
    const detail = (await s.client().get(`/api/portal/framework-agreements/${active.ref}`)).body;
    expect(detail.entries.length).to.be.at.least(2);
    const orders = await s.tdb.db('framework_orders as o').join('procurement_projects as p', 'p.id', 'o.project_id').where('o.agreement_id', detail.id).select('o.mode', 'p.stage', 'o.auction_id');
    expect(orders.map((o: any) => o.mode).sort()).to.deep.equal(['competition', 'direct', 'rotation']);
    expect(orders.find((o: any) => o.mode === 'direct').stage).to.equal('payment');
    expect(orders.find((o: any) => o.mode === 'rotation').stage).to.equal('contract');
    const comp = orders.find((o: any) => o.mode === 'competition');
    expect((await s.tdb.db('auctions').where({ id: comp.auction_id }).first('status')).status).to.equal('announced');
    // The demo supplier sees the agreement waiting for its signature.
    const supplier = await s.as('supplier');
    const waiting = ((await supplier.get('/api/framework-agreements')).body as Array<{ id: number; status: string; mine: boolean }>).find((a) => a.status === 'entries_published')!;
    expect(waiting.mine).to.equal(true);
    const mine = (await supplier.get(`/api/framework-agreements/${waiting.id}`)).body;
    expect(mine.entries.find((e: any) => e.rank === 1).signedAt).to.equal(null);
    // Their home pages point at the work: the supplier's signature, the unit's order waiting (none: the demo placed them).
    const work = ((await supplier.get('/api/home')).body.items as Array<{ key: string; count: number; href: string }>).find((i) => i.key === 'supplier.framework.sign')!;
    expect(work).to.include({ count: 1, href: `/framework-agreements/${waiting.id}` });
    const purchaser = await s.as('purchaser');
    expect(((await purchaser.get('/api/home')).body.items as Array<{ key: string; count: number }>).find((i) => i.key === 'purchaser.framework.order')).to.include({ count: 0 });
  });

  it('publishes every agreement and its orders as valid OCDS records', async () => {
    const v = ocdsValidators();
    for (const a of await s.tdb.db('framework_agreements').whereNot({ status: 'draft' }).select('ref')) {
      const rec = await s.client().get(`/api/ocds/records/ocds-ygcg01-${a.ref}`);
      expect(rec.status, a.ref).to.equal(200);
      expect(v.recordPackage(rec.body), JSON.stringify(v.recordPackage.errors)).to.equal(true);
    }
  });
});
