// Supplier library workflows: portal registration with an account, operator review, profile
// upkeep (qualification changes go back to review), credit records and the blacklist.
import type { Tx } from '../../db/tx';
import { forUpdate } from '../../db/knex';
import { toDbTime, fromDbTime } from '../../db/time';
import { record } from '../../supervision/audit/audit';
import type { Actor } from '../../http/actor';
import { ConflictError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import { hashPassword } from '../../http/auth/passwords';
import { isValidCreditCode } from './credit-code';
import { afterResubmit, afterReview, decisionNeedsReason, type ReviewDecision, type SupplierStatus } from './state-machine';
import { qualificationsOf, writeContactDetails, writeQualifications, type ContactDetails, type Qualifications } from './repository';

const now = (a: Actor) => a.clock.now();

export function passwordProblem(pw: string): string | null {
  if (pw.length < 10) return 'at least 10 characters';
  if (!/[A-Za-z]/.test(pw) || !/[0-9]/.test(pw)) return 'letters and digits';
  if (pw === 'Sunshine@2026') return 'not the published demo password';
  return null;
}

async function checkQualifications(tx: Tx, q: Qualifications, supplierId: number | null): Promise<void> {
  if (!isValidCreditCode(q.creditCode)) throw new ValidationError('The unified social credit code is not valid (check character)', { creditCode: q.creditCode }, 'INVALID_CREDIT_CODE');
  const clash = await tx('suppliers').where({ credit_code: q.creditCode }).first('id');
  if (clash && Number(clash.id) !== supplierId) throw new ConflictError('CREDIT_CODE_TAKEN', 'A supplier with this credit code is already registered');
  const known = new Set((await tx('catalogue_categories').whereIn('code', q.categories).select('code')).map((r: { code: string }) => r.code));
  const unknown = q.categories.filter((c) => !known.has(c));
  if (unknown.length) throw new RuleError('UNKNOWN_CATEGORY', `Not catalogue codes: ${unknown.join(', ')}`, { unknown });
  const stray = q.brands.filter((b) => !q.categories.includes(b.categoryCode));
  if (stray.length) throw new RuleError('BRAND_OUTSIDE_CATEGORIES', 'Every brand must belong to one of the categories the supplier supplies', { stray });
}

async function lockSupplier(tx: Tx, id: number) {
  const s = await forUpdate(tx, tx('suppliers').where({ id })).first();
  if (!s) throw new NotFoundError(`Supplier ${id} not found`);
  return s;
}

/** Public registration: the company, its qualifications and contacts, and its first user account. */
export async function register(tx: Tx, actor: Actor, input: { qualifications: Qualifications; details: ContactDetails; account: { username: string; password: string; displayName: string } }) {
  const q = input.qualifications;
  await checkQualifications(tx, q, null);
  const pw = passwordProblem(input.account.password);
  if (pw) throw new ValidationError(`The password needs ${pw}`, null, 'WEAK_PASSWORD');
  if (await tx('users').where({ username: input.account.username }).first('id')) throw new ConflictError('USERNAME_TAKEN', 'This username is taken');
  const at = toDbTime(now(actor));
  const main = input.details.contacts[0];
  const [sid] = await tx('suppliers').insert({
    name: q.name,
    credit_code: q.creditCode,
    legal_rep: q.legalRep,
    address: input.details.address,
    region: input.details.region,
    size: q.size,
    contact_name: main.name,
    contact_phone: main.phone,
    contact_email: main.email,
    status: 'pending',
    created_at: at,
    updated_at: at,
  });
  const supplierId = Number(sid);
  await writeQualifications(tx, supplierId, q, now(actor));
  await writeContactDetails(tx, supplierId, input.details, now(actor));
  const [uid] = await tx('users').insert({
    username: input.account.username,
    display_name: input.account.displayName,
    password_hash: await hashPassword(input.account.password),
    supplier_id: supplierId,
    status: 'active',
    is_demo: false,
    locale: 'zh-CN',
    time_zone: 'Asia/Shanghai',
    created_at: at,
  });
  await tx('user_roles').insert({ user_id: Number(uid), role: 'supplier' });
  await tx('supplier_reviews').insert({ supplier_id: supplierId, decision: 'submitted', reason: null, decided_by: Number(uid), decided_at: at });
  await record(tx, actor, { action: 'supplier.registered', entityType: 'supplier', entityId: supplierId, after: { name: q.name, creditCode: q.creditCode, categories: q.categories, status: 'pending' } });
  await record(tx, actor, { action: 'user.created', entityType: 'user', entityId: Number(uid), after: { username: input.account.username, roles: ['supplier'], supplierId } });
  return { supplierId, userId: Number(uid), status: 'pending' as const };
}

export async function review(tx: Tx, actor: Actor, supplierId: number, decision: ReviewDecision, reason: string | undefined) {
  const s = await lockSupplier(tx, supplierId);
  const to = afterReview(s.status as SupplierStatus, decision);
  if (!to) throw new ConflictError('NOT_AWAITING_REVIEW', `The application is ${s.status}, not awaiting review`);
  if (decisionNeedsReason(decision) && !reason) throw new ValidationError('A reason is required to reject or to ask for more', null, 'REASON_REQUIRED');
  const at = toDbTime(now(actor));
  await tx('suppliers').where({ id: supplierId }).update({ status: to, review_reason: decision === 'approve' ? null : reason, updated_at: at });
  await tx('supplier_reviews').insert({ supplier_id: supplierId, decision, reason: reason ?? null, decided_by: actor.userId, decided_at: at });
  await record(tx, actor, { action: `supplier.review.${decision}`, entityType: 'supplier', entityId: supplierId, before: { status: s.status }, after: { status: to, reason: reason ?? null } });
  return { id: supplierId, status: to };
}

/** Addresses and contacts are not qualifications: they change at once. */
export async function updateContactDetails(tx: Tx, actor: Actor, supplierId: number, d: ContactDetails) {
  const s = await lockSupplier(tx, supplierId);
  await writeContactDetails(tx, supplierId, d, now(actor));
  await record(tx, actor, { action: 'supplier.contacts_updated', entityType: 'supplier', entityId: supplierId, before: { address: s.address, contact: s.contact_name }, after: { address: d.address, contacts: d.contacts.length } });
}

/**
 * Qualification changes: an application not yet approved is edited and resubmitted; an approved
 * supplier's change waits as a change request while the approved profile stays in force.
 */
export async function submitQualifications(tx: Tx, actor: Actor, supplierId: number, q: Qualifications) {
  const s = await lockSupplier(tx, supplierId);
  await checkQualifications(tx, q, supplierId);
  const at = toDbTime(now(actor));
  if (s.status === 'approved') {
    const before = await qualificationsOf(tx, supplierId);
    await tx('supplier_change_requests').where({ supplier_id: supplierId, status: 'pending' }).update({ status: 'withdrawn', decided_at: at });
    const [id] = await tx('supplier_change_requests').insert({ supplier_id: supplierId, changes_json: JSON.stringify(q), status: 'pending', submitted_by: actor.userId, submitted_at: at });
    await tx('supplier_reviews').insert({ supplier_id: supplierId, change_request_id: Number(id), decision: 'submitted', decided_by: actor.userId, decided_at: at });
    await record(tx, actor, { action: 'supplier.change_requested', entityType: 'supplier', entityId: supplierId, before, after: q });
    return { status: 'approved' as SupplierStatus, changeRequestId: Number(id) };
  }
  const to = afterResubmit(s.status);
  if (!to) throw new ConflictError('NOT_EDITABLE', `A ${s.status} application cannot be edited`);
  await writeQualifications(tx, supplierId, q, now(actor));
  await tx('suppliers').where({ id: supplierId }).update({ status: to, updated_at: at });
  await tx('supplier_reviews').insert({ supplier_id: supplierId, decision: 'submitted', decided_by: actor.userId, decided_at: at });
  await record(tx, actor, { action: 'supplier.resubmitted', entityType: 'supplier', entityId: supplierId, before: { status: s.status }, after: { status: to, qualifications: q } });
  return { status: to, changeRequestId: null };
}

export async function reviewChange(tx: Tx, actor: Actor, supplierId: number, changeId: number, decision: 'approve' | 'reject', reason: string | undefined) {
  await lockSupplier(tx, supplierId);
  const cr = await forUpdate(tx, tx('supplier_change_requests').where({ id: changeId, supplier_id: supplierId })).first();
  if (!cr) throw new NotFoundError(`Change request ${changeId} not found`);
  if (cr.status !== 'pending') throw new ConflictError('NOT_AWAITING_REVIEW', `The change request is ${cr.status}`);
  if (decision === 'reject' && !reason) throw new ValidationError('A reason is required to reject', null, 'REASON_REQUIRED');
  const at = toDbTime(now(actor));
  const q = JSON.parse(cr.changes_json) as Qualifications;
  if (decision === 'approve') {
    await checkQualifications(tx, q, supplierId);
    await writeQualifications(tx, supplierId, q, now(actor));
  }
  await tx('supplier_change_requests').where({ id: changeId }).update({ status: decision === 'approve' ? 'approved' : 'rejected', reason: reason ?? null, decided_by: actor.userId, decided_at: at });
  await tx('supplier_reviews').insert({ supplier_id: supplierId, change_request_id: changeId, decision, reason: reason ?? null, decided_by: actor.userId, decided_at: at });
  await record(tx, actor, { action: `supplier.change.${decision}`, entityType: 'supplier', entityId: supplierId, after: { changeRequestId: changeId, reason: reason ?? null } });
  return { id: changeId, status: decision === 'approve' ? 'approved' : 'rejected' };
}

export async function addCreditRecord(tx: Tx, actor: Actor, supplierId: number, input: { kind: string; description: string; source: string; occurredOn: string }) {
  await lockSupplier(tx, supplierId);
  if (input.occurredOn > now(actor).toISOString().slice(0, 10)) throw new RuleError('DATE_IN_FUTURE', 'The conduct cannot be dated in the future');
  const [id] = await tx('supplier_credit_records').insert({ supplier_id: supplierId, kind: input.kind, description: input.description, source: input.source, occurred_on: input.occurredOn, recorded_by: actor.userId, created_at: toDbTime(now(actor)) });
  await record(tx, actor, { action: 'supplier.credit_recorded', entityType: 'supplier', entityId: supplierId, after: { id: Number(id), ...input } });
  return { id: Number(id) };
}

export async function addBlacklist(tx: Tx, actor: Actor, supplierId: number, input: { reason: string; source: string; startsAt: string; endsAt: string }) {
  await lockSupplier(tx, supplierId);
  const starts = new Date(input.startsAt);
  const ends = new Date(input.endsAt);
  if (ends.getTime() <= starts.getTime()) throw new RuleError('BLACKLIST_PERIOD_EMPTY', 'The blacklist must end after it starts');
  if (ends.getTime() <= now(actor).getTime()) throw new RuleError('BLACKLIST_PERIOD_OVER', 'The blacklist period is already over');
  const [id] = await tx('supplier_blacklist').insert({ supplier_id: supplierId, reason: input.reason, source: input.source, starts_at: toDbTime(starts), ends_at: toDbTime(ends), created_by: actor.userId, created_at: toDbTime(now(actor)) });
  await record(tx, actor, { action: 'supplier.blacklisted', entityType: 'supplier', entityId: supplierId, after: { id: Number(id), ...input } });
  return { id: Number(id) };
}

export async function liftBlacklist(tx: Tx, actor: Actor, supplierId: number, entryId: number, reason: string) {
  const e = await forUpdate(tx, tx('supplier_blacklist').where({ id: entryId, supplier_id: supplierId })).first();
  if (!e) throw new NotFoundError(`Blacklist entry ${entryId} not found`);
  if (e.lifted_at) throw new ConflictError('ALREADY_LIFTED', 'This blacklist entry was already lifted');
  if (fromDbTime(e.ends_at)!.getTime() <= now(actor).getTime()) throw new ConflictError('ALREADY_ENDED', 'This blacklist entry has already ended');
  await tx('supplier_blacklist').where({ id: entryId }).update({ lifted_at: toDbTime(now(actor)), lift_reason: reason });
  await record(tx, actor, { action: 'supplier.blacklist_lifted', entityType: 'supplier', entityId: supplierId, before: { entry: entryId }, after: { reason } });
}
