// Tendering routes no other suite called with success (or only the demo-seed or a browser suite
// did): a supplier withdraws its sealed bid before the deadline, the operator links a revealed draw
// made under another reference as the tender's committee, the public list of tenders, and the
// document templates.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { TENDER_RULES } from '../../server/execution/tendering/rules';
import { DEMO_PASSWORD, ensureExpertUsers, ensureSupplierUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe(`tendering routes: bid withdrawal, committee from a draw (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0)); // Monday 09:00 in Beijing
  let s: TestServer;
  let orgId: number;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let experts: Array<{ userId: number; expertId: number; username: string }>;

  before(async () => {
    s = await startTestServer({ clock });
    ({ suppliers, experts } = await withTx(s.tdb.db, async (tx) => ({ suppliers: await ensureSupplierUsers(tx, clock, 2), experts: await ensureExpertUsers(tx, clock, 5) })));
    // A specialty no seeded expert has, so a draw's pool is exactly these five.
    await s.tdb.db('expert_specialties').insert(experts.map((e) => ({ expert_id: e.expertId, category_code: 'B' })));
    orgId = (await s.tdb.db('organisations').where({ code: 'PU01' }).first('id')).id;
  });
  after(() => s?.stop());

  async function draftTender(title: string) {
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderBy('code').first('code')).code;
    const created = await op.post('/api/tenders', { title, kind: 'goods', categoryCode: category, purchasingOrgId: orgId, budgetFen: 150_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '采购设备一批', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return created.body as { id: number };
  }
  async function publishTender(title: string) {
    const op = await s.as('operator');
    const created = { body: await draftTender(title) };
    const published = await op.post(`/api/tenders/${created.body.id}/publish`);
    expect(published.status, JSON.stringify(published.body)).to.equal(200);
    return published.body as { id: number; reference: string; bidDeadline: string };
  }
  const submit = async (c: TestClient, tenderId: number, supplierId: number, priceFen: number) => {
    const sealed = sealBid({ tenderId, supplierId, priceFen, responses: { 'r-spec': '满足', 'r-delivery': '30天', 'r-warranty': '三年' }, attachments: [] }, { keyHex: randomHex(32) });
    const r = await c.post(`/api/tenders/${tenderId}/bids`, { envelope: sealed.envelope, digest: sealed.digest });
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    return r.body as { bidId: number; receiptNo: string };
  };

  it('a supplier withdraws its sealed bid before the deadline: the envelope is gone, the receipt stays, and it may bid again', async () => {
    const t = await publishTender('投标撤回测试');
    const [a, b] = [await s.as(suppliers[0].username), await s.as(suppliers[1].username)];
    const receipt = await submit(a, t.id, suppliers[0].supplierId, 120_000_000);
    const w = await a.post(`/api/tenders/${t.id}/bids/withdraw`);
    expect(w.status, JSON.stringify(w.body)).to.equal(200);
    expect(w.body).to.include({ receiptNo: receipt.receiptNo, status: 'withdrawn' });
    const row = await s.tdb.db('tender_bids').where({ id: receipt.bidId }).first();
    expect(row.status).to.equal('withdrawn');
    expect(row.envelope).to.equal(null);
    expect(row.withdrawn_at).to.not.equal(null);
    const mine = await a.get(`/api/tenders/${t.id}/bids/mine`);
    expect(mine.body.items.map((x: any) => [x.receiptNo, x.status])).to.deep.equal([[receipt.receiptNo, 'withdrawn']]);
    // nothing left to withdraw, for it or for a supplier that never bid; the audit carries no price
    expect((await a.post(`/api/tenders/${t.id}/bids/withdraw`)).body.error.code).to.equal('NO_BID');
    expect((await b.post(`/api/tenders/${t.id}/bids/withdraw`)).body.error.code).to.equal('NO_BID');
    const ev = await s.tdb.db('audit_events').where({ action: 'bid.withdrawn', entity_id: String(t.id) }).first();
    expect(JSON.parse(ev.after_json)).to.include({ bidId: receipt.bidId, supplierId: suppliers[0].supplierId, receiptNo: receipt.receiptNo });
    expect(ev.after_json).to.not.contain('120000000');
    const again = await submit(a, t.id, suppliers[0].supplierId, 118_000_000);
    expect(again.receiptNo).to.not.equal(receipt.receiptNo);
    expect((await a.get(`/api/tenders/${t.id}/bids/mine`)).body.items.map((x: any) => x.status)).to.deep.equal(['sealed', 'withdrawn']);
  });

  it('the operator takes the committee from a revealed draw made under another reference', async () => {
    const t = await publishTender('评标委员会关联测试');
    const op = await s.as('operator');
    const revealAt = new Date(new Date(t.bidDeadline).getTime() - 2 * HOUR);
    const draw = await op.post('/api/draws', { projectRef: 'YGCG-2026-LINK-01', purchasingOrgId: orgId, supplierIds: [], groups: [{ specialty: 'B', count: 5 }], evaluationAt: new Date(revealAt.getTime() + HOUR).toISOString(), evaluationPlace: '采购中心第3评标室', revealAt: revealAt.toISOString() });
    expect(draw.status, JSON.stringify(draw.body)).to.equal(201);
    const drawId = draw.body.id as number;
    for (const e of experts) {
      const me = s.client();
      expect((await me.login(e.username, DEMO_PASSWORD)).status).to.equal(200);
      const inv = (await me.get('/api/my/invitations')).body.items.find((i: any) => i.drawId === drawId);
      expect(inv, e.username).to.exist;
      expect((await me.post(`/api/my/invitations/${inv.id}/accept`)).status).to.equal(200);
    }
    // sealed: nothing to link yet
    expect((await op.post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) })).body.error.code).to.equal('DRAW_NOT_REVEALED');
    clock.set(revealAt.getTime());
    while ((await s.platform.scheduler.runDue()) > 0);
    await new Promise((r) => setTimeout(r, 200)); // after-commit hooks of the reveal
    // Made under another reference, the draw is not taken by the tender on its own.
    expect(await s.tdb.db('tender_committee').where({ tender_id: t.id })).to.deep.equal([]);
    const op2 = await s.as('operator');
    const linked = await op2.post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) });
    expect(linked.status, JSON.stringify(linked.body)).to.equal(201);
    const ids = experts.map((e) => e.expertId).sort((x, y) => x - y);
    expect([...linked.body.expertIds].sort((x: number, y: number) => x - y)).to.deep.equal(ids);
    expect(linked.body).to.include({ tenderId: t.id });
    expect(ids).to.include(linked.body.chairExpertId);
    const rows = await s.tdb.db('tender_committee').where({ tender_id: t.id });
    expect(rows.map((r: any) => Number(r.expert_id)).sort((x: number, y: number) => x - y)).to.deep.equal(ids);
    expect(rows.every((r: any) => r.source === 'draw' && r.source_ref === String(drawId))).to.equal(true);
    expect(await s.tdb.db('audit_events').where({ action: 'tender.committee.linked', entity_id: String(t.id) }).first()).to.exist;
    expect((await op2.post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) })).body.error.code).to.equal('COMMITTEE_EXISTS');
    expect((await (await s.as(suppliers[0].username)).post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) })).status).to.equal(403);
  });

  it('lists published tenders on the portal without a login, newest first and paged, never a draft', async () => {
    const published = await publishTender('门户列表测试');
    const draft = await draftTender('门户列表草稿');
    const anon = s.client();
    const r = await anon.get('/api/portal/tenders');
    expect(r.status).to.equal(200);
    const notDraft = Number((await s.tdb.db('tenders').whereNot('status', 'draft').count({ n: '*' }).first())!.n);
    expect(r.body).to.include({ total: notDraft, page: 1, pageSize: 50 });
    expect(r.body.items.map((x: any) => x.id)).to.deep.equal([...r.body.items.map((x: any) => x.id)].sort((a: number, b: number) => b - a));
    const mine = r.body.items[0];
    expect(mine).to.include({ id: published.id, reference: published.reference, title: '门户列表测试', kind: 'goods', status: 'active', budgetFen: 150_000_000 });
    expect(mine.tenderPeriod.endDate).to.equal(published.bidDeadline);
    expect(Object.keys(mine).sort()).to.deep.equal(['budgetFen', 'id', 'kind', 'openingAt', 'reference', 'status', 'tenderPeriod', 'title']);
    expect(draft.id).to.be.greaterThan(published.id);
    expect(r.body.items.map((x: any) => x.id)).to.not.include(draft.id);
    const second = await anon.get('/api/portal/tenders?page=2&pageSize=1');
    expect(second.body.items.map((x: any) => x.id)).to.deep.equal([r.body.items[1].id]);
  });

  it('serves the standard templates and the legal rules they are checked against to the procurement centre and supervisors', async () => {
    for (const who of ['operator', 'supervisor']) {
      const r = await (await s.as(who)).get('/api/tender-templates');
      expect(r.status, who).to.equal(200);
      expect(r.body.templates).to.deep.equal(JSON.parse(JSON.stringify(TEMPLATES)));
      expect(r.body.rules).to.deep.equal(JSON.parse(JSON.stringify(TENDER_RULES)));
    }
    // one template per kind of procurement (the tests above publish tenders built from the goods one)
    expect(Object.keys(TEMPLATES).sort()).to.deep.equal(['goods', 'services', 'works']);
    expect((await (await s.as(suppliers[0].username)).get('/api/tender-templates')).status).to.equal(403);
  });
});
