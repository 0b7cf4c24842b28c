// Shared steps for the workflow tests: raise, approve through the chain, run a project to payment.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import type { TestClient } from '../helpers/http';
import { ManualClock } from '../../server/db/time';
import { FinanceClient } from '../../scripts/finance-sim/client';

export const DAY = 86400_000;
export const YUAN = 100;

export interface Cast {
  purchaser: TestClient;
  approver: TestClient;
  finance: TestClient;
  operator: TestClient;
  supplier: TestClient;
  fin: FinanceClient;
  supplierId: number;
  lineId: number;
}

/** Monday 2 March 2026, 09:00 in China: the workflow tests' start, on a working day. */
export const WORKFLOW_T0 = Date.UTC(2026, 2, 2, 1, 0, 0);

/** A test server on a manual clock at WORKFLOW_T0, with the cast logged in. */
export async function startWorkflowServer(allocateYuan?: number): Promise<{ s: TestServer; c: Cast }> {
  const s = await startTestServer({ clock: new ManualClock(WORKFLOW_T0) });
  return { s, c: await cast(s, allocateYuan) };
}

export async function cast(s: TestServer, allocateYuan = 50_000_000): Promise<Cast> {
  const clock = s.clock;
  const fin = new FinanceClient(s.url, s.config.secrets.financeHmacSecret, () => clock.now());
  const year = clock.now().getUTCFullYear();
  const code = `${year}-PU01-WF${Math.floor(Math.random() * 1e6)}`;
  const r = await fin.pushAllocations(year, [{ budgetLineCode: code, orgCode: 'PU01', name: '工作流测试指标', economicClass: '302', allocatedFen: allocateYuan * YUAN }]);
  expect(r.status, JSON.stringify(r.body)).to.equal(200);
  const [purchaser, approver, finance, operator, supplier] = await Promise.all(['purchaser', 'approver', 'finance', 'operator', 'supplier'].map((u) => s.as(u)));
  const me = await supplier.get('/api/me');
  const made: Cast = { purchaser, approver, finance, operator, supplier, fin, supplierId: me.body.user.supplierId, lineId: r.body.results[0].budgetLineId };
  casts.set(made, s);
  return made;
}

export function item(categoryCode: string, quantity: number, unitYuan: number) {
  return { categoryCode, name: `item ${categoryCode}`, specification: 'to the stated standard', quantity, unit: 'pc', unitPriceFen: unitYuan * YUAN };
}

export async function raise(c: Cast, items: ReturnType<typeof item>[], extra: Record<string, unknown> = {}) {
  const r = await c.purchaser.post('/api/requisitions', { title: 'Workflow test', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'needed for work', items, submit: true, ...extra });
  expect(r.status, JSON.stringify(r.body)).to.equal(201);
  return r.body;
}

/** Approves every step of the default chain; returns the new project's id. */
export async function approveAll(c: Cast, reqId: number): Promise<number> {
  let projectId: number | null = null;
  for (const who of [c.approver, c.finance, c.operator]) {
    const inbox = await who.get('/api/approvals/inbox?pageSize=200');
    const step = inbox.body.items.find((i: any) => i.requisitionId === reqId);
    expect(step, 'step in inbox').to.exist;
    const d = await who.post(`/api/approvals/${step.id}/decision`, { decision: 'approve' });
    expect(d.status, JSON.stringify(d.body)).to.equal(200);
    projectId = d.body.projectId;
  }
  expect(projectId).to.be.a('number');
  return projectId!;
}

export async function line(c: Cast) {
  return (await c.purchaser.get(`/api/budget-lines/${c.lineId}`)).body;
}

const casts = new Map<Cast, TestServer>();

/** Moves the clock, runs what fell due, and logs the cast in again (sessions expire meanwhile). */
export async function advance(s: TestServer, ms: number) {
  (s.clock as ManualClock).advance(ms);
  while ((await s.platform.scheduler.runDue()) > 0);
  for (const [c, server] of casts) if (server === s) await relogin(c);
}

export async function relogin(c: Cast) {
  for (const [u, client] of [['purchaser', c.purchaser], ['approver', c.approver], ['finance', c.finance], ['operator', c.operator], ['supplier', c.supplier]] as const) {
    client.cookie = '';
    await client.login(u);
  }
}

export async function ok(p: Promise<{ status: number; body: any }>, status = 200) {
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).to.equal(status);
  return r.body;
}

/** From the contract stage to a closed, paid project; checks the money at every step. */
export async function contractToPayment(s: TestServer, c: Cast, projectId: number) {
  const p = await ok(c.operator.get(`/api/projects/${projectId}`));
  expect(p.stage).to.equal('contract');
  const contract = await ok(c.operator.post('/api/contracts', { projectId, terms: 'per the award' }), 201);
  expect(contract.amountFen).to.equal(p.awardFen);
  await ok(c.purchaser.post(`/api/contracts/${contract.id}/sign`));
  const signed = await ok(c.supplier.post(`/api/contracts/${contract.id}/sign`));
  expect(signed.status).to.equal('signed');
  expect((await ok(c.purchaser.get(`/api/projects/${projectId}`))).stage).to.equal('acceptance');
  await ok(c.purchaser.post(`/api/contracts/${contract.id}/acceptance`, { note: 'delivered and accepted' }));
  const pulled = await c.fin.paymentRequests('status=requested');
  const pr = pulled.body.items.find((x: any) => x.contractRef === contract.ref);
  expect(pr.amountFen).to.equal(p.awardFen);
  const before = await line(c);
  await ok(c.fin.setStatus(pr.ref, { status: 'accepted', treasuryRef: 'GK1' }));
  await ok(c.fin.setStatus(pr.ref, { status: 'paid', treasuryRef: 'GK1' }));
  const after = await line(c);
  expect(after.frozenFen).to.equal(before.frozenFen - p.awardFen);
  expect(after.spentFen).to.equal(before.spentFen + p.awardFen);
  const closed = await ok(c.purchaser.get(`/api/projects/${projectId}`));
  expect(closed.stage).to.equal('closed');
  expect(closed.payment.status).to.equal('paid');
  // Every stage but the last has both its entry and exit time (cycle time).
  expect(closed.stages.slice(0, -1).every((st: any) => st.enteredAt && st.exitedAt)).to.equal(true);
  return closed;
}
