// Contract at the award price, signed by both parties, accepted by the purchaser; acceptance
// raises the payment request to the treasury (delivered through the finance outbox).
import type { Tx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { assertSupplierMayAct } from '../../execution/suppliers/eligibility';
import { loadRuleBook, rule } from '../rules/rule-book';
import { addDays } from '../rules/calendar';
import { loadProject, moveStage, scheduleDue } from '../projects/service';
import { enqueue } from '../finance/outbox';
import { spend, lockLine } from '../budget/service';

export interface Party {
  userId: number;
  orgId: number | null;
  supplierId: number | null;
}

export async function loadContract(tx: Tx, id: number) {
  const c = await tx('contracts').where({ id }).first();
  if (!c) throw new NotFoundError(`Contract ${id} not found`, null, 'CONTRACT_NOT_FOUND');
  return c;
}

/** Drafted by the procurement centre or the purchaser once the challenge period is over. */
export async function createContract(tx: Tx, actor: Actor, party: Party, input: { projectId: number; terms: string }) {
  const p = await loadProject(tx, input.projectId);
  if (actor.role === 'purchaser' && party.orgId !== p.org_id) throw new ForbiddenError('Only the purchasing unit of this project may draft its contract');
  if (p.stage !== 'contract') throw new ConflictError('PROJECT_WRONG_STAGE', `A contract is drafted in the contract stage (the project is in ${p.stage})`, { stage: p.stage });
  if (await tx('contracts').where({ project_id: p.id }).first('id')) throw new ConflictError('CONTRACT_EXISTS', 'This project already has a contract');
  if (await tx('project_challenges').where({ project_id: p.id, status: 'open' }).first('id')) throw new RuleError('CHALLENGE_OPEN', 'An open challenge must be answered before the contract');
  const now = toDbTime(actor.clock.now());
  const [id] = await tx('contracts').insert({ ref: `CON-${p.ref.slice(4)}`, project_id: p.id, supplier_id: p.awarded_supplier_id, amount_fen: p.award_fen, terms: input.terms, status: 'drafted', created_at: now, updated_at: now });
  await record(tx, actor, { action: 'contract.drafted', entityType: 'contract', entityId: Number(id), after: { projectId: p.id, supplierId: p.awarded_supplier_id, amountFen: Number(p.award_fen) } });
  return Number(id);
}

/** Each party signs once; the second signature completes the contract and opens acceptance. */
export async function signContract(tx: Tx, actor: Actor, party: Party, contractId: number) {
  const c = await loadContract(tx, contractId);
  const p = await loadProject(tx, c.project_id);
  const now = actor.clock.now();
  const side = actor.role === 'supplier' ? 'supplier' : 'purchaser';
  if (side === 'supplier') {
    if (party.supplierId !== c.supplier_id) throw new ForbiddenError('Only the awarded supplier may sign this contract');
    await assertSupplierMayAct(tx, c.supplier_id, now, 'sign_contract');
  } else if (party.orgId !== p.org_id) throw new ForbiddenError('Only the purchasing unit of this project may sign this contract');
  if (!['drafted', 'purchaser_signed', 'supplier_signed'].includes(c.status)) throw new ConflictError('CONTRACT_WRONG_STATE', `The contract is ${c.status}`, { status: c.status });
  if (c[`${side}_signed_at`]) throw new ConflictError('CONTRACT_ALREADY_SIGNED', `The ${side} has already signed`);
  const other = side === 'supplier' ? 'purchaser' : 'supplier';
  const complete = !!c[`${other}_signed_at`];
  const status = complete ? 'signed' : `${side}_signed`;
  const n = await tx('contracts')
    .where({ id: c.id, status: c.status })
    .update({ [`${side}_signed_by`]: party.userId, [`${side}_signed_at`]: toDbTime(now), status, updated_at: toDbTime(now) });
  if (n !== 1) throw new ConflictError('CONTRACT_CHANGED', 'The contract changed meanwhile; reload and retry');
  await record(tx, actor, { action: 'contract.signed', entityType: 'contract', entityId: c.id, before: { status: c.status }, after: { status, side } });
  if (complete) {
    const book = await loadRuleBook(tx);
    const due = addDays(now, rule(book, 'acceptanceWithinDays'));
    const moved = await moveStage(tx, actor, p, 'acceptance', { dueAt: due });
    await scheduleDue(tx, actor, moved, 'acceptance', due);
  }
  return status;
}

/** The purchaser accepts the delivery; the payment request goes to the treasury. */
export async function acceptDelivery(tx: Tx, actor: Actor, party: Party, contractId: number, input: { note: string }) {
  const c = await loadContract(tx, contractId);
  const p = await loadProject(tx, c.project_id);
  if (party.orgId !== p.org_id) throw new ForbiddenError('Only the purchasing unit of this project records acceptance');
  if (c.status !== 'signed') throw new ConflictError('CONTRACT_NOT_SIGNED', 'Acceptance follows a contract signed by both parties', { status: c.status });
  const nowD = actor.clock.now();
  const now = toDbTime(nowD);
  const n = await tx('contracts').where({ id: c.id, status: 'signed' }).update({ status: 'accepted', accepted_by: party.userId, accepted_at: now, acceptance_note: input.note, updated_at: now });
  if (n !== 1) throw new ConflictError('CONTRACT_CHANGED', 'The contract changed meanwhile; reload and retry');
  await record(tx, actor, { action: 'contract.accepted', entityType: 'contract', entityId: c.id, after: { note: input.note } });
  const moved = await moveStage(tx, actor, p, 'payment');
  const req = await tx('requisitions').where({ id: p.requisition_id }).first('budget_line_id');
  const line = await tx('budget_lines').where({ id: req.budget_line_id }).first('code');
  const supplier = await tx('suppliers').where({ id: c.supplier_id }).first('name', 'credit_code');
  const [pid] = await tx('payment_requests').insert({ ref: `PAY-${p.ref.slice(4)}`, contract_id: c.id, project_id: p.id, budget_line_id: req.budget_line_id, supplier_id: c.supplier_id, amount_fen: c.amount_fen, status: 'requested', requested_at: now, updated_at: now });
  const pay = { ref: `PAY-${p.ref.slice(4)}`, contractRef: c.ref, projectRef: p.ref, budgetLineCode: line.code, supplierName: supplier.name, supplierCreditCode: supplier.credit_code, amountFen: Number(c.amount_fen), requestedAt: nowD.toISOString() };
  await record(tx, actor, { action: 'payment.requested', entityType: 'payment_request', entityId: Number(pid), after: pay });
  await enqueue(tx, actor, 'payment_request.created', pay);
  return { project: moved, paymentRequestId: Number(pid) };
}

/** A payment request the treasury returned goes out again once the unit has fixed what was asked. */
export async function resubmitPayment(tx: Tx, actor: Actor, party: Party, ref: string, input: { note: string }) {
  const pr = await tx('payment_requests').where({ ref }).first();
  const p = pr ? await loadProject(tx, pr.project_id) : null;
  if (!pr || !p || party.orgId !== p.org_id) throw new NotFoundError(`Payment request ${ref} not found`, null, 'PAYMENT_REQUEST_NOT_FOUND');
  if (pr.status !== 'rejected') throw new ConflictError('PAYMENT_NOT_REJECTED', `Only a returned payment request is sent again (this one is ${pr.status})`, { status: pr.status });
  const now = actor.clock.now();
  const n = await tx('payment_requests').where({ id: pr.id, status: 'rejected' }).update({ status: 'requested', reject_reason: null, requested_at: toDbTime(now), updated_at: toDbTime(now) });
  if (n !== 1) throw new ConflictError('PAYMENT_REQUEST_CHANGED', 'The payment request changed meanwhile');
  const c = await tx('contracts').where({ id: pr.contract_id }).first('ref');
  const line = await tx('budget_lines').where({ id: pr.budget_line_id }).first('code');
  const supplier = await tx('suppliers').where({ id: pr.supplier_id }).first('name', 'credit_code');
  const pay = { ref, contractRef: c.ref, projectRef: p.ref, budgetLineCode: line.code, supplierName: supplier.name, supplierCreditCode: supplier.credit_code, amountFen: Number(pr.amount_fen), requestedAt: now.toISOString(), resubmission: true, note: input.note };
  await record(tx, actor, { action: 'payment.resubmitted', entityType: 'payment_request', entityId: pr.id, before: { status: 'rejected', reason: pr.reject_reason }, after: pay });
  await enqueue(tx, actor, 'payment_request.created', pay);
}

/**
 * The treasury's answer (pushed by the finance bureau): accepted, paid (frozen money becomes
 * spent and the project closes) or rejected. Repeating the current status is a no-op.
 */
export async function applyPaymentStatus(tx: Tx, actor: Actor, ref: string, input: { status: 'accepted' | 'paid' | 'rejected'; treasuryRef?: string; reason?: string; paidAt?: string }) {
  const pr = await tx('payment_requests').where({ ref }).first();
  if (!pr) throw new NotFoundError(`Payment request ${ref} not found`, null, 'PAYMENT_REQUEST_NOT_FOUND');
  if (pr.status === input.status) return { ref, status: pr.status, changed: false };
  await lockLine(tx, pr.budget_line_id);
  const allowed: Record<string, string[]> = { requested: ['accepted', 'paid', 'rejected'], accepted: ['paid', 'rejected'], rejected: ['accepted', 'paid'], paid: [] };
  if (!allowed[pr.status].includes(input.status)) throw new ConflictError('PAYMENT_STATUS_NOT_ALLOWED', `A ${pr.status} payment request cannot become ${input.status}`, { from: pr.status, to: input.status });
  const now = actor.clock.now();
  const paidAt = input.paidAt ? new Date(input.paidAt) : now;
  if (input.status === 'rejected' && !input.reason) throw new RuleError('REASON_REQUIRED', 'A rejection needs a reason');
  const n = await tx('payment_requests')
    .where({ id: pr.id, status: pr.status })
    .update({ status: input.status, treasury_ref: input.treasuryRef ?? pr.treasury_ref, reject_reason: input.status === 'rejected' ? input.reason : null, paid_at: input.status === 'paid' ? toDbTime(paidAt) : null, updated_at: toDbTime(now) });
  if (n !== 1) throw new ConflictError('PAYMENT_REQUEST_CHANGED', 'The payment request changed meanwhile');
  await record(tx, actor, { action: `payment.${input.status}`, entityType: 'payment_request', entityId: pr.id, before: { status: pr.status }, after: { status: input.status, treasuryRef: input.treasuryRef ?? null, reason: input.reason ?? null } });
  if (input.status === 'paid') {
    await spend(tx, actor, pr.budget_line_id, Number(pr.amount_fen), { entityType: 'payment_request', entityId: pr.id });
    const p = await loadProject(tx, pr.project_id);
    await tx('requisitions').where({ id: p.requisition_id }).update({ frozen_fen: 0, updated_at: toDbTime(now) });
    await moveStage(tx, actor, p, 'closed');
  }
  return { ref, status: input.status, changed: true };
}
