import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withCheckChar } from '../../server/execution/suppliers/credit-code';
import { assertSupplierMayAct } from '../../server/execution/suppliers/eligibility';

const application = (n: number, over: Record<string, unknown> = {}) => ({
  qualifications: {
    name: `阳光市测试${n}科技有限公司`,
    creditCode: withCheckChar(`91330100MA2T${String(n).padStart(4, '0')}Q`),
    legalRep: '王明',
    size: 'small',
    registeredCapitalWan: 800,
    categories: ['A02010104', 'A02021003'],
    brands: [{ categoryCode: 'A02010104', brand: '联想', model: '启天M437' }],
  },
  details: { address: '阳光市高新区1号', region: '330100', website: null, contacts: [{ name: '李销售', position: '销售经理', phone: '13800001111', email: `sales${n}@t.example.cn` }] },
  account: { username: `applicant${n}`, password: `Applicant${n}pass`, displayName: '李销售' },
  ...over,
});

describe(`supplier library (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0));
  let s: TestServer;
  before(async () => (s = await startTestServer({ clock })));
  after(() => s.stop());

  it('registers from the portal with a validated credit code and a login, and refuses duplicates', async () => {
    const anon = s.client();
    const bad = application(1);
    bad.qualifications.creditCode = bad.qualifications.creditCode.slice(0, 17) + (bad.qualifications.creditCode[17] === '0' ? '1' : '0');
    const r0 = await anon.post('/api/portal/supplier-registrations', bad);
    expect(r0.status).to.equal(400);
    expect(r0.body.error.code).to.equal('INVALID_CREDIT_CODE');
    const stray = application(1);
    stray.qualifications.brands = [{ categoryCode: 'A05010100', brand: '圣奥', model: 'X' }];
    expect((await anon.post('/api/portal/supplier-registrations', stray)).body.error.code).to.equal('BRAND_OUTSIDE_CATEGORIES');
    const r = await anon.post('/api/portal/supplier-registrations', application(1));
    expect(r.status, JSON.stringify(r.body)).to.equal(201);
    expect(r.body.status).to.equal('pending');
    const dup = await anon.post('/api/portal/supplier-registrations', { ...application(1), account: { username: 'another1', password: 'Another1pass', displayName: 'x' } });
    expect(dup.status).to.equal(409);
    expect(dup.body.error.code).to.equal('CREDIT_CODE_TAKEN');
    // The new account logs in and sees its application, which may not act yet.
    const me = s.client();
    expect((await me.login('applicant1', 'Applicant1pass')).status).to.equal(200);
    const mine = await me.get('/api/my/supplier');
    expect(mine.body).to.include({ status: 'pending', name: '阳光市测试1科技有限公司' });
    expect(mine.body.contacts[0].email).to.equal('sales1@t.example.cn');
    let code = '';
    await assertSupplierMayAct(s.tdb.db, r.body.supplierId, clock.now(), 'join_competition').catch((e) => (code = e.code));
    expect(code).to.equal('SUPPLIER_NOT_APPROVED');
  });

  it('lets an operator ask for more, the supplier resubmit, and the operator approve', async () => {
    const op = await s.as('operator');
    const id = (await s.tdb.db('suppliers').where({ credit_code: application(1).qualifications.creditCode }).first('id')).id;
    const noReason = await op.post(`/api/suppliers/${id}/review`, { decision: 'request_more' });
    expect(noReason.body.error.code).to.equal('REASON_REQUIRED');
    expect((await op.post(`/api/suppliers/${id}/review`, { decision: 'request_more', reason: '请补充社保证明' })).body.status).to.equal('more_info');
    expect((await op.post(`/api/suppliers/${id}/review`, { decision: 'approve' })).body.error.code).to.equal('NOT_AWAITING_REVIEW');
    const me = s.client();
    await me.login('applicant1', 'Applicant1pass');
    expect((await me.get('/api/my/supplier')).body.reviewReason).to.equal('请补充社保证明');
    const again = await me.request('PUT', '/api/my/supplier/qualifications', { ...application(1).qualifications, registeredCapitalWan: 1000 });
    expect(again.status).to.equal(200);
    expect(again.body.status).to.equal('pending');
    const ok = await op.post(`/api/suppliers/${id}/review`, { decision: 'approve' });
    expect(ok.body.status).to.equal('approved');
    await assertSupplierMayAct(s.tdb.db, id, clock.now(), 'submit_bid');
    const detail = await op.get(`/api/suppliers/${id}`);
    expect(detail.body.reviews.map((r: any) => r.decision)).to.deep.equal(['submitted', 'request_more', 'submitted', 'approve']);
  });

  it('keeps an approved profile in force while a qualification change is reviewed; contacts change at once', async () => {
    const op = await s.as('operator');
    const me = s.client();
    await me.login('applicant1', 'Applicant1pass');
    const id = (await me.get('/api/my/supplier')).body.id;
    const contacts = await me.request('PUT', '/api/my/supplier/contacts', { address: '阳光市滨江区8号', region: '330100', website: 'https://t.example.cn', contacts: [{ name: '赵新', position: '总经理', phone: '13900002222', email: 'boss@t.example.cn' }] });
    expect(contacts.status).to.equal(200);
    expect(contacts.body).to.include({ address: '阳光市滨江区8号', contactName: '赵新', status: 'approved' });
    const change = await me.request('PUT', '/api/my/supplier/qualifications', { ...application(1).qualifications, categories: ['A02010104', 'A02021003', 'A02020800'] });
    expect(change.body).to.include({ status: 'approved' });
    const d = await op.get(`/api/suppliers/${id}`);
    expect(d.body.status).to.equal('approved');
    expect(d.body.categories).to.not.include('A02020800');
    expect(d.body.pendingChange.changes.categories).to.include('A02020800');
    expect((await op.get('/api/suppliers?pendingChanges=true')).body.items.map((x: any) => x.id)).to.include(id);
    const approved = await op.post(`/api/suppliers/${id}/change-requests/${d.body.pendingChange.id}/review`, { decision: 'approve' });
    expect(approved.status).to.equal(200);
    expect((await op.get(`/api/suppliers/${id}`)).body.categories).to.include('A02020800');
  });

  it('keeps a credit record and a dated blacklist that is enforced, and can be lifted', async () => {
    const sup = await s.as('supervisor');
    const id = (await s.tdb.db('suppliers').where({ status: 'approved' }).orderBy('id').first('id')).id;
    const future = await sup.post(`/api/suppliers/${id}/credit-records`, { kind: 'collusion', description: '串通投标', source: '阳财采〔2026〕1号', occurredOn: '2027-01-01' });
    expect(future.body.error.code).to.equal('DATE_IN_FUTURE');
    expect((await sup.post(`/api/suppliers/${id}/credit-records`, { kind: 'collusion', description: '串通投标', source: '阳财采〔2026〕1号', occurredOn: '2026-10-01' })).status).to.equal(201);
    const bl = await sup.post(`/api/suppliers/${id}/blacklist`, { reason: '串通投标', source: '阳财采〔2026〕1号', startsAt: '2026-11-01T00:00:00Z', endsAt: '2027-11-01T00:00:00Z' });
    expect(bl.status).to.equal(201);
    let code = '';
    await assertSupplierMayAct(s.tdb.db, id, clock.now(), 'sign_contract').catch((e) => (code = e.code));
    expect(code).to.equal('SUPPLIER_BLACKLISTED');
    const op = await s.as('operator');
    const d = await op.get(`/api/suppliers/${id}`);
    expect(d.body.blacklisted).to.equal(true);
    expect(d.body.creditRecords[0]).to.include({ kind: 'collusion', occurredOn: '2026-10-01', source: '阳财采〔2026〕1号' });
    expect((await op.get('/api/suppliers?blacklisted=true')).body.items.map((x: any) => x.id)).to.include(id);
    const lifted = await sup.post(`/api/suppliers/${id}/blacklist/${bl.body.id}/lift`, { reason: '复议撤销' });
    expect(lifted.status).to.equal(204);
    await assertSupplierMayAct(s.tdb.db, id, clock.now(), 'sign_contract');
    const audit = await s.tdb.db('audit_events').where({ entity_type: 'supplier', entity_id: String(id) }).pluck('action');
    expect(audit).to.include.members(['supplier.credit_recorded', 'supplier.blacklisted', 'supplier.blacklist_lifted']);
  });

  it('shows a supplier only its own record', async () => {
    const me = await s.as('supplier');
    const own = (await me.get('/api/my/supplier')).body.id;
    expect((await me.get(`/api/suppliers/${own}`)).status).to.equal(200);
    expect((await me.get(`/api/suppliers/${own + 1}`)).status).to.equal(404);
  });
});
