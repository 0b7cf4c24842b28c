// The finance bureau's link: HMAC signatures, idempotent pushes, and the webhook outbox retrying
// with backoff until the finance system is back (driven by finance-sim's client and receiver).
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { signedHeaders } from '../../server/core/finance/signature';
import { backoffMs } from '../../server/core/finance/outbox';
import { startWebhookReceiver } from '../../scripts/finance-sim/client';
import { advance, approveAll, cast, item, ok, raise, YUAN, DAY, type Cast, startWorkflowServer } from './workflow-helpers';

describe(`finance link API v1 (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer()));
  after(async () => s?.stop());

  const url = () => `${s.url}/api/finance/v1/budget-allocations`;
  const push = { fiscalYear: 2026, allocations: [{ budgetLineCode: '2026-PU02-FIN1', orgCode: 'PU02', name: '设备购置', economicClass: '31002', allocatedFen: 500_000 * YUAN }] };

  it('refuses unsigned, wrongly signed, stale and malformed pushes, and writes nothing', async () => {
    const post = (headers: Record<string, string>, body: unknown = push) => fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await post({})).status).to.equal(401);
    const wrong = signedHeaders('not-the-secret', 'r-1', push, s.clock.now());
    const r1 = await post(wrong);
    expect(r1.status).to.equal(401);
    expect((await r1.json()).error.code).to.equal('SIGNATURE_MISMATCH');
    const stale = signedHeaders(s.config.secrets.financeHmacSecret, 'r-2', push, new Date(s.clock.now().getTime() - 10 * 60_000));
    expect((await (await post(stale)).json()).error.code).to.equal('SIGNATURE_STALE');
    // Signed for one body, sent with another (tampered amount).
    const tampered = { ...push, allocations: [{ ...push.allocations[0], allocatedFen: 9 }] };
    expect((await post(signedHeaders(s.config.secrets.financeHmacSecret, 'r-3', push, s.clock.now()), tampered)).status).to.equal(401);
    const bad = { fiscalYear: 2026, allocations: [{ budgetLineCode: 'x', orgCode: 'PU02', name: 'n', economicClass: '31002', allocatedFen: 1.5 }] };
    expect((await post(signedHeaders(s.config.secrets.financeHmacSecret, 'r-4', bad, s.clock.now()), bad)).status).to.equal(400);
    expect(await s.tdb.db('budget_lines').where({ code: '2026-PU02-FIN1' }).first()).to.equal(undefined);
  });

  it('applies a push once per request id, replays the answer, and refuses a reused id with another body', async () => {
    const first = await c.fin.call('POST', '/api/finance/v1/budget-allocations', push, 'alloc-001');
    expect(first.status).to.equal(200);
    expect(first.body.results[0].created).to.equal(true);
    expect(first.replayed).to.equal(false);
    const again = await c.fin.call('POST', '/api/finance/v1/budget-allocations', push, 'alloc-001');
    expect(again.body).to.deep.equal(first.body);
    expect(again.replayed).to.equal(true);
    const events = await s.tdb.db('audit_events').where({ action: 'budget.allocated', entity_id: String(first.body.results[0].budgetLineId) });
    expect(events).to.have.length(1);
    const reused = await c.fin.call('POST', '/api/finance/v1/budget-allocations', { ...push, fiscalYear: 2026, allocations: [{ ...push.allocations[0], allocatedFen: 1 }] }, 'alloc-001');
    expect(reused.status).to.equal(409);
    expect(reused.body.error.code).to.equal('IDEMPOTENCY_KEY_REUSED');
    // Concurrent duplicates: one applies, the others replay it.
    const dup = { ...push, allocations: [{ ...push.allocations[0], allocatedFen: 600_000 * YUAN }] };
    const many = await Promise.all([1, 2, 3, 4].map(() => c.fin.call('POST', '/api/finance/v1/budget-allocations', dup, 'alloc-002')));
    expect(many.every((m) => m.status === 200)).to.equal(true);
    expect(many.filter((m) => !m.replayed)).to.have.length(1);
    const line = await s.tdb.db('budget_lines').where({ code: '2026-PU02-FIN1' }).first();
    expect(Number(line.allocated_fen)).to.equal(600_000 * YUAN);
  });

  it('never lowers an allocation below what is frozen and spent', async () => {
    const lineCode = (await s.tdb.db('budget_lines').where({ id: c.lineId }).first()).code;
    await raise(c, [item('A02021003', 10, 3_000)]);
    const r = await c.fin.pushAllocations(2026, [{ budgetLineCode: lineCode, orgCode: 'PU01', name: 'cut', economicClass: '302', allocatedFen: 10 }]);
    expect(r.status).to.equal(422);
    expect(r.body.error.code).to.equal('ALLOCATION_BELOW_COMMITTED');
  });

  it('delivers the payment request by webhook, retrying with backoff while the finance system is down', async () => {
    const paid: string[] = [];
    const rx = await startWebhookReceiver(c.fin, {
      failFirst: 2,
      onEvent: async (e) => {
        paid.push(e.data.ref);
      },
    });
    try {
      await ok(c.fin.registerWebhook(rx.url));
      const req = await raise(c, [item('A02010105', 4, 6_000)]);
      const pid = await approveAll(c, req.id);
      await ok(c.operator.post(`/api/projects/${pid}/result`, { validResponses: 3, supplierId: c.supplierId, amountFen: 22_000 * YUAN }));
      await advance(s, 16 * DAY);
      const contract = await ok(c.operator.post('/api/contracts', { projectId: pid, terms: 'per the award' }), 201);
      await ok(c.purchaser.post(`/api/contracts/${contract.id}/sign`));
      await ok(c.supplier.post(`/api/contracts/${contract.id}/sign`));
      await ok(c.purchaser.post(`/api/contracts/${contract.id}/acceptance`, { note: 'accepted' }));
      const row = () => s.tdb.db('finance_outbox').orderBy('id', 'desc').first();
      await s.platform.scheduler.runDue();
      let o = await row();
      expect(o.status).to.equal('pending');
      expect(o.attempts).to.equal(1);
      expect(o.last_error).to.equal('HTTP 503');
      await s.platform.scheduler.runDue(); // not due yet: backoff
      expect((await row()).attempts).to.equal(1);
      await advance(s, backoffMs(1));
      o = await row();
      expect(o.attempts).to.equal(2);
      await advance(s, backoffMs(2));
      o = await row();
      expect(o.status).to.equal('delivered');
      expect(o.attempts).to.equal(3);
      expect(rx.received).to.have.length(1);
      expect(rx.received[0].type).to.equal('payment_request.created');
      expect(rx.received[0].data.amountFen).to.equal(22_000 * YUAN);
      const ref = rx.received[0].data.ref;
      // The treasury returns it; the unit fixes the invoice and sends it again (a new delivery).
      await ok(c.fin.setStatus(ref, { status: 'rejected', reason: 'invoice number missing' }));
      expect((await c.approver.post(`/api/payment-requests/${ref}/resubmit`, { note: 'x' })).status).to.equal(403);
      await ok(c.purchaser.post(`/api/payment-requests/${ref}/resubmit`, { note: 'invoice No. 0012345 added' }), 201);
      expect((await c.purchaser.post(`/api/payment-requests/${ref}/resubmit`, { note: 'again' })).body.error.code).to.equal('PAYMENT_NOT_REJECTED');
      await advance(s, 1000);
      expect(rx.received).to.have.length(2);
      expect(rx.received[1].data).to.include({ ref, resubmission: true });
      // The finance system answers; a repeated status is idempotent.
      await ok(c.fin.setStatus(ref, { status: 'paid', treasuryRef: 'GK-77' }, 'pay-1'));
      const again = await c.fin.setStatus(ref, { status: 'paid', treasuryRef: 'GK-77' }, 'pay-1');
      expect(again.replayed).to.equal(true);
      const bad = await c.fin.setStatus(ref, { status: 'rejected', reason: 'late' });
      expect(bad.status).to.equal(409);
      expect((await ok(c.purchaser.get(`/api/projects/${pid}`))).stage).to.equal('closed');
      const pulled = await c.fin.paymentRequests('status=paid');
      expect(pulled.body.items.map((p: any) => p.ref)).to.include(ref);
    } finally {
      await rx.close();
    }
  });
});
