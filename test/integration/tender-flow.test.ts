import { expect } from 'chai';
import crypto from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';
import { ManualClock, isoFromDb } from '../../server/db/time';
import { createPlatform } from '../../server/platform';
import { createLogger } from '../../server/http/log';
import { withTx } from '../../server/db/tx';
import { verifyChain } from '../../server/supervision/audit/audit';
import { foldProcess } from '../../server/supervision/sources/event-contract';
import { sealBid, randomHex, keyForEnvelope, newPassphraseKdf } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureExpertUsers, ensureSupplierUsers } from '../../server/execution/tendering/demo-users';
import { linkCommittee } from '../../server/execution/tendering/evaluation/committee';
import { challengePeriodEnd } from '../../server/execution/tendering/rules';
import type { TenderingDeps } from '../../server/execution/tendering/deps';
import { cast, raise, approveAll, item } from './workflow-helpers';
import { WsClient } from '../helpers/ws';
import { publicBaseUrl } from '../../server/supervision/ocds/publish';

const DAY = 86_400_000;
const MIN = 60_000;

async function dumpEverything(s: TestServer): Promise<string> {
  const db = s.tdb.db;
  const tables: string[] =
    TEST_DIALECT === 'mysql'
      ? ((await db.raw('SHOW TABLES'))[0] as Array<Record<string, string>>).map((r) => Object.values(r)[0])
      : (await db('sqlite_master').where({ type: 'table' }).select('name')).map((r: { name: string }) => r.name);
  expect(tables).to.include.members(['tender_bids', 'tenders', 'audit_events', 'scheduled_jobs', 'notices']);
  const parts: string[] = [];
  for (const t of tables) parts.push(t, JSON.stringify(await db(t).select()));
  return parts.join('\n') + '\n' + s.logs.join('\n');
}

