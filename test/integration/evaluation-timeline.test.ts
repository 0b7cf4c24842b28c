// The evaluation session on one timeline (issue 16): a supervisor reads a demo evaluation's
// timeline and watches it live over WebSocket while a committee member signs in, opens a bid and
// scores it.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { WsClient } from '../helpers/ws';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';

describe(`evaluation timeline, live for supervisors; tender receipts in the chain (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  const sockets: WsClient[] = [];
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(async () => {
    sockets.forEach((w) => w.close());
    await s?.stop();
  });

  it('shows the whole evaluation so far and pushes each new step: sign-in, bid opened, score with before and after', async () => {
    const tender = await s.tdb.db('tenders').where({ status: 'evaluation' }).first('id');
    expect(tender, 'the demo has a tender in evaluation').to.exist;
    const sup = await s.as('supervisor');
    const t = await sup.get(`/api/supervision/evaluations/${tender.id}/timeline`);
    expect(t.status).to.equal(200);
    const kinds = new Set(t.body.entries.map((e: any) => e.kind));
    for (const k of ['committee', 'bid_opened', 'score', 'submitted', 'explanation']) expect(kinds, k).to.include(k);
    const seqs = t.body.entries.map((e: any) => e.seq);
    expect(seqs).to.deep.equal([...seqs].sort((a: number, b: number) => a - b));
    expect((await sup.get('/api/supervision/evaluations/999999/timeline')).status).to.equal(404);
    expect((await (await s.as('expert')).get(`/api/supervision/evaluations/${tender.id}/timeline`)).status).to.equal(403);

    const ws = await WsClient.connect(s.url, sup.cookie);
    sockets.push(ws);
    const channel = `supervision:evaluation:${tender.id}`;
    ws.send({ type: 'subscribe', channel });
    const snap = await ws.next((m) => m.type === 'evaluation.timeline');
    expect(snap.entries.length).to.be.at.least(t.body.entries.length); // the expert signed in above
    // Not for the committee itself.
    const expert = await s.as('expert');
    const wsExpert = await WsClient.connect(s.url, expert.cookie);
    sockets.push(wsExpert);
    wsExpert.send({ type: 'subscribe', channel });
    expect((await wsExpert.next((m) => m.type === 'error')).code).to.equal('FORBIDDEN_CHANNEL');

    // The member signs in (again): the supervisor sees it live.
    const member = await s.as('expert');
    const signIn = await ws.next((m) => m.type === 'evaluation.entry' && m.entry.kind === 'sign_in', 5000);
    expect(signIn.entry.ip).to.be.a('string');
    expect(signIn.entry.expertId).to.be.a('number');
    const view = await member.get(`/api/tenders/${tender.id}/evaluation`);
    expect(view.status, JSON.stringify(view.body)).to.equal(200);
    const bid = view.body.bids[0];
    expect((await member.get(`/api/tenders/${tender.id}/evaluation/bids/${bid.bidId}`)).status).to.equal(200);
    const opened = await ws.next((m) => m.type === 'evaluation.entry' && m.entry.kind === 'bid_opened' && m.entry.bidId === bid.bidId && m.entry.expertId === signIn.entry.expertId, 5000);
    expect(opened.tenderId).to.equal(tender.id);
    const compliance = Object.fromEntries(view.body.qualifications.map((q: any) => [q.key, true]));
    const scores = Object.fromEntries(view.body.criteria.filter((c: any) => c.kind !== 'price').map((c: any) => [c.key, c.weight / 2]));
    const saved = await member.request('PUT', `/api/tenders/${tender.id}/evaluation/bids/${bid.bidId}/scores`, { compliance, scores });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
    const scored = await ws.next((m) => m.type === 'evaluation.entry' && m.entry.kind === 'score' && m.entry.bidId === bid.bidId && m.entry.expertId === signIn.entry.expertId, 5000);
    expect(Object.keys(scored.entry.after.scoresMilli)).to.have.members(Object.keys(scores));
    // Afterwards the same story from the trail, sign-ins included.
    const later = await sup.get(`/api/supervision/evaluations/${tender.id}/timeline`);
    expect(later.body.entries.some((e: any) => e.kind === 'sign_in' && e.expertId === signIn.entry.expertId)).to.equal(true);
    expect(later.body.entries.at(-1).seq).to.equal(scored.entry.seq);
  });

  it("a sealed tender bid's receipt points to the audit event that recorded it, and the supplier's receipts list it with that event", async () => {
    // A public tender (the demo supplier is not invited to every invitational one).
    const tender = await s.tdb.db('tenders').where({ status: 'published' }).whereNotExists(s.tdb.db('procurement_projects as pp').whereRaw('pp.id = tenders.project_id').where('pp.method', 'invitational_tender')).orderBy('id').first('id');
    const supplier = await s.as('supplier');
    const supplierId = (await s.tdb.db('users').where({ username: 'supplier' }).first('supplier_id')).supplier_id;
    const sealed = sealBid({ tenderId: tender.id, supplierId, priceFen: 230_000_000, responses: { spec: 'ok' }, attachments: [] }, { keyHex: randomHex(32) });
    const r = await supplier.post(`/api/tenders/${tender.id}/bids`, { envelope: sealed.envelope, digest: sealed.digest });
    expect([200, 201], JSON.stringify(r.body)).to.include(r.status);
    const ev = await s.tdb.db('audit_events').where({ seq: r.body.audit.seq }).first();
    expect(ev).to.include({ action: 'bid.submitted', hash: r.body.audit.hash });
    expect(JSON.parse(ev.after_json)).to.include({ receiptNo: r.body.receiptNo, supplierId });
    const mine = await supplier.get('/api/my/audit-receipts');
    const receipt = mine.body.items.find((x: any) => x.ref === r.body.receiptNo);
    expect(receipt).to.include({ kind: 'tender_bid', processId: tender.id, proof: null }); // no checkpoint yet (none under NODE_ENV=test)
    expect(receipt.audit).to.deep.equal(r.body.audit);
    expect(receipt.event.hash).to.equal(r.body.audit.hash);
  });
});
