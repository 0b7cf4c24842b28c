// Competitive consultation, requisition to payment, through the HTTP API by the roles that run
// it, and the rules: the 10-day first-response period at several dates, fewer than the minimum
// responses (and the configured 2-supplier exception), a document change reaching every
// remaining supplier and only them, and sealed final quotations nobody reads before the opening.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { createDrawService } from '../../server/execution/draws/service';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureExpertUsers, ensureSupplierUsers } from '../../server/execution/tendering/demo-users';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { tenderView } from '../../server/supervision/sources/tables-source';
import { shortBiddingPeriod } from '../../server/supervision/rules/platform';
import { cast, raise, approveAll, item, ok, contractToPayment, relogin, type Cast } from './workflow-helpers';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

describe(`competitive consultation (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const T0 = Date.UTC(2026, 2, 2, 1, 0, 0); // Monday 2 March 2026, 09:00 in Beijing
  const clock = new ManualClock(T0);
  let s: TestServer;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let experts: Array<{ userId: number; expertId: number; username: string }>;
  let orgId: number;
  let servicesCategory: string;

  before(async () => {
    s = await startTestServer({ clock });
    ({ suppliers, experts } = await withTx(s.tdb.db, async (tx) => ({ suppliers: await ensureSupplierUsers(tx, clock, 5), experts: await ensureExpertUsers(tx, clock, 6) })));
    // A specialty only these experts have: the draw's pool is exactly them.
    await s.tdb.db('expert_specialties').insert(experts.map((e) => ({ expert_id: e.expertId, category_code: 'B' })));
    orgId = (await s.tdb.db('users').where({ username: 'purchaser' }).first('org_id')).org_id;
    // A services category no seeded supplier serves: the supplier draw's pool is exactly suppliers 0-3.
    servicesCategory = (await s.tdb.db('catalogue_categories as c').where({ kind: 'services' }).whereNotExists(s.tdb.db('supplier_categories as sc').whereRaw('sc.category_code = c.code').select('sc.supplier_id')).orderBy('code').first('code')).code;
    await s.tdb.db('supplier_categories').insert(suppliers.slice(0, 4).map((x) => ({ supplier_id: x.supplierId, category_code: servicesCategory })));
  });
  after(() => s?.stop());

  const op = () => s.as('operator');
  const as = (u: string) => s.as(u);
  const body = (over: Record<string, unknown> = {}) => {
    const tpl = TEMPLATES.services;
    return {
      title: '物业管理服务竞争性磋商',
      kind: 'services',
      categoryCode: servicesCategory,
      purchasingOrgId: orgId,
      budgetFen: 80_000_000,
      priceWeight: tpl.priceWeight,
      smeDeductionPct: tpl.smeDeductionPct,
      description: '办公楼物业管理服务一年，需求在磋商中细化',
      requirements: tpl.requirements,
      qualifications: tpl.qualifications,
      criteria: tpl.criteria,
      invitation: 'draw',
      responseDeadline: new Date(clock.now().getTime() + 10 * DAY).toISOString(),
      ...over,
    };
  };
  /** A draft, its suppliers invited by the supplier draw (all of the pool but `exclude`). */
  const draft = async (over: Record<string, unknown> = {}, exclude: number[] = []) => {
    const c = await ok((await op()).post('/api/consultations', body(over)), 201);
    if (c.invitation === 'draw') {
      const drawn = await ok((await op()).post(`/api/consultations/${c.id}/invitations`, { count: 4 - exclude.length, excludeSupplierIds: exclude }));
      expect(drawn.supplierDraw.commitment).to.match(/^[0-9a-f]{64}$/);
    }
    return c;
  };
  const respond = async (i: number, id: number, text = `第${i}家供应商的首次响应`) => (await as(suppliers[i].username)).post(`/api/consultations/${id}/responses`, { text });
  const runDue = async () => {
    while ((await s.platform.scheduler.runDue()) > 0);
  };

  it('checks the documents on the tender templates\' rules: services price weight 10-30 %, weights to 100', async () => {
    const heavy = await (await op()).post('/api/consultations', body({ priceWeight: 40, criteria: [{ key: 'price', name: 'Price', kind: 'price', weight: 40 }, { key: 'plan', name: 'Plan', kind: 'technical', weight: 60 }] }));
    expect(heavy.status).to.equal(422);
    expect(heavy.body.error.code).to.equal('PRICE_WEIGHT_OUT_OF_RANGE');
    expect(heavy.body.error.details.violations[0].source).to.match(/Order No\. 87/);
    const sme = await (await op()).post('/api/consultations', body({ smeDeductionPct: 25 }));
    expect(sme.body.error.code).to.equal('SME_DEDUCTION_OUT_OF_RANGE');
    const rules = await ok((await op()).get('/api/consultation-rules'));
    expect(rules.firstResponseDays.value).to.equal(10);
    expect(rules.firstResponseDays.source).to.match(/Finance Treasury \[2014\] No\. 214 art\. 10/);
    expect(rules.exceptionMinSuppliers.source).to.match(/\[2015\] No\. 124/);
  });

  it('refuses documents issued less than 10 days (or 5 working days) before the first-response deadline, at several dates', async () => {
    // An ordinary week; the Spring Festival (holiday 15-23 February 2026) and National Day, when ten
    // days hold fewer than 5 working days (art. 10: documents available 5 working days); a late evening.
    const cases: Array<[number, string | null]> = [
      [T0, null],
      [Date.UTC(2026, 1, 13, 2, 0, 0), '2026-02-27T02:00:00.000Z'],
      [Date.UTC(2026, 8, 28, 8, 30, 0), '2026-10-10T08:30:00.000Z'],
      [Date.UTC(2026, 10, 20, 15, 59, 0), null],
    ];
    for (const [at, workingDaysEnd] of cases) {
      clock.set(at);
      const short = await draft({ responseDeadline: new Date(at + 10 * DAY - MIN).toISOString() });
      const r = await (await op()).post(`/api/consultations/${short.id}/issue`);
      expect(r.status, new Date(at).toISOString()).to.equal(422);
      expect(r.body.error.code).to.equal('RESPONSE_PERIOD_TOO_SHORT');
      expect(r.body.error.details.violations[0].source).to.match(/No\. 214 art\. 10/);
      expect((await s.tdb.db('consultations').where({ id: short.id }).first('status')).status).to.equal('draft'); // nothing written
      const tenDays = await draft({ responseDeadline: new Date(at + 10 * DAY).toISOString() });
      const ten = await (await op()).post(`/api/consultations/${tenDays.id}/issue`);
      if (workingDaysEnd) {
        expect(ten.status, new Date(at).toISOString()).to.equal(422);
        expect(ten.body.error.code).to.equal('DOCUMENTS_PERIOD_TOO_SHORT');
        expect(ten.body.error.details.violations[0].details.earliestDeadline).to.equal(workingDaysEnd);
        const later = await draft({ responseDeadline: workingDaysEnd });
        expect((await ok((await op()).post(`/api/consultations/${later.id}/issue`))).status).to.equal('issued');
        await ok((await op()).post(`/api/consultations/${later.id}/cancel`, { reason: 'test' }));
      } else {
        expect(ten.status, JSON.stringify(ten.body)).to.equal(200);
        await ok((await op()).post(`/api/consultations/${tenDays.id}/cancel`, { reason: 'test' }));
      }
    }
    clock.set(T0);
  });

  it('moves the first-response deadline when a change comes less than 5 days before it (art. 10)', async () => {
    const c = await draft();
    await ok((await op()).post(`/api/consultations/${c.id}/issue`));
    clock.set(new Date(c.responseDeadline).getTime() - 3 * DAY);
    const change = await ok((await op()).post(`/api/consultations/${c.id}/changes`, { summary: '澄清', body: '服务期限由一年改为两年。' }), 201);
    expect(change.responseDeadline).to.equal(new Date(clock.now().getTime() + 5 * DAY).toISOString());
    const after = await ok((await op()).get(`/api/consultations/${c.id}`));
    expect(after.responseDeadline).to.equal(change.responseDeadline);
    // A supplier responding afterwards receives the change to acknowledge.
    expect((await respond(0, c.id)).status).to.equal(201);
    const mine = await ok((await as(suppliers[0].username)).get(`/api/consultations/${c.id}`));
    expect(mine.changes).to.have.length(1);
    expect(mine.changes[0]).to.include({ sent: true, acknowledgedAt: null });
    await ok((await op()).post(`/api/consultations/${c.id}/cancel`, { reason: 'test' }));
    clock.set(T0);
  });

  it('needs at least 3 invited suppliers, and fails with fewer than 3 first responses at the deadline', async () => {
    const few = await (await op()).post('/api/consultations', body());
    const inv = await (await op()).post(`/api/consultations/${few.body.id}/invitations`, { count: 2 });
    expect(inv.status).to.equal(422);
    expect(inv.body.error.code).to.equal('TOO_FEW_INVITED');
    const c = await draft();
    await ok((await op()).post(`/api/consultations/${c.id}/issue`));
    expect((await respond(0, c.id)).status).to.equal(201);
    expect((await respond(1, c.id)).status).to.equal(201);
    // Not invited: refused.
    expect((await respond(4, c.id)).body.error.code).to.equal('NOT_INVITED_TO_CONSULTATION');
    const early = await (await op()).post(`/api/consultations/${c.id}/close-responses`);
    expect(early.body.status).to.equal('issued'); // before the deadline nothing closes
    clock.set(new Date(c.responseDeadline).getTime());
    expect((await respond(2, c.id)).body.error.code).to.equal('RESPONSE_DEADLINE_PASSED');
    await runDue();
    const after = await ok((await op()).get(`/api/consultations/${c.id}`));
    expect(after.status).to.equal('failed');
    expect(after.failureReason).to.equal('TOO_FEW_RESPONSES');
    const ev = await s.tdb.db('audit_events').where({ action: 'consultation.failed', entity_id: String(c.id) }).first('after_json');
    expect(JSON.parse(ev.after_json)).to.include({ responses: 2, minimum: 3 });
    expect((await s.tdb.db('consultation_suppliers').where({ consultation_id: c.id }).whereNotNull('response_text')).length).to.equal(0);
    clock.set(T0);
  });

  it('continues with 2 responses under the configured exception (Finance Treasury [2015] No. 124)', async () => {
    const c = await draft({ exception: 'services_2015_124' }, [suppliers[3].supplierId]);
    expect(c.minSuppliers).to.equal(2);
    await ok((await op()).post(`/api/consultations/${c.id}/issue`));
    await respond(0, c.id);
    await respond(1, c.id);
    clock.set(new Date(c.responseDeadline).getTime());
    await runDue();
    const after = await ok((await op()).get(`/api/consultations/${c.id}`));
    expect(after.status).to.equal('consulting');
    expect(after.rules.minSuppliers.source).to.match(/\[2015\] No\. 124/);
    expect(after.suppliers.map((x: any) => x.status).sort()).to.deep.equal(['consulting', 'consulting']);
    // A draw requested under another reference is linked by hand once revealed.
    clock.set(new Date(c.responseDeadline).getTime() + DAY);
    const db = s.tdb.db;
    const draws = createDrawService({ sealKey: s.config.secrets.sealKey, scheduler: s.platform.scheduler, clock });
    const revealAt = new Date(clock.now().getTime() + HOUR);
    const draw = await withTx(db, (tx) => draws.requestDraw(tx, systemActor('test', clock), { projectRef: 'ANOTHER-REF-1', purchasingOrgId: orgId, supplierIds: [], groups: [{ specialty: 'B', count: 5 }], evaluationPlace: '磋商室', evaluationAt: new Date(revealAt.getTime() + HOUR), revealAt }));
    for (const e of experts) {
      const invitation = (await draws.myInvitations(db, e.expertId)).find((i) => i.drawId === draw.id);
      if (invitation) await withTx(db, (tx) => draws.respond(tx, { userId: e.userId, role: 'expert', requestId: null, ip: null, clock }, e.expertId, invitation.id, 'accept'));
    }
    const early = await (await op()).post(`/api/consultations/${c.id}/team/from-draw`, { drawId: String(draw.id) });
    expect(early.body.error.code).to.equal('DRAW_NOT_REVEALED');
    clock.set(revealAt.getTime());
    await runDue();
    const linked = await ok((await op()).post(`/api/consultations/${c.id}/team/from-draw`, { drawId: String(draw.id) }));
    expect(linked.expertIds).to.have.length(5);
    expect((await (await op()).post(`/api/consultations/${c.id}/team/from-draw`, { drawId: String(draw.id) })).body.error.code).to.equal('TEAM_EXISTS');
    clock.set(T0);
  });

  /** A requisition asking for consultation, approved: a project in documents_prepared. */
  const consultationProject = async (c: Cast) => {
    const req = await raise(c, [item(servicesCategory, 1, 700_000)], { requestedMethod: 'competitive_consultation', methodRequestReason: '服务需求需与供应商磋商后确定' });
    expect(req.method).to.equal('competitive_consultation');
    return approveAll(c, req.id);
  };

  /** The team from a real sealed expert draw requested for the consultation, revealed. */
  const drawTeam = async (c: { id: number; reference: string }, projectId: number | null) => {
    const db = s.tdb.db;
    const draws = createDrawService({ sealKey: s.config.secrets.sealKey, scheduler: s.platform.scheduler, clock });
    const revealAt = new Date(clock.now().getTime() + 2 * HOUR);
    const draw = await withTx(db, (tx) => draws.requestDraw(tx, systemActor('test', clock), { projectRef: c.reference, projectId, purchasingOrgId: orgId, supplierIds: [], groups: [{ specialty: 'B', count: 5 }], evaluationPlace: '市政府采购中心磋商室 2', evaluationAt: new Date(revealAt.getTime() + HOUR), revealAt }));
    for (const e of experts) {
      const invitation = (await draws.myInvitations(db, e.expertId)).find((i) => i.drawId === draw.id);
      if (invitation) await withTx(db, (tx) => draws.respond(tx, { userId: e.userId, role: 'expert', requestId: null, ip: null, clock }, e.expertId, invitation.id, 'accept'));
    }
    clock.set(revealAt.getTime());
    await runDue();
    let team: Array<{ expert_id: number }> = [];
    for (let i = 0; i < 200 && team.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50)); // the link runs after the reveal commits
      team = await db('consultation_team').where({ consultation_id: c.id });
    }
    expect(team).to.have.length(5);
    return { drawId: draw.id, members: experts.filter((e) => team.some((t) => Number(t.expert_id) === e.expertId)) };
  };

  it('runs a consultation from requisition to payment: rounds, a change to every remaining supplier, sealed final quotations, scoring, award', async () => {
    const db = s.tdb.db;
    clock.set(T0);
    const c0 = await cast(s);
    const projectId = await consultationProject(c0);
    const fourth = suppliers.slice(0, 4);
    const c = await draft({ projectId, budgetFen: 70_000_000 });
    // Who was invited is sealed until the first-response deadline, even to the operator.
    const sealedList = await (await op()).get(`/api/consultations/${c.id}`);
    expect(sealedList.body.suppliers).to.deep.equal([]);
    expect(c.purchasingOrgId).to.equal(Number((await db('procurement_projects').where({ id: projectId }).first('org_id')).org_id));
    const issued = await ok((await op()).post(`/api/consultations/${c.id}/issue`));
    expect(issued.status).to.equal('issued');
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('responses_open');
    // A supplier not invited sees nothing; an invited one sees its own part only.
    expect((await (await as(suppliers[4].username)).get(`/api/consultations/${c.id}`)).status).to.equal(404);
    const mine0 = await ok((await as(fourth[0].username)).get(`/api/consultations/${c.id}`));
    expect(mine0.viewer).to.equal('supplier');
    expect(mine0).to.not.have.property('suppliers');
    for (const i of [0, 1, 2, 3]) expect((await respond(i, c.id, `响应-${i}-保密内容`)).status).to.equal(201);
    // Before the deadline not even the operator sees who responded.
    const opView = await ok((await op()).get(`/api/consultations/${c.id}`));
    expect(opView.suppliers.every((x: any) => x.response === null)).to.equal(true);

    clock.set(new Date(c.responseDeadline).getTime());
    await runDue();
    expect((await ok((await op()).get(`/api/consultations/${c.id}`))).status).to.equal('consulting');
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('negotiation');
    const { members } = await drawTeam(c, projectId);
    const team = async (i = 0) => as(members[i].username);
    const teamView = await ok((await team()).get(`/api/consultations/${c.id}`));
    expect(teamView.viewer).to.equal('team');
    expect(teamView.suppliers.find((x: any) => x.supplierId === fourth[2].supplierId).response).to.equal('响应-2-保密内容');

    // Rounds with each supplier separately; a supplier sees only its own minutes.
    for (const sup of fourth) await ok((await team()).post(`/api/consultations/${c.id}/rounds`, { supplierId: sup.supplierId, minutes: `与供应商${sup.supplierId}磋商服务标准` }), 201);
    const theirs = await ok((await as(fourth[1].username)).get(`/api/consultations/${c.id}`));
    expect(theirs.rounds).to.have.length(1);
    expect(theirs.rounds[0].minutes).to.equal(`与供应商${fourth[1].supplierId}磋商服务标准`);
    // The team ends one supplier's part; the change then goes to the three remaining, all at once.
    await ok((await team()).post(`/api/consultations/${c.id}/eliminations`, { supplierId: fourth[3].supplierId, reason: '响应文件未实质性响应服务范围' }));
    const notOnTeam = await (await as(experts.find((e) => !members.includes(e))!.username)).post(`/api/consultations/${c.id}/rounds`, { supplierId: fourth[0].supplierId, minutes: 'x' });
    expect(notOnTeam.body.error.code).to.equal('NOT_ON_TEAM');
    const change = await ok((await team(1)).post(`/api/consultations/${c.id}/changes`, { summary: '保洁频次调整为每日两次', body: '服务标准第3条变更为：每日两次保洁。' }), 201);
    expect(change.sentTo).to.equal(3);
    const acks = await db('consultation_change_acks').where({ change_id: change.changeId }).orderBy('supplier_id');
    expect(acks.map((a: any) => Number(a.supplier_id))).to.deep.equal(fourth.slice(0, 3).map((x) => x.supplierId).sort((a, b) => a - b));
    const gone = await ok((await as(fourth[3].username)).get(`/api/consultations/${c.id}`));
    expect(gone.changes).to.have.length(0);
    expect(gone.me.status).to.equal('eliminated');
    const notice = (await ok((await as(fourth[0].username)).get(`/api/consultations/${c.id}`))).changes;
    expect(notice).to.have.length(1);
    expect(notice[0].acknowledgedAt).to.equal(null);

    // Final quotations wait for every acknowledgement.
    const fqDeadline = new Date(clock.now().getTime() + 2 * DAY).toISOString();
    const waiting = await (await op()).post(`/api/consultations/${c.id}/final-quotations`, { deadline: fqDeadline });
    expect(waiting.status).to.equal(409);
    expect(waiting.body.error.code).to.equal('CHANGES_NOT_ACKNOWLEDGED');
    expect(waiting.body.error.details.pending).to.have.length(3);
    for (const sup of fourth.slice(0, 3)) await ok((await as(sup.username)).post(`/api/consultations/${c.id}/changes/${change.changeId}/acknowledge`));
    const called = await ok((await op()).post(`/api/consultations/${c.id}/final-quotations`, { deadline: fqDeadline }));
    expect(called.status).to.equal('final_quotation');
    const tenderId = called.tenderId as number;
    const tender = await ok((await op()).get(`/api/tenders/${tenderId}`));
    expect(tender.procedure).to.equal('competitive_consultation');

    // Sealed final quotations, as tender bids: the eliminated and the uninvited may not quote.
    const keys = [randomHex(32), randomHex(32), randomHex(32)];
    const prices = [62_000_000, 58_000_000, 65_000_000];
    const seal = (i: number, supplierId: number, priceFen: number) => sealBid({ tenderId, supplierId, priceFen, responses: { 'r-scope': `最后报价-${i}`, 'r-staff': '12人', 'r-sla': '2小时响应' }, attachments: [] }, { keyHex: keys[i] ?? randomHex(32) });
    for (const [i, sup] of fourth.slice(0, 3).entries()) {
      const q = seal(i, sup.supplierId, prices[i]);
      const r = await (await as(sup.username)).post(`/api/tenders/${tenderId}/bids`, { envelope: q.envelope, digest: q.digest });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    const out = seal(3, fourth[3].supplierId, 1_000_000);
    expect((await (await as(fourth[3].username)).post(`/api/tenders/${tenderId}/bids`, { envelope: out.envelope, digest: out.digest })).body.error.code).to.equal('NOT_IN_CONSULTATION');
    expect((await (await as(suppliers[4].username)).get(`/api/tenders/${tenderId}`)).status).to.equal(404);
    const list4 = await ok((await as(suppliers[4].username)).get('/api/tenders?pageSize=100'));
    expect(list4.items.some((t: any) => t.id === tenderId)).to.equal(false);
    // Before the opening: the team cannot read them (refused and audited), the database holds ciphertext only.
    const peek = await (await team()).get(`/api/tenders/${tenderId}/evaluation`);
    expect(peek.status).to.equal(409);
    expect(await db('audit_events').where({ action: 'sealed.read_attempt', entity_id: String(tenderId) }).first()).to.exist;
    const stored = await db('tender_bids').where({ tender_id: tenderId });
    expect(stored.every((b: any) => b.price_fen === null && b.opened_json === null)).to.equal(true);
    expect(JSON.stringify(stored)).to.not.include('最后报价-0');

    // The opening: all together, each supplier hands in its own key.
    clock.set(new Date(fqDeadline).getTime());
    await runDue();
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('evaluation');
    for (const [i, sup] of fourth.slice(0, 3).entries()) {
      clock.advance(MIN);
      await ok((await as(sup.username)).post(`/api/tenders/${tenderId}/opening/key`, { key: keys[i] }));
    }
    const opened = await ok((await op()).get(`/api/tenders/${tenderId}`));
    expect(opened.status).to.equal('evaluation');

    // The team scores on the documents' criteria; the price score is computed (base price / price × weight).
    const ev = await ok((await team()).get(`/api/tenders/${tenderId}/evaluation`));
    const nonPrice = ev.criteria.filter((k: any) => k.kind !== 'price');
    for (const m of members) {
      const cl = await as(m.username);
      for (const b of ev.bids) {
        const scores = Object.fromEntries(nonPrice.map((k: any) => [k.key, Math.round(k.weight * 0.8)]));
        await ok(cl.request('PUT', `/api/tenders/${tenderId}/evaluation/bids/${b.bidId}/scores`, { compliance: Object.fromEntries(ev.qualifications.map((q: any) => [q.key, true])), scores }));
      }
      await ok(cl.post(`/api/tenders/${tenderId}/evaluation/submit`));
    }
    const rep = await ok((await team()).get(`/api/tenders/${tenderId}/evaluation`));
    expect(rep.status).to.equal('report_confirmation');
    const low = rep.bids.reduce((a: any, b: any) => (a.evaluatedPriceFen <= b.evaluatedPriceFen ? a : b));
    for (const b of rep.bids) expect(b.priceScore).to.be.closeTo((low.evaluatedPriceFen / b.evaluatedPriceFen) * ev.priceWeight, 0.001);
    for (const m of members) await ok((await as(m.username)).post(`/api/tenders/${tenderId}/evaluation/confirm`, { reportSha256: rep.report.sha256 }));
    // The unit awards; the award notice and the challenge period follow as for tenders.
    await relogin(c0);
    const awarded = await ok(c0.operator.post(`/api/tenders/${tenderId}/award`, {}));
    expect(awarded.status).to.equal('awarded');
    const cv = await ok((await op()).get(`/api/consultations/${c.id}`));
    expect(cv.stage).to.equal('awarded');
    expect(cv.team.every((m: any) => typeof m.name === 'string')).to.equal(true); // names public with the result
    expect((await db('procurement_projects').where({ id: projectId }).first('stage')).stage).to.equal('award_notice');
    // The result notice says 成交 (a consultation's deal), with the final quotations and the team.
    const result = await db('notices').where({ source_type: 'tender', source_id: String(tenderId), kind: 'award' }).first('title_zh', 'body_zh', 'title_en');
    expect(result.title_zh).to.include('竞争性磋商成交结果公告');
    expect(result.body_zh).to.include('成交供应商：').and.include('成交金额：').and.include('最后报价').and.include('磋商小组成员：');
    expect(result.title_en).to.match(/^Consultation result /);
    // Award notice and challenge period run by the workflow jobs; then contract, acceptance, payment.
    for (let i = 0; i < 30 && (await db('procurement_projects').where({ id: projectId }).first('stage')).stage !== 'contract'; i++) {
      clock.advance(DAY);
      await runDue();
    }
    await relogin(c0);
    const winnerId = Number((await db('tender_bids').where({ id: awarded.awardedBidId }).first('supplier_id')).supplier_id);
    const winner = fourth.find((x) => x.supplierId === winnerId)!;
    const winnerClient: TestClient = await as(winner.username);
    await contractToPayment(s, { ...c0, supplier: winnerClient }, projectId);

    // Every step is on the audit trail of the consultation.
    const actions = (await db('audit_events').where({ entity_type: 'consultation', entity_id: String(c.id) }).orderBy('seq').select('action')).map((r: { action: string }) => r.action);
    for (const a of ['consultation.drafted', 'consultation.suppliers_invited', 'consultation.issued', 'consultation.response_submitted', 'consultation.responses_closed', 'consultation.team_linked', 'consultation.round_recorded', 'consultation.supplier_eliminated', 'consultation.change_issued', 'consultation.change_acknowledged', 'consultation.final_quotations_called']) expect(actions, a).to.include(a);
  });

  it('supervision sees the consultation period (SV02): 10 days is lawful, shorter is flagged', async () => {
    const db = s.tdb.db;
    const t = await db('tenders').where({ procedure: 'competitive_consultation' }).orderBy('id', 'desc').first('id');
    const v = (await tenderView(db, String(t.id)))!;
    expect(v.method).to.equal('competitive_consultation');
    const th = { minimumDays: { public_tender: 20, competitive_consultation: 10 }, minimumWorkingDays: {} };
    expect(shortBiddingPeriod(v, th)).to.have.length(0);
    const shorter = { ...v, periodEnd: new Date(Date.parse(v.periodStart!) + 9 * DAY).toISOString() };
    const f = shortBiddingPeriod(shorter, th);
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ minimum: 10 });
  });
});