describe(`tendering: notice to award (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0)); // Monday 09:00 in Beijing
  let s: TestServer;
  let deps: TenderingDeps;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let experts: Array<{ userId: number; expertId: number; username: string }>;
  let orgId: number;

  before(async () => {
    s = await startTestServer({ clock });
    const p = s.platform;
    deps = { db: s.tdb.db, clock, scheduler: p.scheduler, realtime: p.realtime, log: { debug() {}, info() {}, warn() {}, error() {} }, config: s.config };
    ({ suppliers, experts } = await withTx(s.tdb.db, async (tx) => ({ suppliers: await ensureSupplierUsers(tx, clock, 6), experts: await ensureExpertUsers(tx, clock, 6) })));
    orgId = (await s.tdb.db('users').where({ username: 'purchaser' }).first('org_id')).org_id;
  });
  after(() => s?.stop());

  // Sessions time out as the manual clock jumps days ahead: sign in afresh for each step.
  const op = () => s.as('operator');
  const goodsCategory = async () => (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).orderByRaw('length(code) desc').orderBy('code').first('code')).code as string;
  /** A public-tender project from the workflow body: requisition, approvals, project in documents_prepared. */
  const tenderProject = async (yuan: number) => {
    const c = await cast(s);
    const req = await raise(c, [item(await goodsCategory(), 1, yuan)]);
    expect(req.method).to.equal('public_tender');
    return approveAll(c, req.id);
  };
  const stageOf = async (projectId: number) => (await s.tdb.db('procurement_projects').where({ id: projectId }).first('stage')).stage as string;
  const goodsTender = async (overrides: Record<string, unknown> = {}) => {
    const tpl = TEMPLATES.goods;
    const category = await goodsCategory();
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    return {
      title: '实验室设备采购',
      kind: 'goods',
      categoryCode: category,
      purchasingOrgId: orgId,
      budgetFen: 120_000_000,
      method: tpl.method,
      priceWeight: tpl.priceWeight,
      smeDeductionPct: tpl.smeDeductionPct,
      description: '采购实验室设备一批',
      requirements: tpl.requirements,
      qualifications: tpl.qualifications,
      criteria: tpl.criteria,
      bidDeadline: deadline,
      openingAt: deadline,
      ...overrides,
    };
  };
  const publishGoods = async (overrides: Record<string, unknown> = {}) => {
    const r = await (await op()).post('/api/tenders', await goodsTender(overrides));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    const p = await (await op()).post(`/api/tenders/${r.body.id}/publish`);
    expect(p.status, JSON.stringify(p.body)).to.equal(200);
    return p.body;
  };
  const bidder = (i: number) => s.as(suppliers[i].username);
  const submit = async (c: TestClient, tenderId: number, supplierId: number, priceFen: number, secret = 'RESP', keyHex = randomHex(32)) => {
    const sealed = sealBid({ tenderId, supplierId, priceFen, responses: { 'r-spec': `${secret}-spec`, 'r-delivery': `${secret}-delivery`, 'r-warranty': `${secret}-warranty` }, attachments: [{ name: 'offer.txt', type: 'text/plain', dataBase64: Buffer.from(`${secret}-ATTACHMENT`).toString('base64') }] }, { keyHex });
    const r = await c.post(`/api/tenders/${tenderId}/bids`, { envelope: sealed.envelope, digest: sealed.digest });
    return { r, sealed };
  };

  it('checks the legal rules on the documents: price weight range, weights summing to 100, bidding period', async () => {
    const heavy = await (await op()).post('/api/tenders', await goodsTender({ priceWeight: 70, criteria: [{ key: 'price', name: 'Price', kind: 'price', weight: 70 }, { key: 'technical', name: 'Tech', kind: 'technical', weight: 30 }] }));
    expect(heavy.status).to.equal(422);
    expect(heavy.body.error.code).to.equal('PRICE_WEIGHT_OUT_OF_RANGE');
    expect(heavy.body.error.details.violations[0].source).to.match(/Order No\. 87/);
    const services = await (await op()).post('/api/tenders', await goodsTender({ kind: 'services', categoryCode: (await s.tdb.db('catalogue_categories').where({ kind: 'services' }).first('code')).code, priceWeight: 40, criteria: [{ key: 'price', name: 'Price', kind: 'price', weight: 40 }, { key: 'plan', name: 'Plan', kind: 'technical', weight: 60 }] }));
    expect(services.body.error.code).to.equal('PRICE_WEIGHT_OUT_OF_RANGE');
    const sum = await (await op()).post('/api/tenders', await goodsTender({ criteria: [{ key: 'price', name: 'Price', kind: 'price', weight: 30 }, { key: 'technical', name: 'Tech', kind: 'technical', weight: 60 }] }));
    expect(sum.body.error.code).to.equal('WEIGHTS_NOT_100');
    const short = await (await op()).post('/api/tenders', await goodsTender({ bidDeadline: new Date(clock.now().getTime() + 19 * DAY).toISOString(), openingAt: new Date(clock.now().getTime() + 19 * DAY).toISOString() }));
    expect(short.status).to.equal(201);
    const pub = await (await op()).post(`/api/tenders/${short.body.id}/publish`);
    expect(pub.status).to.equal(422);
    expect(pub.body.error.code).to.equal('BIDDING_PERIOD_TOO_SHORT');
    expect((await s.client().get(`/api/portal/tenders/${short.body.id}`)).status).to.equal(404); // a draft is not public
  });

  it('checks a draft change as it checks a draft (same codes, row unchanged) and keeps optional fields the body leaves out', async () => {
    const db = s.tdb.db;
    const projectId = await tenderProject(2_400_000);
    const projectBudget = Number((await db('procurement_projects').where({ id: projectId }).first('budget_fen')).budget_fen);
    const created = await (await op()).post('/api/tenders', await goodsTender({ projectId, decryptionMinutes: 45, abnormalLowPct: 70 }));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id;
    const rowNow = () => db('tenders').where({ id }).first();
    const stored = await rowNow();
    const servicesCode = (await db('catalogue_categories').where({ kind: 'services' }).first('code')).code;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ categoryCode: servicesCode }, 'CATEGORY_KIND_MISMATCH'],
      [{ projectId, budgetFen: projectBudget + 1 }, 'TENDER_ABOVE_PROJECT_BUDGET'],
      [{ budgetFen: projectBudget + 1 }, 'TENDER_ABOVE_PROJECT_BUDGET'], // the stored project, the body naming none
    ];
    for (const [overrides, code] of cases) {
      const asCreate = await (await op()).post('/api/tenders', await goodsTender({ projectId, ...overrides }));
      expect(asCreate.body.error?.code, JSON.stringify(overrides)).to.equal(code);
      const put = await (await op()).request('PUT', `/api/tenders/${id}`, await goodsTender(overrides));
      expect(put.status, JSON.stringify(put.body)).to.equal(asCreate.status);
      expect(put.body.error.code).to.equal(code);
      expect(await rowNow()).to.deep.equal(stored);
    }
    expect(await db('audit_events').where({ action: 'tender.draft_updated', entity_id: String(id) }).first()).to.equal(undefined);
    // A PUT without decryptionMinutes, abnormalLowPct or projectId keeps what is stored.
    const put = await (await op()).request('PUT', `/api/tenders/${id}`, await goodsTender({ title: '实验室设备采购（修改）', budgetFen: projectBudget }));
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    expect(put.body).to.include({ title: '实验室设备采购（修改）', budgetFen: projectBudget, decryptionMinutes: 45, abnormalLowPct: 70, projectId, purchasingOrgId: orgId });
    expect(await rowNow()).to.include({ decryption_minutes: 45, abnormal_low_pct: 70, project_id: projectId });
    expect(await db('audit_events').where({ action: 'tender.draft_updated', entity_id: String(id) }).first()).to.exist;
    await (await op()).post(`/api/tenders/${id}/cancel`, { reason: 'test over' });
  });

  it('publishes the tender documents with the notice: listed on the portal, downloadable, in the OCDS release; an amendment carries the amended version', async () => {
    const db = s.tdb.db;
    const projectId = await tenderProject(2_600_000);
    const requirements = [...TEMPLATES.goods.requirements, { key: 'r-rotor', text: '离心机转速 <b>≥ 12000 rpm</b> & 配套转子' }];
    const t = await publishGoods({ projectId, title: '离心机及配套设备采购', requirements });
    const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    const noticeOf = async (kind: string) => {
      const list = await s.client().get(`/api/portal/notices?projectRef=${encodeURIComponent(t.reference)}&kind=${kind}`);
      expect(list.body.items, kind).to.have.length(1);
      const n = await s.client().get(`/api/portal/notices/${list.body.items[0].id}`);
      expect(n.status).to.equal(200);
      return n.body;
    };
    const notice = await noticeOf('tender');
    expect(notice.attachments).to.have.length(1);
    const a = notice.attachments[0];
    expect(a).to.include({ name: `招标文件-${t.reference}.html`, url: `/api/portal/notices/${notice.id}/attachments/${a.sha256}`, contentType: 'text/html; charset=utf-8' });
    // Downloaded without a login: the document itself, as the listed digest says.
    const file = await s.client().get(a.url);
    expect(file.status).to.equal(200);
    expect(file.headers.get('content-type')).to.match(/^text\/html/);
    expect(file.headers.get('content-disposition')).to.equal(`attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`);
    const doc = file.body as string;
    expect(crypto.createHash('sha256').update(doc).digest('hex')).to.equal(a.sha256);
    expect(Buffer.byteLength(doc)).to.equal(a.size);
    expect(doc).to.include('离心机及配套设备采购 招标文件').and.include(`Tender documents ${t.reference}: 离心机及配套设备采购`);
    expect(doc).to.include(TEMPLATES.goods.requirements[0].text).and.include(TEMPLATES.goods.qualifications[0].text);
    expect(doc).to.include('离心机转速 &lt;b&gt;≥ 12000 rpm&lt;/b&gt; &amp; 配套转子').and.not.include('<b>≥');
    expect(doc).to.include(`投标截止时间 Bid deadline</th><td>${chinaTime(t.bidDeadline)}（北京时间 UTC+8）`);
    expect(doc).to.include(`开标时间 Opening</th><td>${chinaTime(t.openingAt)}（北京时间 UTC+8）`);
    expect(doc).to.include('人民币 1,200,000.00 元').and.include('综合评分法');
    expect(doc).to.include('<td>技术响应 Technical response</td><td>技术 Technical</td><td>40</td>');
    // Only files a notice lists are served.
    expect((await s.client().get(`/api/portal/notices/${notice.id}/attachments/${'0'.repeat(64)}`)).status).to.equal(404);
    // The project's OCDS tender release lists the documents with the notice.
    const ref = (await db('procurement_projects').where({ id: projectId }).first('ref')).ref;
    const rec = await s.client().get(`/api/ocds/records/ocds-ygcg01-${ref}`);
    expect(rec.status, JSON.stringify(rec.body)).to.equal(200);
    const tenderRelease = rec.body.records[0].releases.find((r: any) => r.tag[0] === 'tender');
    expect(tenderRelease.tender.documents.find((d: any) => d.title === a.name)).to.include({ url: `${publicBaseUrl()}${a.url}`, format: 'text/html', documentType: 'tenderNotice' });
    // A late substantive amendment: its notice carries the documents with the new dates and the amendment.
    clock.advance(13 * DAY);
    const late = await (await op()).post(`/api/tenders/${t.id}/notices`, { kind: 'amendment', title: '转速调整', body: '离心机转速调整为不低于 15000 rpm。', substantive: true });
    expect(late.body.extended).to.equal(true);
    const amended = await noticeOf('amendment');
    expect(amended.attachments.map((x: any) => x.name)).to.deep.equal([`招标文件-${t.reference}-修订1.html`]);
    const amendedDoc = (await s.client().get(amended.attachments[0].url)).body as string;
    expect(amendedDoc).to.include(`投标截止时间 Bid deadline</th><td>${chinaTime(late.body.bidDeadline)}`).and.include('离心机转速调整为不低于 15000 rpm。');
    // The first version stays as published.
    expect((await s.client().get(a.url)).body).to.equal(doc);
    await (await op()).post(`/api/tenders/${t.id}/cancel`, { reason: 'test over' });
    clock.set(Date.UTC(2026, 2, 2, 1, 0, 0));
  });

  it('publishes clarifications to all and moves the deadline for a late substantive amendment', async () => {
    const t = await publishGoods();
    clock.advance(3 * DAY);
    const clar = await (await op()).post(`/api/tenders/${t.id}/notices`, { kind: 'clarification', title: 'Q1', body: '报价含安装', substantive: false });
    expect(clar.status, JSON.stringify(clar.body)).to.equal(201);
    expect(clar.body.extended).to.equal(false);
    const early = await (await op()).post(`/api/tenders/${t.id}/notices`, { kind: 'amendment', title: 'A1', body: '数量调整', substantive: true });
    expect(early.body.extended).to.equal(false); // 18 days remain
    clock.advance(10 * DAY);
    const late = await (await op()).post(`/api/tenders/${t.id}/notices`, { kind: 'amendment', title: 'A2', body: '技术参数调整', substantive: true });
    expect(late.status).to.equal(201);
    expect(late.body.extended).to.equal(true);
    expect(late.body.bidDeadline).to.equal(new Date(clock.now().getTime() + 15 * DAY).toISOString());
    const job = (await s.platform.scheduler.pending('tender.open')).find((j) => j.key === `tender:${t.id}:open`)!;
    expect(job.runAt.toISOString()).to.equal(late.body.openingAt);
    const portal = await s.client().get(`/api/portal/notices?q=${encodeURIComponent(t.reference)}`);
    expect(portal.status).to.equal(200);
    const kinds = (await s.tdb.db('notices').where({ project_ref: t.reference }).select('kind')).map((n: { kind: string }) => n.kind);
    expect(kinds).to.include.members(['tender', 'clarification', 'amendment']);
    const events = (await s.tdb.db('audit_events').where({ entity_type: 'tender', entity_id: String(t.id) }).select('action')).map((e: { action: string }) => e.action);
    expect(events).to.include.members(['tender.published', 'tender.clarified', 'tender.amended']);
    await (await op()).post(`/api/tenders/${t.id}/cancel`, { reason: 'test over' });
    clock.set(Date.UTC(2026, 2, 2, 1, 0, 0));
  });

  it('moves the project\'s deadline with the tender\'s when a late amendment extends it', async () => {
    const projectId = await tenderProject(2_300_000);
    const t = await publishGoods({ projectId });
    clock.advance(13 * DAY);
    const late = await (await op()).post(`/api/tenders/${t.id}/notices`, { kind: 'amendment', title: 'A3', body: '交货期调整', substantive: true });
    expect(late.body.extended).to.equal(true);
    const p = await s.tdb.db('procurement_projects').where({ id: projectId }).first();
    expect(new Date(p.deadline_at.replace(' ', 'T') + 'Z').toISOString()).to.equal(late.body.bidDeadline);
    // The project's own deadline job moved too: at the old deadline it is still open for bids.
    const advance = (await s.platform.scheduler.pending()).find((j) => j.key === `project:${projectId}:advance:bidding_open`)!;
    expect(advance.runAt.toISOString()).to.equal(late.body.bidDeadline);
    expect(await stageOf(projectId)).to.equal('bidding_open');
    const events = await s.tdb.db('audit_events').where({ entity_type: 'project', entity_id: String(projectId) }).pluck('action');
    expect(events).to.include('project.deadline_extended');
    await (await op()).post(`/api/tenders/${t.id}/cancel`, { reason: 'test over' });
    clock.set(Date.UTC(2026, 2, 2, 1, 0, 0));
  });

  it('runs a tender from notice to award: sealed bids, online opening, evaluation, report, award', async () => {
    const db = s.tdb.db;
    const [A, B, C, D, E, F] = suppliers;
    await db('suppliers').where({ id: A.supplierId }).update({ size: 'small' });
    await db('suppliers').whereIn('id', [B, C, D, E, F].map((x) => x.supplierId)).update({ size: 'large' });
    const projectId = await tenderProject(2_500_000);
    const t = await publishGoods({ projectId });
    expect(t.purchasingOrgId).to.equal(orgId);
    expect(await stageOf(projectId)).to.equal('bidding_open');
    const twice = await (await op()).post('/api/tenders', await goodsTender({ projectId }));
    expect(twice.body.error.code).to.equal('PROJECT_HAS_TENDER');
    const published = await db('audit_events').where({ action: 'tender.published', entity_id: String(t.id) }).first();
    expect(JSON.parse(published.after_json).tenderPeriod).to.deep.equal({ startDate: clock.now().toISOString(), endDate: t.bidDeadline });
    // The tender notice as the public reads it: the budget in yuan, the dates in Beijing time, no UTC.
    const noticeText = async (kind: string) => (await s.client().get(`/api/portal/notices/${(await db('notices').where({ project_ref: t.reference, kind }).orderBy('id', 'desc').first('id')).id}`)).body;
    const tn = await noticeText('tender');
    expect(tn.bodyZh).to.include('预算金额：1,200,000.00 元').and.include('投标截止时间：2026年3月23日 09:00（北京时间）').and.include('开标时间：2026年3月23日 09:00（北京时间）');
    expect(tn.bodyEn).to.include('Budget: CNY 1,200,000.00').and.include('Bid deadline: 23 Mar 2026, 09:00 (Beijing time)');
    for (const text of [tn.bodyZh, tn.bodyEn]) expect(text).to.not.match(/UTC|\d{4}-\d\d-\d\dT/);

    // Six suppliers seal and submit; A first sends a bid it then replaces.
    const prices = [100_003_700, 95_004_100, 105_002_900, 70_001_300, 99_887_700, 101_112_300];
    const keys: string[] = [];
    const clients: TestClient[] = [];
    for (const [i, sup] of suppliers.entries()) {
      clock.advance(DAY);
      const c = await bidder(i);
      clients.push(c);
      let first: Awaited<ReturnType<typeof submit>> | null = null;
      if (i === 0) {
        first = await submit(c, t.id, sup.supplierId, 123_456_700, 'OLD-SECRET-A');
        expect(first.r.status).to.equal(201);
        expect(first.r.body.replaced).to.equal(null);
      }
      const { r, sealed } = await submit(c, t.id, sup.supplierId, prices[i], `SECRET-${'ABCDEF'[i]}-7f3c`);
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      expect(r.body.digest).to.equal(sealed.digest);
      expect(r.body.serverTime).to.equal(clock.now().toISOString());
      expect(r.body.receiptNo).to.match(new RegExp(`^${t.reference}-[0-9A-F]{10}$`));
      expect(r.body.envelopeDigest).to.equal(crypto.createHash('sha256').update(sealed.envelope).digest('hex'));
      if (i === 0) expect(r.body.replacedReceiptNo).to.be.a('string');
      // The receipt says which earlier bid it replaced: its receipt, time and digest.
      if (first) expect(r.body.replaced).to.deep.equal({ receiptNo: first.r.body.receiptNo, submittedAt: first.r.body.serverTime, digest: first.sealed.digest });
      keys.push(sealed.keyHex);
    }
    // A supplier sees only its own receipts; nobody sees who else has bid before the opening.
    const mine = await (await bidder(1)).get(`/api/tenders/${t.id}`);
    expect(mine.body.myBids).to.have.length(1);
    expect(mine.body.openingRecord).to.equal(null);
    expect(JSON.stringify(mine.body)).to.not.include('"supplierId"');
    expect(mine.body.sealedBidsAtDeadline).to.equal(null);

    // Before the opening no table and no log line holds a price or a response in clear.
    const dump = await dumpEverything(s);
    for (const p of [...prices, 123_456_700]) {
      expect(dump).to.not.include(String(p));
      expect(dump).to.not.include((p / 100).toFixed(2));
    }
    for (const secret of ['SECRET-A-7f3c', 'OLD-SECRET-A', 'SECRET-D-7f3c', 'ATTACHMENT', Buffer.from('SECRET-B-7f3c-ATTACHMENT').toString('base64').slice(0, 16)]) expect(dump).to.not.include(secret);
    expect(dump).to.include(keys.length ? 'bid.submitted' : '');

    // Someone with database access flips one ciphertext byte of F's bid (and fixes the envelope hash).
    const fBid = await db('tender_bids').where({ tender_id: t.id, supplier_id: F.supplierId, status: 'sealed' }).first();
    const env = JSON.parse(fBid.envelope);
    env.ct = (env.ct[5] === 'A' ? 'B' : 'A') === env.ct[5] ? env.ct : env.ct.slice(0, 5) + (env.ct[5] === 'A' ? 'B' : 'A') + env.ct.slice(6);
    const tampered = JSON.stringify(env);
    await db('tender_bids').where({ id: fBid.id }).update({ envelope: tampered, envelope_sha256: crypto.createHash('sha256').update(tampered).digest('hex') });

    // After the deadline (server time) nothing is accepted.
    clock.set(new Date(t.bidDeadline).getTime());
    clients[1] = await bidder(1);
    const late = await submit(clients[1], t.id, B.supplierId, 90_000_000);
    expect(late.r.status).to.equal(422);
    expect(late.r.body.error.code).to.equal('BID_DEADLINE_PASSED');
    expect((await clients[1].post(`/api/tenders/${t.id}/bids/withdraw`)).body.error.code).to.equal('BID_DEADLINE_PASSED');
    expect(await db('tender_bids').where({ tender_id: t.id }).count({ n: '*' }).first().then((r: any) => Number(r.n))).to.equal(7);

    // The opening job starts the session; each bidder hands in its key.
    for (const [i, sup] of suppliers.entries()) clients[i] = await s.as(sup.username);
    expect(await s.platform.scheduler.runDue()).to.be.at.least(1);
    let detail = await (await op()).get(`/api/tenders/${t.id}`);
    expect(detail.body.status).to.equal('opening');
    expect(detail.body.decryptionEndsAt).to.equal(new Date(clock.now().getTime() + 30 * MIN).toISOString());
    const early = await clients[0].post(`/api/tenders/${t.id}/opening/key`, { key: 'zz' });
    expect(early.status).to.equal(400);
    for (const i of [0, 1, 2, 3]) {
      clock.advance(MIN);
      const k = await clients[i].post(`/api/tenders/${t.id}/opening/key`, { key: keys[i] });
      expect(k.status, JSON.stringify(k.body)).to.equal(200);
      expect(k.body).to.include({ status: 'decrypted', priceFen: prices[i] });
    }
    // While keys are pending nobody sees a price or who has bid: counts, and each bidder its own status.
    const during = await clients[5].get(`/api/tenders/${t.id}`);
    expect(during.body).to.include({ status: 'opening', openingRecord: null });
    expect(during.body.openingProgress).to.deep.equal({ bids: 6, resolved: 4, pending: 2 });
    expect(JSON.stringify(during.body)).to.not.include(String(prices[0]));
    expect((await clients[0].get(`/api/tenders/${t.id}`)).body.myBids[0]).to.include({ status: 'decrypted', priceFen: prices[0] }); // its own
    expect((await db('tender_bids').where({ tender_id: t.id }).whereNotNull('price_fen').count({ n: '*' }).first().then((r: any) => Number(r.n)))).to.equal(0);
    // A wrong key is refused and the bid stays sealed (E may try again until the window closes).
    const wrong = await clients[4].post(`/api/tenders/${t.id}/opening/key`, { key: randomHex(32) });
    expect(wrong.status).to.equal(422);
    expect(wrong.body.error).to.deep.include({ code: 'WRONG_KEY' });
    expect(wrong.body.error.details).to.include({ attemptsUsed: 1, attemptsLeft: 4, maxAttempts: 5 });
    expect((await db('tender_bids').where({ tender_id: t.id, supplier_id: E.supplierId, status: 'sealed' }).first()).key_attempts).to.equal(1);
    const flipped = await clients[5].post(`/api/tenders/${t.id}/opening/key`, { key: keys[5] });
    expect(flipped.body).to.include({ status: 'invalid', reason: 'CIPHERTEXT_TAMPERED' });
    expect((await clients[0].get(`/api/tenders/${t.id}`)).body.openingProgress).to.deep.equal({ bids: 6, resolved: 5, pending: 1 });
    // E never brings the right key: the window closes and its bid is not decrypted.
    clock.set(new Date(detail.body.decryptionEndsAt).getTime());
    await s.platform.scheduler.runDue();

    // Every bid resolved: the opening record is published and evaluation starts.
    detail = await clients[1].get(`/api/tenders/${t.id}`);
    expect(detail.body.status).to.equal('evaluation');
    const record = detail.body.openingRecord as Array<any>;
    expect(record.map((l) => [l.supplierId, l.priceFen, l.decryptionStatus, l.invalidReason])).to.deep.equal([
      [A.supplierId, prices[0], 'decrypted', null],
      [B.supplierId, prices[1], 'decrypted', null],
      [C.supplierId, prices[2], 'decrypted', null],
      [D.supplierId, prices[3], 'decrypted', null],
      [E.supplierId, null, 'invalid', 'NOT_DECRYPTED'],
      [F.supplierId, null, 'invalid', 'CIPHERTEXT_TAMPERED'],
    ]);
    const openingEvent = await db('audit_events').where({ action: 'tender.opening_record', entity_id: String(t.id) }).first();
    expect(JSON.parse(openingEvent.after_json).bids[0]).to.include({ supplierId: A.supplierId, priceFen: prices[0], decryptionStatus: 'decrypted' });
    const nameOf = async (x: { supplierId: number }) => (await db('suppliers').where({ id: x.supplierId }).first('name')).name as string;
    const names = await Promise.all([A, B, C, D, E, F].map(nameOf));
    expect(record.map((l) => l.supplierName)).to.deep.equal(names);
    // The opening record notice as the public reads it: every bidder named, prices in yuan, reasons in words, Beijing time.
    const on = await noticeText('other');
    expect(on.bodyZh).to.include('开标时间：2026年3月23日 09:00（北京时间）').and.include('递交投标 6 份，有效 4 份');
    expect(on.bodyZh).to.include(`1. ${names[0]}：投标报价 1,000,037.00 元`).and.include(`4. ${names[3]}：投标报价 700,013.00 元`);
    expect(on.bodyZh).to.include(`5. ${names[4]}：无效投标（解密时间内未递交能解密投标文件的密钥）`).and.include(`6. ${names[5]}：无效投标（投标文件密文与递交回执不符（被篡改））`);
    expect(on.bodyEn).to.include('Opened: 23 Mar 2026, 09:00 (Beijing time)').and.include(`1. ${names[0]}: CNY 1,000,037.00`).and.include(`5. ${names[4]}: invalid (no key that opens the bid was handed in within the decryption window)`);
    for (const text of [on.bodyZh, on.bodyEn]) expect(text).to.not.match(/null|undefined|WRONG_KEY|CIPHERTEXT|UTC|\d{4}-\d\d-\d\dT/);

    // The committee (from the draw) scores on the template; D's price is abnormally low (< 80 % of the average).
    await withTx(db, (tx) => linkCommittee(deps, tx, { userId: null, role: 'system:test', requestId: null, ip: null, clock }, t.id, experts.slice(0, 5).map((e) => ({ expertId: e.expertId })), { source: 'direct', sourceRef: 'test' }));
    const ex = await Promise.all(experts.slice(0, 5).map((e) => s.as(e.username)));
    const view = await ex[0].get(`/api/tenders/${t.id}/evaluation`);
    expect(view.status).to.equal(200);
    const bidOf = (supplierId: number) => view.body.bids.find((b: any) => b.supplierId === supplierId).bidId as number;
    expect(view.body.bids.find((b: any) => b.supplierId === D.supplierId).abnormalStatus).to.equal('flagged');
    expect(view.body.bids.filter((b: any) => b.abnormalStatus)).to.have.length(1);
    const opened = await ex[0].get(`/api/tenders/${t.id}/evaluation/bids/${bidOf(A.supplierId)}`);
    expect(opened.body.responses['r-spec']).to.equal('SECRET-A-7f3c-spec');
    expect(Buffer.from(opened.body.attachments[0].dataBase64, 'base64').toString()).to.equal('SECRET-A-7f3c-ATTACHMENT');
    expect((await (await s.as('supplier')).get(`/api/tenders/${t.id}/evaluation`)).status).to.equal(403);
    const outsider = await (await s.as(experts[5].username)).get(`/api/tenders/${t.id}/evaluation`);
    expect(outsider.body.error.code).to.equal('NOT_ON_COMMITTEE');
    const typedPrice = await ex[0].request('PUT', `/api/tenders/${t.id}/evaluation/bids/${bidOf(A.supplierId)}/scores`, { compliance: {}, scores: { price: 30 } });
    expect(typedPrice.body.error.code).to.equal('PRICE_SCORE_COMPUTED');
    const tech: Record<string, number[]> = { A: [34, 35, 33, 34, 34.5], B: [29, 29, 29, 29, 29], C: [36, 37, 36, 35, 36], D: [24, 24, 25, 24, 24] };
    const checks = Object.fromEntries(TEMPLATES.goods.qualifications.map((q) => [q.key, true]));
    for (const [e, c] of ex.entries()) {
      for (const [name, sup] of [['A', A], ['B', B], ['C', C], ['D', D]] as const) {
        // Three of five members find B's goods without proof of legal source.
        const compliance = name === 'B' && e < 3 ? { ...checks, 'q-license': false } : checks;
        if (e === 0 && name === 'A') await c.request('PUT', `/api/tenders/${t.id}/evaluation/bids/${bidOf(sup.supplierId)}/scores`, { compliance, scores: { technical: 20, service: 18, experience: 8 } });
        const r = await c.request('PUT', `/api/tenders/${t.id}/evaluation/bids/${bidOf(sup.supplierId)}/scores`, { compliance, scores: { technical: tech[name][e], service: 18, experience: 8 } });
        expect(r.status, JSON.stringify(r.body)).to.equal(200);
      }
      const sub = await c.post(`/api/tenders/${t.id}/evaluation/submit`);
      expect(sub.status, JSON.stringify(sub.body)).to.equal(200);
    }
    expect((await (await op()).get(`/api/tenders/${t.id}`)).body.status).to.equal('evaluation'); // D's price is still open
    const ask = await ex[2].post(`/api/tenders/${t.id}/evaluation/bids/${bidOf(D.supplierId)}/explanation-request`, { note: '请说明报价合理性' });
    expect(ask.status).to.equal(200);
    const answer = await clients[3].post(`/api/tenders/${t.id}/explanation`, { text: '我公司为生产厂家，附成本构成' });
    expect(answer.status).to.equal(200);
    const decided = await ex[2].post(`/api/tenders/${t.id}/evaluation/bids/${bidOf(D.supplierId)}/abnormal-decision`, { accepted: true, reason: '说明充分' });
    expect(decided.status).to.equal(200);

    // Hand-computed: lowest evaluated price is D's 700,013.00; A is small (10 % deduction: 900,033.30).
    // A: 700013/900033.3×30 = 23.333 + 60.1 = 83.433; C: 700013/1050029×30 = 20.000 + 62 = 82; D: 30 + 50.2 = 80.2.
    const ev = await ex[1].get(`/api/tenders/${t.id}/evaluation`);
    expect(ev.body.status).to.equal('report_confirmation');
    const line = (sup: { supplierId: number }) => ev.body.bids.find((b: any) => b.supplierId === sup.supplierId);
    expect(line(A)).to.include({ evaluatedPriceFen: 90_003_330, priceScore: 23.333, techScore: 60.1, totalScore: 83.433, rank: 1, recommended: true });
    expect(line(C)).to.include({ evaluatedPriceFen: prices[2], priceScore: 20, techScore: 62, totalScore: 82, rank: 2, recommended: true });
    expect(line(D)).to.include({ priceScore: 30, techScore: 50.2, totalScore: 80.2, rank: 3, abnormalStatus: 'accepted' });
    expect(line(B)).to.include({ status: 'disqualified', disqualifiedReason: 'COMPLIANCE_FAILED', rank: null });
    const report = ev.body.report;
    expect(report.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(report.content.committee).to.have.length(5);
    expect(report.content.expertScores).to.have.length(20);

    // Each member confirms the report; then the purchaser confirms the result and awards.
    for (const c of ex) expect((await c.post(`/api/tenders/${t.id}/evaluation/confirm`, { reportSha256: report.sha256 })).status).to.equal(200);
    expect((await (await op()).get(`/api/tenders/${t.id}`)).body.status).to.equal('evaluated');
    // The purchasing unit reads the final report and the ranking before it awards (finance, not a party to it, does not).
    const before = (await (await s.as('purchaser')).get(`/api/tenders/${t.id}`)).body;
    expect(before.report.sha256).to.equal(report.sha256);
    expect(before.evaluation.find((b: any) => b.rank === 1)).to.include({ supplierName: names[0], evaluatedPriceFen: 90_003_330, totalScore: 83.433 });
    const first = before.report.content.ranking[0];
    expect(first).to.include({ rank: 1, supplierName: names[0], priceFen: prices[0], evaluatedPriceFen: 90_003_330, smallBusiness: true, priceScore: 23.333, techScore: 60.1 });
    expect(Math.abs(first.technicalScore + first.commercialScore - first.techScore)).to.be.at.most(0.001);
    expect(before.report.content.disqualified.map((b: any) => b.supplierName)).to.include(names[1]);
    const otherUnit = (await (await s.as('finance')).get(`/api/tenders/${t.id}`)).body;
    expect([otherUnit.evaluation, otherUnit.report]).to.deep.equal([null, null]);
    const log = await (await op()).get(`/api/tenders/${t.id}/evaluation/log`);
    const actions = log.body.items.map((x: any) => x.action);
    expect(actions.filter((a: string) => a === 'tender.evaluation.score_changed')).to.have.length(21);
    expect(actions).to.include.members(['tender.evaluation.bid_viewed', 'tender.evaluation.scores_submitted', 'tender.evaluation.explanation_requested', 'tender.evaluation.abnormal_decided', 'bid.disqualified', 'tender.evaluation.completed', 'tender.evaluation.report_confirmed']);
    const changed = log.body.items.find((x: any) => x.action === 'tender.evaluation.score_changed' && x.before);
    expect(changed.before.scoresMilli.technical).to.equal(20_000);
    expect(changed.after.scoresMilli.technical).to.equal(34_000);

    clock.set(Date.UTC(2026, 2, 24, 2, 0, 0)); // Tuesday
    const purchaser = await s.as('purchaser');
    const notFirst = await purchaser.post(`/api/tenders/${t.id}/award`, { bidId: bidOf(C.supplierId) });
    expect(notFirst.body.error.code).to.equal('REASON_REQUIRED');
    const award = await purchaser.post(`/api/tenders/${t.id}/award`, {});
    expect(award.status, JSON.stringify(award.body)).to.equal(200);
    expect(award.body).to.include({ status: 'awarded', awardAmountFen: prices[0] });
    // Announcement runs 1 working day (Wed 25th), then 7 working days: Friday 3 April, to its end in Beijing.
    expect(award.body.challengeEndsAt).to.equal('2026-04-03T15:59:59.999Z');
    expect(award.body.challengeEndsAt).to.equal(challengePeriodEnd(clock.now()).toISOString());
    const ev2 = await db('audit_events').where({ action: 'award.announced', entity_id: String(t.id) }).first();
    expect(JSON.parse(ev2.after_json)).to.include({ supplierId: A.supplierId, amountFen: prices[0] });
    // The award flows into the project: award notice, budget re-frozen at the award price.
    expect(await stageOf(projectId)).to.equal('award_notice');
    const project = await db('procurement_projects').where({ id: projectId }).first();
    expect(Number(project.award_fen)).to.equal(prices[0]);
    expect(project.awarded_supplier_id).to.equal(A.supplierId);
    const handed = await db('audit_events').where({ action: 'project.awarded', entity_type: 'project', entity_id: String(projectId) }).first();
    expect(JSON.parse(handed.after_json)).to.include({ source: 'tender', sourceRef: `tender:${t.reference}`, supplierId: A.supplierId, amountFen: prices[0] });
    const release = await s.client().get(`/api/portal/tenders/${t.id}`);
    expect(release.body.awards[0].value.amountFen).to.equal(prices[0]);
    expect(release.body.bids.details.map((b: any) => b.status)).to.deep.equal(['valid', 'disqualified', 'valid', 'valid', 'invalid', 'invalid']);
    // The award notice as the public reads it: the winner named, the amount in yuan, the challenge deadline in Beijing time.
    const an = await noticeText('award');
    expect(an.bodyZh).to.include(`中标供应商：${names[0]}`).and.include('中标金额：1,000,037.00 元').and.include('质疑截止时间：2026年4月3日 23:59:59（北京时间）');
    expect(an.bodyZh).to.include(`第1名 ${names[0]}（投标报价 1,000,037.00 元，综合得分 83.433）`);
    expect(an.bodyEn).to.include(`Awarded to: ${names[0]}`).and.include('Award amount: CNY 1,000,037.00').and.include('Challenges close: 3 Apr 2026, 23:59:59 (Beijing time)');
    for (const text of [an.bodyZh, an.bodyEn]) expect(text).to.not.match(/null|undefined|UTC|\d{4}-\d\d-\d\dT|\d{7}\.\d\d/);
    // The supervision wing's event contract reads this tender from the audit trail alone.
    const events = await db('audit_events').where({ entity_type: 'tender', entity_id: String(t.id) }).orderBy('seq').select('seq', 'occurred_at', 'actor_id', 'actor_role', 'action', 'entity_type', 'entity_id', 'after_json', 'ip');
    const process = foldProcess(`project:${t.id}`, events);
    expect(process).to.include({ method: 'public_tender', orgId, ceilingFen: 120_000_000, periodEnd: t.bidDeadline });
    expect(process.bids.map((b) => [Number(b.supplierId), b.status])).to.deep.equal([
      [A.supplierId, 'withdrawn'], // replaced by its second bid
      [A.supplierId, 'valid'],
      [B.supplierId, 'disqualified'],
      [C.supplierId, 'valid'],
      [D.supplierId, 'valid'],
      [E.supplierId, 'disqualified'],
      [F.supplierId, 'disqualified'],
    ]);
    expect(process.bids.every((b) => b.ip === '127.0.0.1' || b.ip === '::ffff:127.0.0.1' || b.ip === '::1')).to.equal(true);
    expect(process.awards.filter((a) => a.status === 'active').map((a) => [Number(a.supplierId), a.amountFen])).to.deep.equal([[A.supplierId, prices[0]]]);
    expect((await verifyChain(db)).intact).to.equal(true);

    // The project's challenge period ends when the notice says: a challenge at 18:00 on its last day is received.
    clock.set(Date.UTC(2026, 2, 25, 2, 0, 1)); // the announcement's working day is over
    await s.platform.scheduler.runDue();
    expect(await stageOf(projectId)).to.equal('challenge_period');
    const period = await db('project_stages').where({ project_id: projectId, stage: 'challenge_period' }).first('due_at');
    expect(isoFromDb(period.due_at)).to.equal('2026-04-03T15:59:59.999Z');
    clock.set(Date.UTC(2026, 3, 3, 10, 0, 0)); // Friday 3 April, 18:00 in Beijing
    await s.platform.scheduler.runDue();
    expect(await stageOf(projectId)).to.equal('challenge_period');
    const lastDay = await (await op()).post(`/api/projects/${projectId}/challenges`, { supplierId: C.supplierId, summary: '对评分结果有异议（最后一日 18:00 提出）' });
    expect(lastDay.status, JSON.stringify(lastDay.body)).to.equal(201);
  });

  it('opens a passphrase-sealed bid with the passphrase', async () => {
    clock.set(Date.UTC(2026, 4, 11, 1, 0, 0));
    const t = await publishGoods();
    const kdf = newPassphraseKdf(2000);
    const passSealed = sealBid({ tenderId: t.id, supplierId: suppliers[0].supplierId, priceFen: 88_000_000, responses: { 'r-spec': 'ok' }, attachments: [] }, { passphrase: 'correct horse battery', kdf });
    const c0 = await bidder(0);
    expect((await c0.post(`/api/tenders/${t.id}/bids`, { envelope: passSealed.envelope, digest: passSealed.digest })).status).to.equal(201);
    const others = [];
    for (const i of [1, 2]) others.push((await submit(await bidder(i), t.id, suppliers[i].supplierId, 90_000_000 + i)).sealed.keyHex);
    // The bidder later fetches its own envelope (for the KDF salt) and derives the key again.
    const mine = await c0.get(`/api/tenders/${t.id}/bids/mine`);
    clock.set(new Date(t.openingAt).getTime());
    // Watching live: the tender's channel, and the bidder's own channel telling it to decrypt.
    const watcher = await bidder(0);
    const me = (await watcher.get('/api/me')).body.user;
    const ws = await WsClient.connect(s.url, watcher.cookie);
    ws.send({ type: 'subscribe', channel: `tender:${t.id}` });
    ws.send({ type: 'subscribe', channel: `user:${me.id}` });
    await ws.next((m) => m.type === 'subscribed' && m.channel === `user:${me.id}`);
    await s.platform.scheduler.runDue();
    expect((await ws.next((m) => m.type === 'tender.changed')).status).to.equal('opening');
    expect(await ws.next((m) => m.type === 'tender.decrypt_now')).to.include({ tenderId: t.id });
    const key = keyForEnvelope(mine.body.items[0].envelope, { passphrase: 'correct horse battery' });
    expect((await (await bidder(0)).post(`/api/tenders/${t.id}/opening/key`, { key })).body).to.include({ status: 'decrypted', priceFen: 88_000_000 });
    // The channel says how many are resolved, and the bidder's own channel its own status; no price.
    expect(await ws.next((m) => m.type === 'tender.opening_progress')).to.include({ tenderId: t.id, bids: 3, resolved: 1, pending: 2 });
    expect(await ws.next((m) => m.type === 'tender.my_bid')).to.include({ tenderId: t.id, status: 'decrypted' });
    expect(JSON.stringify(ws.messages)).to.not.include('88000000');
    // No key from the others within the window: their bids are invalid and the tender fails.
    clock.advance(31 * MIN);
    await s.platform.scheduler.runDue();
    const d = await (await op()).get(`/api/tenders/${t.id}`);
    expect(d.body).to.include({ status: 'failed', failureReason: 'TOO_FEW_VALID_BIDS' });
    expect(d.body.openingRecord.map((l: any) => l.invalidReason)).to.deep.equal([null, 'NOT_DECRYPTED', 'NOT_DECRYPTED']);
    // The window closed: the record is out, with the one price, on the channel too.
    expect(d.body.openingRecord[0].priceFen).to.equal(88_000_000);
    const record = await ws.next((m) => m.type === 'tender.opening_record');
    expect(record.record.bids[0]).to.include({ priceFen: 88_000_000 });
    ws.close();
    expect(others).to.have.length(2);
  });

  it('takes a bid with 6 MB of attachments and opens it intact; refuses a larger body (413) and reads none from a stranger (401)', async () => {
    clock.set(Date.UTC(2026, 5, 1, 1, 0, 0));
    const t = await publishGoods();
    const files = [crypto.randomBytes(4 * 1024 * 1024), crypto.randomBytes(2 * 1024 * 1024 - 64 * 1024)];
    const keyHex = randomHex(32);
    const plain = { tenderId: t.id, supplierId: suppliers[0].supplierId, priceFen: 77_000_000, responses: { 'r-spec': '详见附件' }, attachments: files.map((f, i) => ({ name: `资格证明-${i + 1}.pdf`, type: 'application/pdf', dataBase64: f.toString('base64') })) };
    const sealed = sealBid(plain, { keyHex });
    expect(sealed.envelope.length).to.be.above(10_000_000);
    const r = await (await bidder(0)).post(`/api/tenders/${t.id}/bids`, { envelope: sealed.envelope, digest: sealed.digest });
    expect(r.status, JSON.stringify(r.body).slice(0, 300)).to.equal(201);
    expect(r.body.digest).to.equal(sealed.digest);
    // Over the route's limit: 413, and nothing stored for that bidder.
    const big = await (await bidder(1)).post(`/api/tenders/${t.id}/bids`, { envelope: 'A'.repeat(13 * 1024 * 1024), digest: sealed.digest });
    expect(big.status).to.equal(413);
    expect(big.body.error.code).to.equal('PAYLOAD_TOO_LARGE');
    expect(await s.tdb.db('tender_bids').where({ tender_id: t.id, supplier_id: suppliers[1].supplierId }).first()).to.equal(undefined);
    // A large body from someone not logged in is refused before it is read.
    const anon = await s.client().post(`/api/tenders/${t.id}/bids`, { envelope: 'A'.repeat(5_000_000), digest: sealed.digest });
    expect(anon.status).to.equal(401);
    // Other routes keep the 1 MB default.
    expect((await (await op()).request('PUT', `/api/tenders/${t.id}`, { description: 'x'.repeat(1_100_000) })).status).to.equal(413);
    for (const i of [1, 2]) expect((await submit(await bidder(i), t.id, suppliers[i].supplierId, 80_000_000 + i)).r.status).to.equal(201);
    // Reading the bids before the opening is refused, and the attempt is audited and alerted on (SV10).
    const early = await (await op()).get(`/api/tenders/${t.id}/evaluation`);
    expect(early.status).to.equal(409);
    expect(early.body.error.code).to.equal('NOT_IN_EVALUATION');
    const attempt = await s.tdb.db('audit_events').where({ action: 'sealed.read_attempt', entity_type: 'tender', entity_id: String(t.id) }).first();
    expect(JSON.parse(attempt.after_json)).to.include({ what: 'tender.evaluation', status: 'published' });
    expect(attempt.actor_role).to.equal('operator');
    const engine = (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: { idle(): Promise<void> } }).engine;
    await engine.idle();
    expect(await s.tdb.db('sv_alerts').where({ rule_code: 'SV10', subject_id: String(t.id) }).first()).to.exist;
    clock.set(new Date(t.openingAt).getTime());
    await s.platform.scheduler.runDue();
    const opened = await (await bidder(0)).post(`/api/tenders/${t.id}/opening/key`, { key: keyHex });
    expect(opened.body).to.include({ status: 'decrypted', priceFen: 77_000_000 });
    // Opened, but kept sealed (under the seal key) until the opening record.
    const during = await s.tdb.db('tender_bids').where({ tender_id: t.id, supplier_id: suppliers[0].supplierId, status: 'decrypted' }).first();
    expect([during.opened_json, during.price_fen]).to.deep.equal([null, null]);
    expect(during.opened_sealed).to.match(/^v1\./);
    clock.advance(31 * MIN);
    await s.platform.scheduler.runDue();
    const row = await s.tdb.db('tender_bids').where({ id: during.id }).first();
    expect(row.opened_sealed).to.equal(null);
    const back = JSON.parse(row.opened_json).attachments.map((a: { dataBase64: string }) => Buffer.from(a.dataBase64, 'base64'));
    expect(back.map((b: Buffer) => b.length)).to.deep.equal(files.map((f) => f.length));
    expect(back.every((b: Buffer, i: number) => b.equals(files[i]))).to.equal(true);
  });

  it('opens at the opening time even when the server was down then (the job is durable and catches up)', async () => {
    clock.set(Date.UTC(2026, 6, 6, 1, 0, 0));
    const t = await publishGoods();
    for (const i of [0, 1, 2]) expect((await submit(await bidder(i), t.id, suppliers[i].supplierId, 60_000_000 + i)).r.status).to.equal(201);
    // A new process on the same database, started an hour after the opening time.
    clock.set(new Date(t.openingAt).getTime() + 3_600_000);
    const restarted = createPlatform({ config: s.config, db: s.tdb.db, clock, log: createLogger('silent'), autoStartScheduler: false });
    try {
      expect(await restarted.scheduler.runDue()).to.be.at.least(1);
    } finally {
      await restarted.close();
    }
    const d = await (await op()).get(`/api/tenders/${t.id}`);
    expect(d.body.status).to.equal('opening');
    // The decryption window runs from when the session actually started.
    expect(d.body.decryptionEndsAt).to.equal(new Date(clock.now().getTime() + 30 * MIN).toISOString());
  });

  it('fails the tender with fewer than 3 bids at the deadline and hands the project back to the workflow', async () => {
    clock.set(Date.UTC(2026, 5, 1, 1, 0, 0));
    const projectId = await tenderProject(2_200_000);
    const t = await publishGoods({ projectId });
    for (const i of [0, 1]) expect((await submit(await bidder(i), t.id, suppliers[i].supplierId, 50_000_000)).r.status).to.equal(201);
    clock.set(new Date(t.openingAt).getTime());
    await s.platform.scheduler.runDue();
    const d = await (await op()).get(`/api/tenders/${t.id}`);
    expect(d.body).to.include({ status: 'failed', failureReason: 'TOO_FEW_BIDS' });
    const failed = await s.tdb.db('audit_events').where({ action: 'tender.failed', entity_id: String(t.id) }).first();
    expect(JSON.parse(failed.after_json)).to.include({ reason: 'TOO_FEW_BIDS', bids: 2, projectId });
    expect(await stageOf(projectId)).to.equal('failed'); // back to the workflow: re-tender or another method
    expect(await s.tdb.db('audit_events').where({ action: 'project.failed', entity_type: 'project', entity_id: String(projectId) }).first()).to.exist;
    expect(await s.tdb.db('notices').where({ project_ref: t.reference, kind: 'failure' }).first()).to.exist;
    // The unopened ciphertext is not kept.
    expect(await s.tdb.db('tender_bids').where({ tender_id: t.id }).whereNotNull('envelope').first()).to.equal(undefined);
  });
});
