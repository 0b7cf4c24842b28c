// Invitational tender, requisition to payment: the unit asks for it with a reason, the centre
// draws the invited suppliers (commitment published, list sealed), only invited suppliers see the
// documents and bid, the list and the draw open when the bids close (and verify), then the tender
// flow as it is: opening, evaluation, award, challenge period, contract, acceptance, payment.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { foldProcess } from '../../server/supervision/sources/event-contract';
import { shortBiddingPeriod } from '../../server/supervision/rules/platform';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureExpertUsers, ensureSupplierUsers } from '../../server/execution/tendering/demo-users';
import { linkCommittee } from '../../server/execution/tendering/evaluation/committee';
import type { TenderingDeps } from '../../server/execution/tendering/deps';
import { DAY, approveAll, cast, contractToPayment, advance, item, ok, raise, relogin, type Cast } from './workflow-helpers';

const MIN = 60_000;

describe(`invitational tender: requisition to payment (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0)); // Monday 09:00 in Beijing
  let s: TestServer;
  let c: Cast;
  let deps: TenderingDeps;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let experts: Array<{ userId: number; expertId: number; username: string }>;
  let category: string;

  before(async () => {
    s = await startTestServer({ clock });
    const p = s.platform;
    deps = { db: s.tdb.db, clock, scheduler: p.scheduler, realtime: p.realtime, log: { debug() {}, info() {}, warn() {}, error() {} }, config: s.config };
    ({ suppliers, experts } = await withTx(s.tdb.db, async (tx) => ({ suppliers: await ensureSupplierUsers(tx, clock, 6), experts: await ensureExpertUsers(tx, clock, 6) })));
    c = await cast(s);
    // The category's qualified suppliers in the library are exactly these six.
    category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderByRaw('length(code) desc').orderBy('code').first('code')).code;
    await s.tdb.db('supplier_categories').where({ category_code: category }).delete();
    await s.tdb.db('supplier_categories').insert(suppliers.map((x) => ({ supplier_id: x.supplierId, category_code: category })));
  });
  after(() => s?.stop());

  const op = () => s.as('operator');
  const as = (i: number) => s.as(suppliers[i].username);
  const submit = async (cl: TestClient, tenderId: number, supplierId: number, priceFen: number) => {
    const sealed = sealBid({ tenderId, supplierId, priceFen, responses: { 'r-spec': 'spec', 'r-delivery': 'delivery', 'r-warranty': 'warranty' }, attachments: [] }, { keyHex: randomHex(32) });
    return { r: await cl.post(`/api/tenders/${tenderId}/bids`, { envelope: sealed.envelope, digest: sealed.digest }), key: sealed.keyHex };
  };

  it('runs from the method request through the sealed invitation draw, bids of the invited only, reveal and verification, to payment', async () => {
    const db = s.tdb.db;
    const [A, B, C, D, E, F] = suppliers;
    // The unit asks for invitational tender with its reason; the approvals pass it.
    const req = await raise(c, [item(category, 1, 2_500_000)], { requestedMethod: 'invitational_tender', methodRequestReason: '仅有少数厂家能提供该型号设备' });
    expect(req.method).to.equal('invitational_tender');
    const projectId = await approveAll(c, req.id);
    const ref = (await db('procurement_projects').where({ id: projectId }).first('ref')).ref;

    // At least 3 invited (rule book); a tender cannot go out before the invitations.
    const few = await (await op()).post(`/api/projects/${projectId}/invitations/draw`, { count: 2 });
    expect(few.status).to.equal(422);
    expect(few.body.error.code).to.equal('TOO_FEW_INVITED');
    expect(few.body.error.details.source).to.include('art. 34');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const body = { title: '邀请招标设备采购', kind: 'goods', categoryCode: category, projectId, budgetFen: 120_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '邀请招标', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline };
    const draft = await ok((await op()).post('/api/tenders', body), 201);
    const early = await (await op()).post(`/api/tenders/${draft.id}/publish`);
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('SUPPLIERS_NOT_INVITED');

    // The draw: F is excluded (declared conflict), five of the remaining five invited.
    const draw = await ok((await op()).post(`/api/projects/${projectId}/invitations/draw`, { count: 5, excludeSupplierIds: [F.supplierId] }), 201);
    expect(draw).to.include({ status: 'sealed', invitedCount: 5, subjectRef: ref, categoryCode: category });
    expect(draw.commitment).to.match(/^[0-9a-f]{64}$/);
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('suppliers_invited');
    // Sealed: the list is refused to everyone (audited), the public record carries the commitment only.
    const list = await (await op()).get(`/api/projects/${projectId}/invitations/list`);
    expect(list.status).to.equal(403);
    expect(list.body.error.code).to.equal('INVITATIONS_SEALED');
    expect(await db('audit_events').where({ action: 'sealed.read_attempt', entity_type: 'project', entity_id: String(projectId) }).first('seq')).to.exist;
    const pub = await ok(s.client().get(`/api/public/supplier-draws/${draw.id}`));
    expect(pub).to.include({ commitment: draw.commitment, secret: null, rounds: null, status: 'sealed' });
    expect((await s.client().get(`/api/public/supplier-draws/${draw.id}/verify`)).status).to.equal(409);
    // The portal carries the seal: commitment and reveal time, no supplier named.
    const sealNotice = await db('notices').where({ source_type: 'supplier_draw', source_id: String(draw.id) }).first();
    expect(sealNotice.body_zh).to.include(draw.commitment).and.include('（北京时间）');
    for (const x of suppliers) expect(sealNotice.body_zh).to.not.include((await db('suppliers').where({ id: x.supplierId }).first('name')).name);
    const summary = await ok((await op()).get(`/api/projects/${projectId}/invitations`));
    expect(summary.invitedCount).to.equal(5);
    const drawn = JSON.parse((await db('audit_events').where({ action: 'supplier_draw.drawn' }).orderBy('seq', 'desc').first('after_json')).after_json);
    expect(drawn).to.include({ invited: 5, excluded: 1, commitment: draw.commitment });
    expect(JSON.stringify(drawn)).to.not.match(/supplierId|"ids"/);

    // Published to the invited only: 20-day period from the rule book; the reveal moves to the deadline.
    const t = await ok((await op()).post(`/api/tenders/${draft.id}/publish`));
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('bidding_open');
    expect((await ok(s.client().get(`/api/public/supplier-draws/${draw.id}`))).revealAt).to.equal(t.bidDeadline);
    const published = JSON.parse((await db('audit_events').where({ action: 'tender.published', entity_id: String(t.id) }).first('after_json')).after_json);
    expect(published.method).to.equal('invitational_tender');
    // Not on the public portal while bids are taken; the uninvited supplier neither lists, reads nor bids.
    expect((await ok(s.client().get('/api/portal/tenders?pageSize=100'))).items.map((x: any) => x.id)).to.not.include(t.id);
    expect((await s.client().get(`/api/portal/tenders/${t.id}`)).status).to.equal(404);
    const f = await as(5);
    expect((await ok(f.get('/api/tenders?pageSize=100'))).items.map((x: any) => x.id)).to.not.include(t.id);
    expect((await f.get(`/api/tenders/${t.id}`)).status).to.equal(404);
    expect((await (await s.as(experts[0].username)).get(`/api/tenders/${t.id}`)).status).to.equal(404); // not (yet) on its committee
    expect((await ok(f.get('/api/my/supplier-invitations'))).items).to.deep.equal([]);
    const refused = await submit(f, t.id, F.supplierId, 90_000_000);
    expect(refused.r.status).to.equal(403);
    expect(refused.r.body.error.code).to.equal('NOT_INVITED');
    // The invited suppliers' to-do lists name the tender to bid in; the uninvited one's does not.
    const homeItem = async (cl: TestClient) => (await ok(cl.get('/api/home'))).items.find((x: any) => x.key === 'supplier.invitations.bid');
    expect(await homeItem(await as(0))).to.include({ count: 1, href: `/tenders/${t.id}`, dueAt: t.bidDeadline });
    expect((await homeItem(f)).count).to.equal(0);
    // Each invited supplier finds its own invitation and the tender to bid in.
    const prices = [95_000_000, 100_000_000, 102_000_000, 98_000_000];
    const keys: string[] = [];
    for (const [i, sup] of [A, B, C, D].entries()) {
      const cl = await as(i);
      const mine = await ok(cl.get('/api/my/supplier-invitations'));
      expect(mine.items).to.have.length(1);
      expect(mine.items[0]).to.include({ subjectType: 'project', subjectId: projectId, projectRef: ref, tenderId: t.id, source: 'draw' });
      expect((await cl.get(`/api/tenders/${t.id}`)).status).to.equal(200);
      const { r, key } = await submit(cl, t.id, sup.supplierId, prices[i]);
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      keys.push(key);
      expect((await homeItem(cl)).count).to.equal(0); // bid: nothing left to do
    }
    expect((await ok((await as(4)).get('/api/my/supplier-invitations'))).items).to.have.length(1); // E invited, does not bid

    // The bids close: the draw is revealed (the job at the deadline), verifiable by anyone; the opening starts.
    clock.set(new Date(t.bidDeadline).getTime());
    while ((await s.platform.scheduler.runDue()) > 0);
    await relogin(c);
    const revealed = await ok(s.client().get(`/api/public/supplier-draws/${draw.id}`));
    expect(revealed.status).to.equal('revealed');
    expect(revealed.rounds[0].pool[0].ids).to.deep.equal([A, B, C, D, E].map((x) => x.supplierId).sort((x, y) => x - y));
    expect([...revealed.rounds[0].result[0]].sort((x: number, y: number) => x - y)).to.deep.equal([A, B, C, D, E].map((x) => x.supplierId).sort((x, y) => x - y));
    const resultNotice = await db('notices').where({ source_type: 'supplier_draw_result', source_id: String(draw.id) }).first();
    for (const x of [A, B, C, D, E]) expect(resultNotice.body_zh).to.include((await db('suppliers').where({ id: x.supplierId }).first('name')).name);
    const check = await ok(s.client().get(`/api/public/supplier-draws/${draw.id}/verify`));
    expect(check).to.include({ ok: true, commitmentOk: true });
    const named = await ok((await op()).get(`/api/projects/${projectId}/invitations/list`));
    expect(named.items.map((x: any) => x.supplierId)).to.deep.equal([A, B, C, D, E].map((x) => x.supplierId).sort((x, y) => x - y));

    // The opening: each bidder hands in its key; then the committee, scoring, report, award.
    expect((await ok((await op()).get(`/api/tenders/${t.id}`))).status).to.equal('opening');
    for (const [i] of [A, B, C, D].entries()) {
      clock.advance(MIN);
      const k = await (await as(i)).post(`/api/tenders/${t.id}/opening/key`, { key: keys[i] });
      expect(k.status, JSON.stringify(k.body)).to.equal(200);
    }
    expect((await ok((await op()).get(`/api/tenders/${t.id}`))).status).to.equal('evaluation');
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('evaluation');
    await withTx(db, (tx) => linkCommittee(deps, tx, { userId: null, role: 'system:test', requestId: null, ip: null, clock }, t.id, experts.slice(0, 5).map((e) => ({ expertId: e.expertId })), { source: 'direct', sourceRef: 'test' }));
    const ex = await Promise.all(experts.slice(0, 5).map((e) => s.as(e.username)));
    const view = await ok(ex[0].get(`/api/tenders/${t.id}/evaluation`));
    const checks = Object.fromEntries(tpl.qualifications.map((q) => [q.key, true]));
    for (const e of ex) {
      for (const b of view.bids) await ok(e.request('PUT', `/api/tenders/${t.id}/evaluation/bids/${b.bidId}/scores`, { compliance: checks, scores: { technical: 34, service: 18, experience: 8 } }));
      await ok(e.post(`/api/tenders/${t.id}/evaluation/submit`));
    }
    const ev = await ok(ex[1].get(`/api/tenders/${t.id}/evaluation`));
    expect(ev.bids.find((b: any) => b.rank === 1).supplierId).to.equal(A.supplierId);
    for (const e of ex) await ok(e.post(`/api/tenders/${t.id}/evaluation/confirm`, { reportSha256: ev.report.sha256 }));
    const award = await ok((await s.as('purchaser')).post(`/api/tenders/${t.id}/award`, {}));
    expect(award).to.include({ status: 'awarded', awardAmountFen: prices[0] });
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('award_notice');
    // SV02 sees a 21-day invitational-tender period: above its 20-day minimum, no finding.
    const events = await db('audit_events').where({ entity_type: 'tender', entity_id: String(t.id) }).orderBy('seq').select('seq', 'occurred_at', 'actor_id', 'actor_role', 'action', 'entity_type', 'entity_id', 'after_json', 'ip');
    const view2 = foldProcess(`project:${t.id}`, events);
    expect(view2.method).to.equal('invitational_tender');
    expect(shortBiddingPeriod(view2, { minimumDays: { invitational_tender: 20 }, minimumWorkingDays: {} })).to.deep.equal([]);
    expect(shortBiddingPeriod(view2, { minimumDays: { invitational_tender: 22 }, minimumWorkingDays: {} })).to.have.length(1);
    // After the award the tender is on the portal as a selective procedure.
    const release = await ok(s.client().get(`/api/portal/tenders/${t.id}`));
    expect(release.tender).to.include({ procurementMethod: 'selective' });

    // Challenge period, contract, acceptance, payment as for any tender (the winner is the demo supplier).
    expect(A.username).to.equal('supplier');
    await advance(s, 16 * DAY);
    await contractToPayment(s, c, projectId);
  });

  it('invites by prequalification: the notice runs 5 working days, the centre qualifies applicants, the qualified are invited sealed', async () => {
    const db = s.tdb.db;
    await relogin(c);
    const req = await raise(c, [item(category, 1, 800_000)], { requestedMethod: 'invitational_tender', methodRequestReason: '公开招标费用与项目价值不相称' });
    const projectId = await approveAll(c, req.id);
    const now = clock.now();
    // Friday-to-Monday counts working days (calendar): 3 calendar days are not 5 working days.
    const short = await c.operator.post(`/api/projects/${projectId}/prequalification`, { deadlineAt: new Date(now.getTime() + 3 * DAY).toISOString(), conditions: '具备同类设备供货业绩' });
    expect(short.status).to.equal(422);
    expect(short.body.error.code).to.equal('PREQUALIFICATION_PERIOD_TOO_SHORT');
    const deadline = short.body.error.details.earliestDeadline;
    const opened = await ok(c.operator.post(`/api/projects/${projectId}/prequalification`, { deadlineAt: deadline, conditions: '具备同类设备供货业绩' }), 201);
    expect(opened.stage).to.equal('prequalification');
    expect(await db('notices').where({ source_type: 'prequalification', source_id: String(projectId) }).first('id')).to.exist;
    const open = await ok((await as(0)).get('/api/prequalifications'));
    expect(open.items.find((x: any) => x.projectId === projectId)).to.include({ applied: false, deadlineAt: deadline });
    for (const i of [0, 1, 2, 3]) await ok((await as(i)).post(`/api/projects/${projectId}/prequalification/apply`, { statement: '我公司具备相关业绩' }), 201);
    expect((await ok((await as(0)).get('/api/prequalifications'))).items.find((x: any) => x.projectId === projectId).applied).to.equal(true);
    expect((await (await as(0)).post(`/api/projects/${projectId}/prequalification/apply`, { statement: '再次申请' })).status).to.equal(409);
    const apps = await ok(c.operator.get(`/api/projects/${projectId}/prequalification/applications`));
    expect(apps.items).to.have.length(4);
    const tooEarly = await c.operator.post(`/api/projects/${projectId}/prequalification/invite`);
    expect(tooEarly.status).to.equal(409); // undecided applications
    for (const [i, a] of apps.items.entries()) await ok(c.operator.post(`/api/projects/${projectId}/prequalification/applications/${a.supplierId}/decision`, i === 3 ? { qualified: false, reason: '无同类业绩' } : { qualified: true }));
    const beforeDeadline = await c.operator.post(`/api/projects/${projectId}/prequalification/invite`);
    expect(beforeDeadline.body.error.code).to.equal('PREQUALIFICATION_OPEN');
    clock.set(new Date(deadline).getTime());
    await relogin(c);
    const invited = await ok(c.operator.post(`/api/projects/${projectId}/prequalification/invite`));
    expect(invited.invited).to.equal(3);
    expect((await ok(c.operator.get(`/api/projects/${projectId}`))).stage).to.equal('suppliers_invited');
    expect((await c.operator.get(`/api/projects/${projectId}/invitations/list`)).status).to.equal(403);
    const mine = await ok((await as(1)).get('/api/my/supplier-invitations'));
    expect(mine.items.map((x: any) => [x.subjectId, x.source])).to.deep.include([projectId, 'prequalification']);
    const rejected = await ok((await as(3)).get('/api/my/supplier-invitations'));
    expect(rejected.items.map((x: any) => x.subjectId)).to.not.include(projectId);
  });
});
