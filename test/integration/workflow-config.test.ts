// Configuration and the boundaries with other wings: per-organisation approval chains, city rule
// values, the execution wing's recordAward, supplier eligibility at signing, and who sees what.
import { expect } from 'chai';
import crypto from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock, toDbTime } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { recordAward, projectForExecution } from '../../server/core/projects/service';
import { DAY, YUAN, advance, approveAll, cast, item, ok, raise, type Cast, startWorkflowServer } from './workflow-helpers';

describe(`workflow configuration and boundaries (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  it('runs an organisation its own approval chain, configured by the admin', async () => {
    const admin = await s.as('admin');
    const pu01 = (await s.tdb.db('organisations').where({ code: 'PU01' }).first()).id;
    expect((await ok(c.purchaser.get(`/api/approval-chains/${pu01}`))).source).to.equal('built_in');
    expect((await c.purchaser.request('PUT', `/api/approval-chains/${pu01}`, { steps: [] })).status).to.equal(403);
    const noUnit = await admin.request('PUT', `/api/approval-chains/${pu01}`, { steps: [{ nameZh: '财政', nameEn: 'Finance', approverRole: 'finance', approverScope: 'finance_bureau', timeLimitWorkingDays: 2 }] });
    expect(noUnit.body.error.code).to.equal('CHAIN_NEEDS_UNIT_STEP');
    await ok(admin.request('PUT', `/api/approval-chains/${pu01}`, { steps: [
      { nameZh: '单位负责人', nameEn: 'Unit head', approverRole: 'approver', approverScope: 'own_unit', timeLimitWorkingDays: 1 },
      { nameZh: '采购中心', nameEn: 'Procurement centre', approverRole: 'operator', approverScope: 'procurement_centre', timeLimitWorkingDays: 1 },
    ] }));
    const req = await raise(c, [item('A02021003', 2, 3_000)]);
    expect(req.approvals.map((a: any) => a.nameEn)).to.deep.equal(['Unit head', 'Procurement centre']);
    for (const who of [c.approver, c.operator]) {
      const step = (await ok(who.get('/api/approvals/inbox'))).items.find((i: any) => i.requisitionId === req.id);
      await ok(who.post(`/api/approvals/${step.id}/decision`, { decision: 'approve' }));
    }
    expect((await ok(c.purchaser.get(`/api/requisitions/${req.id}`))).status).to.equal('approved');
    await ok(admin.request('PUT', `/api/approval-chains/${pu01}`, { steps: [
      { nameZh: '单位负责人审批', nameEn: 'Unit head approval', approverRole: 'approver', approverScope: 'own_unit', timeLimitWorkingDays: 2 },
      { nameZh: '财政预算审核', nameEn: 'Finance budget review', approverRole: 'finance', approverScope: 'finance_bureau', timeLimitWorkingDays: 3 },
      { nameZh: '采购中心受理', nameEn: 'Procurement centre acceptance', approverRole: 'operator', approverScope: 'procurement_centre', timeLimitWorkingDays: 2 },
    ] }));
  });

  it("applies a city's own threshold from the rule book, with its source", async () => {
    const admin = await s.as('admin');
    const rules = await ok(c.purchaser.get('/api/rules'));
    expect(rules.rules.find((r: any) => r.key === 'tenderBiddingPeriodDays').source).to.match(/Order No\. 87/);
    await ok(admin.request('PUT', '/api/rules/publicTenderThresholdGoodsServicesFen', { value: 4_000_000 * YUAN, source: 'Province X notice 2026 No. 1' }));
    const req = await raise(c, [item('C1603', 1, 2_500_000)]);
    expect(req.method).to.equal('competitive_negotiation');
    await ok(admin.request('PUT', '/api/rules/publicTenderThresholdGoodsServicesFen', { value: 2_000_000 * YUAN, source: 'State Council General Office notice' }));
    await ok(c.purchaser.post(`/api/requisitions/${req.id}/cancel`, { reason: 'test done' }));
    expect((await admin.request('PUT', '/api/rules/noSuchRule', { value: 1, source: 'xx' })).status).to.equal(404);
  });

  it('takes results from the execution wing through recordAward, and hands it the project', async () => {
    const req = await raise(c, [item('A02010104', 10, 5_000)]);
    const pid = await approveAll(c, req.id);
    const exec = await projectForExecution(s.tdb.db, pid);
    expect(exec).to.include({ method: 'online_price_competition', stage: 'competition', budgetFen: 50_000 * YUAN, frameworkGoods: true });
    const actor = systemActor('auction-close', s.clock);
    await withTx(s.tdb.db, (tx) => recordAward(tx, actor, { projectId: pid, supplierId: c.supplierId, amountFen: 45_000 * YUAN, source: 'auction', sourceRef: 'AUC-42' }));
    const p = await ok(c.operator.get(`/api/projects/${pid}`));
    expect(p).to.include({ stage: 'award_notice', awardFen: 45_000 * YUAN, awardSource: 'auction', awardSourceRef: 'AUC-42' });
    // A second result for the same project is refused, and nothing changes.
    let err: any;
    await withTx(s.tdb.db, (tx) => recordAward(tx, actor, { projectId: pid, supplierId: c.supplierId, amountFen: 40_000 * YUAN, source: 'auction', sourceRef: 'AUC-43' })).catch((e) => (err = e));
    expect(err.status).to.equal(409);
    expect((await ok(c.operator.get(`/api/projects/${pid}`))).awardFen).to.equal(45_000 * YUAN);
  });

  it('refuses a blacklisted supplier at signing, and shows a supplier only its own projects', async () => {
    const req = await raise(c, [item('A02010108', 5, 3_000)]);
    const pid = await approveAll(c, req.id);
    await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 14_000 * YUAN }));
    await advance(s, 16 * DAY);
    const contract = await ok(c.operator.post('/api/contracts', { projectId: pid, terms: 'per the award' }), 201);
    const now = s.clock.now().getTime();
    const [bl] = await s.tdb.db('supplier_blacklist').insert({ supplier_id: c.supplierId, reason: 'false documents', source: 'Finance Bureau decision 2026-7', starts_at: toDbTime(now - DAY), ends_at: toDbTime(now + 365 * DAY), created_at: toDbTime(now) });
    const refused = await c.supplier.post(`/api/contracts/${contract.id}/sign`);
    expect(refused.status).to.equal(403);
    expect(refused.body.error.code).to.equal('SUPPLIER_BLACKLISTED');
    expect((await ok(c.operator.get(`/api/contracts/${contract.id}`))).supplierSignedAt).to.equal(null);
    await s.tdb.db('supplier_blacklist').where({ id: bl }).update({ lifted_at: toDbTime(now) });
    await ok(c.supplier.post(`/api/contracts/${contract.id}/sign`));
    // The supplier's project list holds only projects awarded to it.
    const mine = await ok(c.supplier.get('/api/projects?pageSize=200'));
    expect(mine.items.every((p: any) => p.awardedSupplierId === c.supplierId)).to.equal(true);
    const other = await s.tdb.db('procurement_projects').whereNull('awarded_supplier_id').first();
    expect((await c.supplier.get(`/api/projects/${other.id}`)).status).to.equal(404);
  });
});

describe(`workflow live notifications (${TEST_DIALECT})`, function () {
  this.timeout(30000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  it('tells the approver when a step reaches the inbox and the purchaser when it is decided', async () => {
    const { WsClient } = await import('../helpers/ws');
    const approverMe = (await c.approver.get('/api/me')).body.user;
    const purchaserMe = (await c.purchaser.get('/api/me')).body.user;
    const aws = await WsClient.connect(s.url, c.approver.cookie);
    const pws = await WsClient.connect(s.url, c.purchaser.cookie);
    try {
      aws.send({ type: 'subscribe', channel: `user:${approverMe.id}` });
      pws.send({ type: 'subscribe', channel: `user:${purchaserMe.id}` });
      await aws.next((m) => m.type === 'subscribed');
      await pws.next((m) => m.type === 'subscribed');
      const req = await raise(c, [item('A02021003', 1, 3_000)]);
      const pending = await aws.next((m) => m.type === 'approval.pending' && m.requisitionId === req.id, 10_000);
      expect(pending.ref).to.equal(req.ref);
      await ok(c.approver.post(`/api/approvals/${pending.stepId}/decision`, { decision: 'reject', comment: 'not this year' }));
      const updated = await pws.next((m) => m.type === 'requisition.updated' && m.requisitionId === req.id && m.status === 'rejected', 10_000);
      expect(updated.ref).to.equal(req.ref);
      // A refused decision (already decided) announces nothing new (once earlier announcements settled).
      await new Promise((r) => setTimeout(r, 500));
      const before = pws.messages.length;
      expect((await c.approver.post(`/api/approvals/${pending.stepId}/decision`, { decision: 'approve' })).status).to.equal(409);
      await new Promise((r) => setTimeout(r, 500));
      expect(pws.messages.length).to.equal(before);
    } finally {
      aws.close();
      pws.close();
    }
  });
});

describe(`requisition attachments (${TEST_DIALECT})`, function () {
  this.timeout(30000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  it('stores files with the draft, serves them to readers, and freezes them on submission', async () => {
    const draft = await ok(c.purchaser.post('/api/requisitions', { title: 'With files', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'see the report', items: [item('A02021003', 1, 3_000)] }), 201);
    const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(2000, 7)]);
    const up = await ok(c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, { name: '需求论证报告.pdf', contentType: 'application/pdf', contentBase64: pdf.toString('base64') }), 201);
    expect(up.attachments).to.have.length(1);
    const a = up.attachments[0];
    expect(a).to.include({ name: '需求论证报告.pdf', size: pdf.length, contentType: 'application/pdf' });
    const bad = await c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, { name: 'x.exe', contentType: 'application/x-msdownload', contentBase64: 'AAAA' });
    expect(bad.body.error.code).to.equal('ATTACHMENT_TYPE_NOT_ALLOWED');
    const big = await c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, { name: 'big.pdf', contentType: 'application/pdf', contentBase64: Buffer.alloc(10 * 1024 * 1024 + 1024).toString('base64') });
    expect(big.body.error.code).to.equal('ATTACHMENT_TOO_LARGE');
    // A 9 MB scan is fine, and comes back byte for byte.
    const scan = Buffer.concat([Buffer.from('%PDF-1.4\n'), crypto.randomBytes(9 * 1024 * 1024)]);
    const withScan = await ok(c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, { name: '报废鉴定扫描件.pdf', contentType: 'application/pdf', contentBase64: scan.toString('base64') }), 201);
    const scanned = withScan.attachments.find((x: { name: string }) => x.name === '报废鉴定扫描件.pdf');
    expect(scanned.size).to.equal(scan.length);
    const scanRes = await fetch(`${s.url}/api/requisitions/${draft.id}/attachments/${scanned.sha256}`, { headers: { cookie: c.purchaser.cookie } });
    expect(Buffer.from(await scanRes.arrayBuffer()).equals(scan)).to.equal(true);
    await ok(c.purchaser.post(`/api/requisitions/${draft.id}/submit`));
    // The approver downloads the very bytes.
    const res = await fetch(`${s.url}/api/requisitions/${draft.id}/attachments/${a.sha256}`, { headers: { cookie: c.approver.cookie } });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-disposition')).to.contain(encodeURIComponent('需求论证报告.pdf'));
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).to.equal(true);
    // Submitted: the file list is part of what is being approved.
    const late = await c.purchaser.post(`/api/requisitions/${draft.id}/attachments`, { name: 'late.txt', contentType: 'text/plain', contentBase64: Buffer.from('late').toString('base64') });
    expect(late.status).to.equal(409);
    expect((await c.purchaser.request('DELETE', `/api/requisitions/${draft.id}/attachments/${a.sha256}`)).status).to.equal(409);
    // Another unit's staff cannot fetch it.
    const fin = await fetch(`${s.url}/api/requisitions/${draft.id}/attachments/${'0'.repeat(64)}`, { headers: { cookie: c.approver.cookie } });
    expect(fin.status).to.equal(404);
  });
});

describe(`workflow deadlines across a restart (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  it('a bidding deadline that passes while the server is down is enforced at the next start (catch-up)', async () => {
    const { createPlatform } = await import('../../server/platform');
    const { createLogger } = await import('../../server/http/log');
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
    const s = await startTestServer({ clock });
    let second: Awaited<ReturnType<typeof createPlatform>> | null = null;
    try {
      const c = await cast(s);
      const req = await raise(c, [item('C1603', 1, 2_500_000)]);
      const pid = await approveAll(c, req.id);
      await ok(c.operator.post(`/api/projects/${pid}/notice`, { deadlineAt: new Date(clock.now().getTime() + 21 * DAY).toISOString() }));
      await ok(c.operator.post(`/api/projects/${pid}/documents`, {}));
      await s.platform.close(); // the server goes down before the deadline
      clock.advance(30 * DAY);
      second = createPlatform({ config: s.config, db: s.tdb.db, clock, log: createLogger('silent'), autoStartScheduler: false });
      await second.listen(0, '127.0.0.1');
      while ((await second.scheduler.runDue()) > 0);
      const p = await s.tdb.db('procurement_projects').where({ id: pid }).first();
      expect(p.stage).to.equal('opening');
      const st = await s.tdb.db('project_stages').where({ project_id: pid, stage: 'bidding_open' }).first();
      expect(st.exited_at).to.be.a('string');
    } finally {
      await second?.close();
      await s.tdb.destroy();
    }
  });
});
