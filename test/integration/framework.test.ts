// Framework-agreement procurement (MOF Order No. 110) end to end over HTTP: the procurement
// centre's call for entry, sealed responses opened at the deadline, price-priority entry with the
// elimination rule, signatures; then purchasing units' orders by direct selection, rotation and a
// second competition on the live auction engine, each to award, contract, acceptance and payment.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { TestClient } from '../helpers/http';
import { WsClient } from '../helpers/ws';
import { ManualClock } from '../../server/db/time';
import { cookieFor, createBidders, type BidderFixture } from './auction-fixtures';
import { cast, raise, approveAll, line, ok, advance, relogin, DAY, YUAN, WORKFLOW_T0, type Cast } from './workflow-helpers';
import { ocdsValidators } from '../../server/supervision/ocds/validate';
import { sealResponse } from '../../client/src/views/framework/sealing';
import { generateBidKey } from '../../client/src/views/tendering/sealing';

const TABLETS = 'A02010108';
const tablets = (quantity: number, unitYuan: number) => ({ categoryCode: TABLETS, name: '平板电脑', specification: '11 英寸，8G/256G', quantity, unit: '台', unitPriceFen: unitYuan * YUAN });

describe(`framework-agreement procurement (${TEST_DIALECT})`, function () {
  this.timeout(120000);
  const clock = new ManualClock(WORKFLOW_T0);
  let s: TestServer;
  let c: Cast;
  let bidders: BidderFixture[];
  const clients = new Map<number, TestClient>();
  const sockets: WsClient[] = [];
  let agreementId: number;
  let itemId: number;

  before(async () => {
    s = await startTestServer({ clock });
    c = await cast(s);
    bidders = await createBidders(s.tdb.db, clock, 5, { prefix: 'fwk', category: TABLETS });
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await s?.stop();
  });

  async function as(b: BidderFixture) {
    let h = clients.get(b.userId);
    if (!h) {
      h = new TestClient(s.url);
      clients.set(b.userId, h);
    }
    Object.assign(h, await cookieFor(s.platform.sessions, b.userId));
    return h;
  }
  const deadline = () => new Date(WORKFLOW_T0 + 21 * DAY);
  // Keys the suppliers keep (as a key file) from sealing to the opening: agreement:supplier → key.
  const keys = new Map<string, string>();
  /** Seals the response as the browser does and hands in only the envelope and its digest. */
  async function respond(id: number, b: BidderFixture, items: Array<{ itemId: number; unitPriceFen: number }>, statement = '响应全部条件') {
    const sealed = sealResponse({ agreementId: id, supplierId: b.supplierId, statement, items: items.map((i) => ({ ...i, brand: b.brand, model: b.model })) }, { keyHex: generateBidKey() });
    const r = await ok((await as(b)).post(`/api/framework-agreements/${id}/responses`, { envelope: sealed.envelope, digest: sealed.digest }), 201);
    keys.set(`${id}:${b.supplierId}`, sealed.keyHex);
    expect(r.digest).to.equal(sealed.digest);
    return r;
  }
  const handInKey = async (id: number, b: BidderFixture, keyHex = keys.get(`${id}:${b.supplierId}`)!) => (await as(b)).post(`/api/framework-agreements/${id}/responses/key`, { keyHex });
  const call = (over: Record<string, unknown> = {}) => ({
    title: '平板电脑',
    categoryCode: TABLETS,
    evaluationMethod: 'price_priority',
    entryConditions: '具备平板电脑供货能力，提供三年质保',
    secondStageModes: ['direct', 'competition', 'rotation'],
    termStart: '2026-03-24',
    termEnd: '2027-03-23',
    items: [{ categoryCode: TABLETS, name: '平板电脑', specification: '11 英寸，8G/256G', unit: '台', maxPriceFen: 4_000 * YUAN }],
    ...over,
  });

  it('refuses a term longer than the rule book allows and a response period under 20 days', async () => {
    const long = await c.operator.post('/api/framework-agreements', call({ termEnd: '2027-03-24' }));
    expect(long.status, JSON.stringify(long.body)).to.equal(422);
    expect(long.body.error.code).to.equal('TERM_TOO_LONG');
    expect((await c.purchaser.post('/api/framework-agreements', call())).status).to.equal(403);
    const a = await ok(c.operator.post('/api/framework-agreements', call()), 201);
    agreementId = a.id;
    itemId = a.items[0].id;
    expect(a).to.include({ status: 'draft', evaluationMethod: 'price_priority' });
    expect(a.ref).to.match(/^KJXY-2026-\d{4}$/);
    // A draft is the centre's own: suppliers and the public do not see it.
    expect((await (await as(bidders[0])).get(`/api/framework-agreements/${a.id}`)).status).to.equal(404);
    const short = await c.operator.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: new Date(WORKFLOW_T0 + 19 * DAY).toISOString() });
    expect(short.status).to.equal(422);
    expect(short.body.error.code).to.equal('RESPONSE_PERIOD_TOO_SHORT');
    expect(short.body.error.details.source).to.match(/Order No\. 110/);
    const pub = await ok(c.operator.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: deadline().toISOString() }));
    expect(pub.status).to.equal('calling');
    const notices = await ok(s.client().get('/api/portal/notices?pageSize=50'));
    expect(notices.items.some((n: any) => n.titleZh?.includes('框架协议采购征集公告') || n.title?.includes('框架协议采购征集公告'))).to.equal(true);
  });

  it('keeps responses sealed by their suppliers until the deadline; each hands in its key at the opening', async () => {
    const prices = [3_500, 3_600, 3_700, 3_800, 4_100];
    for (const [i, b] of bidders.entries()) expect((await respond(agreementId, b, [{ itemId, unitPriceFen: (prices[i] + 100) * YUAN }])).digest).to.match(/^[0-9a-f]{64}$/);
    // Replaced before the deadline: the last response counts.
    for (const [i, b] of bidders.entries()) await respond(agreementId, b, [{ itemId, unitPriceFen: prices[i] * YUAN }]);
    const plain = await (await as(bidders[0])).post(`/api/framework-agreements/${agreementId}/responses`, { statement: 'x', items: [{ itemId, unitPriceFen: 1, brand: 'x', model: 'y' }] });
    expect(plain.status, 'a response in clear is refused').to.equal(400);
    const row = await s.tdb.db('framework_responses').where({ agreement_id: agreementId, supplier_id: bidders[0].supplierId }).first();
    expect(row.sealed).to.not.include(String(3_500 * YUAN)); // the supplier's envelope, not the price
    expect(JSON.parse(row.sealed)).to.include({ alg: 'AES-256-CBC' });
    const centre = await ok(c.operator.get(`/api/framework-agreements/${agreementId}`));
    expect(centre.responseCount).to.equal(5);
    expect(centre.responses).to.deep.equal([]);
    expect((await ok((await as(bidders[0])).get(`/api/framework-agreements/${agreementId}`))).responseCount).to.equal(null);
    const early = await c.operator.post(`/api/framework-agreements/${agreementId}/open`);
    expect(early.body.error.code).to.equal('DEADLINE_NOT_REACHED');
    expect((await handInKey(agreementId, bidders[0])).body.error.code, 'no key before the opening').to.equal('NOT_IN_OPENING');
    await advance(s, 21 * DAY);
    const late = await respond(agreementId, bidders[0], [{ itemId, unitPriceFen: 3_000 * YUAN }]).catch((e) => e);
    expect(String(late)).to.match(/409/);
    const opening = await ok(c.operator.get(`/api/framework-agreements/${agreementId}`));
    expect(opening.status).to.equal('opening');
    expect(opening.keyWindowEndsAt).to.equal(new Date(deadline().getTime() + 60 * 60_000).toISOString());
    expect(opening.responses).to.deep.equal([]);
    // A wrong key is refused and counted; the response stays sealed; the right one opens it.
    const wrong = await handInKey(agreementId, bidders[0], keys.get(`${agreementId}:${bidders[1].supplierId}`)!);
    expect(wrong.status).to.equal(422);
    expect(wrong.body.error.code).to.equal('WRONG_KEY');
    expect(wrong.body.error.details).to.include({ attemptsUsed: 1, attemptsLeft: 4, maxAttempts: 5 });
    for (const b of bidders.slice(0, 4)) expect((await ok(handInKey(agreementId, b))).status).to.equal('decrypted');
    expect((await handInKey(agreementId, bidders[0])).body.error.code).to.equal('ALREADY_RESOLVED');
    // Opened but not read out: nobody sees a price while a response is still sealed.
    const mid = await s.tdb.db('framework_responses').where({ agreement_id: agreementId, supplier_id: bidders[0].supplierId }).first();
    expect(mid).to.include({ status: 'decrypted', opened_json: null, total_fen: null });
    expect(mid.opened_sealed).to.not.include(String(3_500 * YUAN));
    expect((await ok(c.operator.get(`/api/framework-agreements/${agreementId}`))).status).to.equal('opening');
    // The last key closes the window: every response read out together, then checked.
    expect((await ok(handInKey(agreementId, bidders[4]))).status).to.equal('decrypted');
    const opened = await ok(c.operator.get(`/api/framework-agreements/${agreementId}`));
    expect(opened.status).to.equal('evaluation');
    expect(opened.responses).to.have.length(5);
    expect(opened.responses.map((r: any) => r.totalFen).sort()).to.deep.equal(prices.map((p) => p * YUAN).sort());
    const above = opened.responses.find((r: any) => r.supplierId === bidders[4].supplierId);
    expect(above.valid).to.equal(false);
    expect(above.invalidReason).to.match(/ABOVE_MAX_PRICE/);
  });

  it('enters the cheapest after eliminating at least 20 % and one, publishes them, and activates on the last signature', async () => {
    const ev = await ok(c.operator.post(`/api/framework-agreements/${agreementId}/evaluate`, {}));
    expect(ev.status).to.equal('entries_published');
    // 4 valid responses: max(1, ceil(4 × 20 %)) = 1 eliminated, 3 enter in price order.
    expect(ev.entries.map((e: any) => e.supplierId)).to.deep.equal(bidders.slice(0, 3).map((b) => b.supplierId));
    expect(ev.entries.map((e: any) => e.prices[0].unitPriceFen)).to.deep.equal([3_500 * YUAN, 3_600 * YUAN, 3_700 * YUAN]);
    const portal = await ok(s.client().get(`/api/portal/framework-agreements/${ev.ref}`));
    expect(portal.entries).to.have.length(3);
    expect(portal.responses).to.deep.equal([]);
    const loser = await (await as(bidders[3])).post(`/api/framework-agreements/${agreementId}/sign`);
    expect(loser.body.error.code).to.equal('ENTRY_NOT_SIGNABLE');
    for (const b of bidders.slice(0, 3)) await ok((await as(b)).post(`/api/framework-agreements/${agreementId}/sign`));
    const active = await ok((await as(bidders[0])).get(`/api/framework-agreements/${agreementId}`));
    expect(active.status).to.equal('active');
    expect(active.myResponse).to.include({ rank: 1, valid: true });
    const list = await ok((await as(bidders[0])).get('/api/framework-agreements'));
    expect(list.find((x: any) => x.id === agreementId)).to.include({ mine: true, entryCount: 3 });
    // Signed before its term: a requisition of the category is ordered within it once the term starts.
    expect((await raise(c, [tablets(1, 4_000)])).method).to.equal('online_price_competition');
    await advance(s, DAY);
  });

  async function orderProject(quantity = 10) {
    const req = await raise(c, [tablets(quantity, 4_000)]);
    expect(req.method).to.equal('framework_order');
    const pid = await approveAll(c, req.id);
    expect((await ok(c.purchaser.get(`/api/projects/${pid}`))).stage).to.equal('order');
    return pid;
  }

  async function contractToPaid(pid: number, supplier: BidderFixture) {
    await advance(s, 2 * DAY); // the order notice (1 working day), then the contract stage
    const p = await ok(c.purchaser.get(`/api/projects/${pid}`));
    expect(p.stage).to.equal('contract');
    const contract = await ok(c.purchaser.post('/api/contracts', { projectId: pid, terms: '按框架协议条款' }), 201);
    await ok(c.purchaser.post(`/api/contracts/${contract.id}/sign`));
    await ok((await as(supplier)).post(`/api/contracts/${contract.id}/sign`));
    await ok(c.purchaser.post(`/api/contracts/${contract.id}/acceptance`, { note: '验收合格' }));
    const pr = (await c.fin.paymentRequests('status=requested')).body.items.find((x: any) => x.contractRef === contract.ref);
    expect(pr.amountFen).to.equal(p.awardFen);
    await ok(c.fin.setStatus(pr.ref, { status: 'accepted', treasuryRef: 'GK-FW' }));
    await ok(c.fin.setStatus(pr.ref, { status: 'paid', treasuryRef: 'GK-FW' }));
    expect((await ok(c.purchaser.get(`/api/projects/${pid}`))).stage).to.equal('closed');
  }

  it('orders by direct selection at or under the agreement price, the choice recorded, through to payment', async () => {
    const pid = await orderProject();
    const opts = await ok(c.purchaser.get(`/api/framework-orders/options?projectId=${pid}`));
    expect(opts.agreement.id).to.equal(agreementId);
    expect(opts.entries.map((e: any) => e.orderFen)).to.deep.equal([35_000 * YUAN, 36_000 * YUAN, 37_000 * YUAN]);
    const second = bidders[1];
    const above = await c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'direct', supplierId: second.supplierId, amountFen: 36_001 * YUAN, reason: '售后网点最近' });
    expect(above.body.error.code).to.equal('ABOVE_AGREEMENT_PRICE');
    const noReason = await c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'direct', supplierId: second.supplierId });
    expect(noReason.body.error.code).to.equal('SELECTION_REASON_REQUIRED');
    const outsider = await c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'direct', supplierId: bidders[3].supplierId, reason: 'x' });
    expect(outsider.body.error.code).to.equal('NOT_AN_ENTRY_SUPPLIER');
    const before = await line(c);
    const placed = await ok(c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'direct', supplierId: second.supplierId, amountFen: 35_800 * YUAN, reason: '售后网点最近' }), 201);
    expect(placed).to.include({ mode: 'direct', supplierId: second.supplierId, amountFen: 35_800 * YUAN });
    const p = await ok(c.purchaser.get(`/api/projects/${pid}`));
    expect(p).to.include({ stage: 'award_notice', awardFen: 35_800 * YUAN });
    // The requisition froze 40,000.00; the order re-froze at 35,800.00 and released the rest.
    expect((await line(c)).frozenFen).to.equal(before.frozenFen - 4_200 * YUAN);
    expect((await c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'rotation' })).status).to.equal(409);
    const audit = await s.tdb.db('audit_events').where({ action: 'framework.order_placed' }).first();
    expect(JSON.parse(audit.after_json)).to.include({ mode: 'direct', reason: '售后网点最近' });
    await contractToPaid(pid, second);
  });

  it('orders by rotation, taking the entries in rank order', async () => {
    const p1 = await orderProject(2);
    const r1 = await ok(c.purchaser.post('/api/framework-orders', { projectId: p1, mode: 'rotation' }), 201);
    const p2 = await orderProject(2);
    const r2 = await ok(c.purchaser.post('/api/framework-orders', { projectId: p2, mode: 'rotation' }), 201);
    expect([r1.supplierId, r2.supplierId]).to.deep.equal([bidders[0].supplierId, bidders[1].supplierId]);
    expect(r1.amountFen).to.equal(7_000 * YUAN);
    await contractToPaid(p1, bidders[0]);
  });

  it('runs a second competition on the auction engine among the entry suppliers, the agreement price as ceiling and each held to its own price', async () => {
    const pid = await orderProject();
    const startsAt = new Date(clock.now().getTime() + 3600_000);
    const placed = await ok(c.purchaser.post('/api/framework-orders', { projectId: pid, mode: 'competition', competition: { startsAt: startsAt.toISOString(), durationSec: 600, decrementKind: 'absolute', decrementValue: 100 * YUAN } }), 201);
    // The ceiling is the order at the highest entry supplier's agreement prices (10 × 3,700.00).
    expect(placed.ceilingFen).to.equal(37_000 * YUAN);
    const a = await ok(c.operator.get(`/api/auctions/${placed.auctionId}`));
    expect(a).to.include({ projectId: pid, ceilingFen: 37_000 * YUAN, minBrands: 3 });
    // A supplier outside the agreement cannot join; a plain competition request cannot bypass the agreement.
    const outsider = await (await as(bidders[3])).post(`/api/auctions/${placed.auctionId}/join`, { brand: bidders[3].brand, model: bidders[3].model });
    expect(outsider.status).to.equal(403);
    expect(outsider.body.error.code).to.equal('NOT_AN_ENTRY_SUPPLIER');
    for (const b of bidders.slice(0, 3)) await ok((await as(b)).post(`/api/auctions/${placed.auctionId}/join`, { brand: b.brand, model: b.model }), 201);
    clock.set(startsAt.getTime() + 1);
    while ((await s.platform.scheduler.runDue()) > 0);
    const prices = [35_000, 34_900, 34_800];
    for (let i = 0; i < 3; i++) {
      const ws = await WsClient.connect(s.url, (await cookieFor(s.platform.sessions, bidders[i].userId)).cookie);
      sockets.push(ws);
      if (i === 0) {
        // Under the ceiling (37,000) but above this supplier's own agreement price (10 × 3,500.00): refused.
        ws.send({ type: 'bid', auctionId: placed.auctionId, amount: 36_000 * YUAN, clientBidId: 'fw-own' });
        const refused = await ws.next((m) => m.clientBidId === 'fw-own');
        expect(refused, JSON.stringify(refused)).to.include({ code: 'ABOVE_OWN_AGREEMENT_PRICE' });
      }
      ws.send({ type: 'bid', auctionId: placed.auctionId, amount: prices[i] * YUAN, clientBidId: `fw${i}` });
      const ack = await ws.next((m) => m.clientBidId === `fw${i}`);
      expect(ack.type, JSON.stringify(ack)).to.equal('bid.accepted');
    }
    await advance(s, 700_000);
    const p = await ok(c.purchaser.get(`/api/projects/${pid}`));
    expect(p).to.include({ stage: 'award_notice', awardFen: 34_800 * YUAN, awardedSupplierId: bidders[2].supplierId });
    const report = await ok(c.finance.get('/api/reports/framework'));
    const row = report.rows.find((r: any) => r.id === agreementId);
    expect(row.ordersByMode).to.deep.equal({ direct: 1, rotation: 2, competition: 1 });
    expect(row.secondCompetitions).to.deep.equal({ total: 1, closed: 1, failed: 0 });
    // At agreement prices: direct 36,000 + rotations 7,000 + 7,200 + competition ceiling 37,000; awarded 35,800 + 7,000 + 7,200 + 34,800.
    expect(row).to.include({ agreementFen: 87_200 * YUAN, awardFen: 84_800 * YUAN, savingsFen: 2_400 * YUAN });
    expect((await c.purchaser.get('/api/reports/framework')).status).to.equal(403);
    const portal = await ok(s.client().get(`/api/portal/framework-agreements/${(await ok(c.operator.get(`/api/framework-agreements/${agreementId}`))).ref}`));
    const o = portal.orders.find((x: any) => x.projectId === pid);
    expect(o).to.include({ mode: 'competition', competitionPriceFen: 34_800 * YUAN });
    await contractToPaid(pid, bidders[2]);
  });

  it('publishes the agreement as an OCDS framework process and each order linked to it, valid against the schemas', async () => {
    const ref = (await ok(c.operator.get(`/api/framework-agreements/${agreementId}`))).ref;
    const v = await ocdsValidators();
    const rec = await ok(s.client().get(`/api/ocds/records/ocds-ygcg01-${ref}`));
    expect(v.recordPackage(rec), JSON.stringify(v.recordPackage.errors)).to.equal(true);
    const compiled = rec.records[0].compiledRelease;
    expect(compiled.tender.techniques.hasFrameworkAgreement).to.equal(true);
    expect(compiled.awards.flatMap((aw: any) => aw.suppliers.map((x: any) => x.name))).to.have.length(3);
    const orders = await s.tdb.db('framework_orders as o').join('procurement_projects as p', 'p.id', 'o.project_id').where('o.agreement_id', agreementId).select('p.ref');
    const order = await ok(s.client().get(`/api/ocds/records/ocds-ygcg01-${orders[0].ref}`));
    expect(v.recordPackage(order), JSON.stringify(v.recordPackage.errors)).to.equal(true);
    const related = order.records[0].compiledRelease.relatedProcesses;
    expect(related[0]).to.include({ identifier: `ocds-ygcg01-${ref}`, scheme: 'ocid' });
    expect(related[0].relationship).to.deep.equal(['framework']);
  });

  it('lets supervisors trace an agreement by its reference, and refuses a plain competition for a framework order', async () => {
    const ref = (await ok(c.operator.get(`/api/framework-agreements/${agreementId}`))).ref;
    const supervisor = await s.as('supervisor');
    const trace = await ok(supervisor.get(`/api/supervision/trace?subjectId=${ref}`));
    expect(trace.subject).to.include({ type: 'agreement', reference: ref });
    const actions = trace.events.map((e: any) => e.action);
    for (const a of ['framework.call_drafted', 'framework.call_published', 'framework.response_sealed', 'framework.responses_opened', 'framework.entries_published', 'framework.entry_signed', 'framework.agreement_active']) expect(actions, a).to.include(a);
    const pid = await orderProject();
    const start = new Date(clock.now().getTime() + 3600_000).toISOString();
    const plain = await c.purchaser.post('/api/auctions', { title: '平板电脑', lotDescription: '平板电脑 10 台', quantity: 10, unit: '台', categoryCode: TABLETS, ceilingFen: 37_000 * YUAN, decrementKind: 'absolute', decrementValue: 100 * YUAN, startsAt: start, durationSec: 600, projectId: pid });
    expect(plain.status).to.equal(422);
    expect(plain.body.error.code).to.equal('PROJECT_NOT_ONLINE_COMPETITION');
  });

  it('enters by quality score under quality priority, and fails a call with too few responders at the opening', async () => {
    const now = clock.now().getTime();
    const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
    const deadline = new Date(now + 21 * DAY);
    const terms = { termStart: day(deadline.getTime() + DAY), termEnd: day(deadline.getTime() + 300 * DAY) };
    const q = await ok(c.operator.post('/api/framework-agreements', call({ title: '平板电脑（质量优先）', evaluationMethod: 'quality_priority', secondStageModes: ['direct'], ...terms })), 201);
    const lone = await ok(c.operator.post('/api/framework-agreements', call({ title: '平板电脑（单家）', ...terms })), 201);
    for (const a of [q, lone]) await ok(c.operator.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: deadline.toISOString() }));
    for (const b of bidders.slice(0, 3)) await respond(q.id, b, [{ itemId: q.items[0].id, unitPriceFen: 3_000 * YUAN + b.supplierId }], '响应');
    // Withdrawn before the deadline: not opened, not counted.
    await ok((await as(bidders[2])).post(`/api/framework-agreements/${q.id}/responses/withdraw`));
    await respond(lone.id, bidders[0], [{ itemId: lone.items[0].id, unitPriceFen: 3_000 * YUAN }], '响应');
    // Past the deadline, before the job runs: the centre opens one call itself, the job the other.
    clock.advance(21 * DAY + 60_000);
    await relogin(c);
    expect((await ok(c.operator.post(`/api/framework-agreements/${lone.id}/open`))).status).to.equal('failed');
    while ((await s.platform.scheduler.runDue()) > 0);
    const failed = await ok(c.operator.get(`/api/framework-agreements/${lone.id}`));
    expect(failed).to.include({ status: 'failed' });
    expect(failed.failureReason).to.match(/^TOO_FEW_RESPONDERS/);
    expect((await ok(c.operator.get(`/api/framework-agreements/${q.id}`))).status).to.equal('opening');
    for (const b of bidders.slice(0, 2)) await ok(handInKey(q.id, b));
    expect((await handInKey(q.id, bidders[2])).body.error.code, 'a withdrawn response has no key to give').to.equal('NOT_IN_OPENING');
    const opened = await ok(c.operator.get(`/api/framework-agreements/${q.id}`));
    expect(opened.status).to.equal('evaluation');
    expect(opened.responses.map((r: any) => r.supplierId).sort()).to.deep.equal([bidders[0].supplierId, bidders[1].supplierId].sort());
    const noScores = await c.operator.post(`/api/framework-agreements/${q.id}/evaluate`, {});
    expect(noScores.status).to.equal(422);
    expect(noScores.body.error.code).to.equal('QUALITY_SCORE_MISSING');
    expect((await ok(c.operator.get(`/api/framework-agreements/${q.id}`))).status).to.equal('evaluation'); // nothing written
    // The dearer response scores higher and enters: quality first, then price.
    const done = await ok(c.operator.post(`/api/framework-agreements/${q.id}/evaluate`, { scores: [{ supplierId: bidders[0].supplierId, qualityScore: 80 }, { supplierId: bidders[1].supplierId, qualityScore: 92 }] }));
    expect(done.entries.map((e: any) => e.supplierId)).to.deep.equal([bidders[1].supplierId]);
    const v = ocdsValidators();
    for (const a of [q, lone]) {
      const rec = await ok(s.client().get(`/api/ocds/records/ocds-ygcg01-${a.ref}`));
      expect(v.recordPackage(rec), JSON.stringify(v.recordPackage.errors)).to.equal(true);
      expect(rec.records[0].releases.map((r: any) => r.tag[0])).to.deep.equal(a === q ? ['tender', 'award'] : ['tender', 'tenderUpdate']);
    }
  });

  it('makes a response invalid whose key is not given in the window, or whose envelope was altered; bounds the wrong keys', async () => {
    const now = clock.now().getTime();
    const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
    const due = new Date(now + 21 * DAY);
    const a = await ok(c.operator.post('/api/framework-agreements', call({ title: '平板电脑（密钥）', termStart: day(due.getTime() + DAY), termEnd: day(due.getTime() + 300 * DAY) })), 201);
    await ok(c.operator.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: due.toISOString() }));
    const [good, silent, tampered, guesser] = bidders;
    for (const b of [good, silent, tampered, guesser]) await respond(a.id, b, [{ itemId: a.items[0].id, unitPriceFen: 3_000 * YUAN }]);
    // The operator with database access alters a stored envelope: the receipt's digest catches it.
    const row = await s.tdb.db('framework_responses').where({ agreement_id: a.id, supplier_id: tampered.supplierId }).first();
    const env = JSON.parse(row.sealed);
    env.ct = (env.ct[0] === 'A' ? 'B' : 'A') + env.ct.slice(1);
    await s.tdb.db('framework_responses').where({ id: row.id }).update({ sealed: JSON.stringify(env) });
    clock.advance(21 * DAY + 60_000);
    while ((await s.platform.scheduler.runDue()) > 0);
    await relogin(c);
    expect((await ok(c.operator.get(`/api/framework-agreements/${a.id}`))).status).to.equal('opening');
    await ok(handInKey(a.id, good));
    expect((await ok(handInKey(a.id, tampered))).status).to.equal('invalid');
    for (let i = 1; i <= 5; i++) expect((await handInKey(a.id, guesser, generateBidKey())).body.error.details.attemptsUsed).to.equal(i);
    const exhausted = await handInKey(a.id, guesser);
    expect(exhausted.status).to.equal(422);
    expect(exhausted.body.error.code, 'even the right key after 5 wrong ones').to.equal('KEY_ATTEMPTS_EXHAUSTED');
    // The window closes (its job): the silent supplier's response is invalid, not opened.
    clock.advance(60 * 60_000);
    while ((await s.platform.scheduler.runDue()) > 0);
    await relogin(c);
    expect((await handInKey(a.id, silent)).body.error.code).to.equal('NOT_IN_OPENING');
    const v = await ok(c.operator.get(`/api/framework-agreements/${a.id}`));
    expect(v.status).to.equal('evaluation');
    const reason = (b: BidderFixture) => v.responses.find((r: any) => r.supplierId === b.supplierId);
    expect(reason(good)).to.include({ valid: true, totalFen: 3_000 * YUAN });
    expect(reason(silent)).to.include({ valid: false, invalidReason: 'NOT_DECRYPTED', totalFen: null });
    expect(reason(tampered)).to.include({ valid: false, invalidReason: 'CIPHERTEXT_TAMPERED' });
    expect(reason(guesser).invalidReason).to.equal('NOT_DECRYPTED: 5 wrong key(s)');
    const actions = (await s.tdb.db('audit_events').where({ entity_type: 'framework_agreement', entity_id: String(a.id) }).select('action')).map((e: any) => e.action);
    for (const x of ['framework.key_window_opened', 'framework.response_decrypted', 'framework.response_invalidated', 'framework.response_key_rejected', 'framework.responses_opened']) expect(actions, x).to.include(x);
  });
});
