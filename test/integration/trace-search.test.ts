// The trace is found by the references people use: the tender number, the project, requisition,
// competition, contract and payment numbers, a supplier's credit code (any case), or an id with
// its kind; an unknown reference is 404 TRACE_SUBJECT_NOT_FOUND, never an empty verified trace.
// The answer carries the names a story needs (people, units, suppliers, references).
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { TestClient } from '../helpers/http';

describe(`supervision: the trace found by any reference people use (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  let sup: TestClient;
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
    sup = await s.as('supervisor');
  });
  after(() => s?.stop());

  const trace = (q: string) => sup.get(`/api/supervision/trace?${q}`);

  it('finds a tender by its number (any case) and tells who bid by name', async () => {
    const awarded = await s.tdb.db('tenders').where({ status: 'awarded' }).first('id', 'reference', 'title', 'purchasing_org_id');
    for (const ref of [awarded.reference, awarded.reference.toLowerCase()]) {
      const r = await trace(`subjectId=${encodeURIComponent(ref)}`);
      expect(r.status, JSON.stringify(r.body)).to.equal(200);
      expect(r.body.subject).to.deep.equal({ type: 'tender', id: String(awarded.id), reference: awarded.reference, title: awarded.title });
    }
    const r = await trace(`subjectId=${awarded.reference}`);
    const actions = r.body.events.map((e: any) => e.action);
    expect(actions).to.include.members(['tender.published', 'bid.submitted', 'tender.opened', 'bid.decrypted', 'tender.opening_record', 'tender.awarded']);
    expect(r.body.verification.allIntact).to.equal(true);
    // Names for the story: every bidder, the unit, the people, and the tender's own number.
    const bidders = await s.tdb.db('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where('b.tender_id', awarded.id).distinct('s.id', 's.name');
    for (const b of bidders) expect(r.body.names.suppliers[b.id]).to.equal(b.name);
    expect(r.body.names.refs[`tender:${awarded.id}`]).to.equal(awarded.reference);
    const actors = [...new Set(r.body.events.map((e: any) => e.actorId).filter(Boolean))] as number[];
    for (const a of actors) expect(r.body.names.users[a], `user ${a}`).to.be.a('string');
    // The export is named by the reference.
    const csv = await sup.request('GET', `/api/supervision/trace?subjectId=${awarded.reference}&format=csv`);
    expect(csv.headers.get('content-disposition')).to.contain(`trace-tender-${awarded.reference}.csv`);
  });

  it('finds a project, a requisition, a competition, a contract (also by a payment number) and a supplier by their numbers', async () => {
    const db = s.tdb.db;
    const project = await db('procurement_projects').first('id', 'ref');
    const requisition = await db('requisitions').whereNot('ref', 'like', 'TMP-%').first('id', 'ref');
    const auction = await db('auctions').first('id', 'code');
    const contract = await db('contracts').first('id', 'ref');
    const payment = await db('payment_requests').first('contract_id', 'ref');
    const supplier = await db('suppliers').first('id', 'credit_code', 'name');
    const cases: Array<[string, string, string]> = [
      [project.ref, 'project', String(project.id)],
      [requisition.ref, 'requisition', String(requisition.id)],
      [auction.code, 'competition', String(auction.id)],
      [contract.ref, 'contract', String(contract.id)],
      [payment.ref, 'contract', String(payment.contract_id)],
      [supplier.credit_code, 'supplier', String(supplier.id)],
    ];
    for (const [ref, type, id] of cases) {
      const r = await trace(`subjectId=${encodeURIComponent(ref)}`);
      expect(r.status, `${ref}: ${JSON.stringify(r.body)}`).to.equal(200);
      expect([r.body.subject.type, r.body.subject.id], ref).to.deep.equal([type, id]);
    }
    // The kind narrows the search: a tender number is not a project.
    const tender = await db('tenders').first('reference');
    expect((await trace(`subjectType=project&subjectId=${tender.reference}`)).body.error.code).to.equal('TRACE_SUBJECT_NOT_FOUND');
    // An id with its kind still works.
    expect((await trace(`subjectType=project&subjectId=${project.id}`)).body.subject).to.include({ type: 'project', reference: project.ref });
  });

  it('says not found for a reference or id that names nothing (no green empty trace)', async () => {
    for (const q of ['subjectId=ZB2099-99999', 'subjectId=PRJ-2099-000001', 'subjectType=tender&subjectId=999999', 'subjectId=999999']) {
      const r = await trace(q);
      expect([r.status, r.body.error?.code], q).to.deep.equal([404, 'TRACE_SUBJECT_NOT_FOUND']);
    }
    expect((await trace('subjectId=bad%20ref')).status).to.equal(400);
  });
});
