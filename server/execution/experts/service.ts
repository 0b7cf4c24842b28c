// Expert library workflows: enrolment (with a login), profile and specialties, status, leave,
// declared conflicts, and the rating after each evaluation.
import type { Tx } from '../../db/tx';
import { forUpdate } from '../../db/knex';
import { toDbTime } from '../../db/time';
import { record } from '../../supervision/audit/audit';
import type { Actor } from '../../http/actor';
import { ConflictError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import { hashPassword } from '../../http/auth/passwords';
import { passwordProblem } from '../suppliers/service';

export interface ExpertProfile {
  name: string;
  employerName: string;
  employerOrgId?: number | null;
  employerSupplierId?: number | null;
  region: string;
  title: string;
  phone: string;
  email: string;
  maxEvaluationsPerQuarter?: number;
  specialties: string[];
}

const COLUMNS: Record<string, string> = {
  name: 'name',
  employerName: 'employer_name',
  employerOrgId: 'employer_org_id',
  employerSupplierId: 'employer_supplier_id',
  region: 'region',
  title: 'title',
  phone: 'phone',
  email: 'email',
  maxEvaluationsPerQuarter: 'max_evaluations_per_quarter',
};

async function lockExpert(tx: Tx, id: number) {
  const e = await forUpdate(tx, tx('experts').where({ id })).first();
  if (!e) throw new NotFoundError(`Expert ${id} not found`);
  return e;
}

async function checkRefs(tx: Tx, p: Partial<ExpertProfile>) {
  if (p.specialties) {
    const known = new Set((await tx('catalogue_categories').whereIn('code', p.specialties).select('code')).map((r: { code: string }) => r.code));
    const unknown = p.specialties.filter((c) => !known.has(c));
    if (unknown.length) throw new RuleError('UNKNOWN_SPECIALTY', `Not catalogue codes: ${unknown.join(', ')}`, { unknown });
  }
  if (p.employerOrgId && !(await tx('organisations').where({ id: p.employerOrgId }).first('id'))) throw new RuleError('UNKNOWN_ORGANISATION', `Organisation ${p.employerOrgId} not found`);
  if (p.employerSupplierId && !(await tx('suppliers').where({ id: p.employerSupplierId }).first('id'))) throw new RuleError('UNKNOWN_SUPPLIER', `Supplier ${p.employerSupplierId} not found`);
  if (p.employerOrgId && p.employerSupplierId) throw new RuleError('TWO_EMPLOYERS', 'An expert has one employer on the platform: an organisation or a supplier');
}

export async function enrol(tx: Tx, actor: Actor, input: ExpertProfile & { account?: { username: string; password: string } }) {
  await checkRefs(tx, input);
  const at = toDbTime(actor.clock.now());
  let userId: number | null = null;
  if (input.account) {
    const pw = passwordProblem(input.account.password);
    if (pw) throw new ValidationError(`The password needs ${pw}`, null, 'WEAK_PASSWORD');
    if (await tx('users').where({ username: input.account.username }).first('id')) throw new ConflictError('USERNAME_TAKEN', 'This username is taken');
    const [uid] = await tx('users').insert({ username: input.account.username, display_name: input.name, password_hash: await hashPassword(input.account.password), status: 'active', is_demo: false, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: at });
    userId = Number(uid);
    await tx('user_roles').insert({ user_id: userId, role: 'expert' });
  }
  const [id] = await tx('experts').insert({
    name: input.name,
    employer_name: input.employerName,
    employer_org_id: input.employerOrgId ?? null,
    employer_supplier_id: input.employerSupplierId ?? null,
    region: input.region,
    title: input.title,
    phone: input.phone,
    email: input.email,
    status: 'active',
    max_evaluations_per_quarter: input.maxEvaluationsPerQuarter ?? 12,
    rating_milli: 5000,
    user_id: userId,
    created_at: at,
  });
  const expertId = Number(id);
  await tx('expert_specialties').insert(input.specialties.map((c) => ({ expert_id: expertId, category_code: c })));
  await record(tx, actor, { action: 'expert.enrolled', entityType: 'expert', entityId: expertId, after: { specialties: input.specialties, account: !!userId } });
  if (userId) await record(tx, actor, { action: 'user.created', entityType: 'user', entityId: userId, after: { username: input.account!.username, roles: ['expert'] } });
  return { id: expertId, userId };
}

/** Issues a login to an expert enrolled without one (they confirm invitations and score with it). */
export async function createAccount(tx: Tx, actor: Actor, id: number, account: { username: string; password: string }) {
  const e = await lockExpert(tx, id);
  if (e.user_id) throw new ConflictError('HAS_ACCOUNT', 'This expert already has a login');
  const pw = passwordProblem(account.password);
  if (pw) throw new ValidationError(`The password needs ${pw}`, null, 'WEAK_PASSWORD');
  if (await tx('users').where({ username: account.username }).first('id')) throw new ConflictError('USERNAME_TAKEN', 'This username is taken');
  const [uid] = await tx('users').insert({ username: account.username, display_name: e.name, password_hash: await hashPassword(account.password), status: 'active', is_demo: false, locale: 'zh-CN', time_zone: 'Asia/Shanghai', created_at: toDbTime(actor.clock.now()) });
  await tx('user_roles').insert({ user_id: Number(uid), role: 'expert' });
  await tx('experts').where({ id }).update({ user_id: Number(uid) });
  await record(tx, actor, { action: 'user.created', entityType: 'user', entityId: Number(uid), after: { username: account.username, roles: ['expert'], expertId: id } });
  return { userId: Number(uid) };
}

export async function updateProfile(tx: Tx, actor: Actor, id: number, patch: Partial<ExpertProfile>) {
  const e = await lockExpert(tx, id);
  await checkRefs(tx, patch);
  const update: Record<string, unknown> = {};
  for (const [k, col] of Object.entries(COLUMNS)) if (k in patch) update[col] = (patch as Record<string, unknown>)[k] ?? null;
  // One employer on the platform: naming one clears the other.
  if (patch.employerSupplierId) update.employer_org_id = null;
  if (patch.employerOrgId) update.employer_supplier_id = null;
  if (Object.keys(update).length) await tx('experts').where({ id }).update(update);
  let before: Record<string, unknown> = Object.fromEntries(Object.keys(update).map((c) => [c, e[c]]));
  if (patch.specialties) {
    const old = (await tx('expert_specialties').where({ expert_id: id }).select('category_code')).map((r: any) => r.category_code);
    before = { ...before, specialties: old };
    await tx('expert_specialties').where({ expert_id: id }).delete();
    await tx('expert_specialties').insert(patch.specialties.map((c) => ({ expert_id: id, category_code: c })));
  }
  await record(tx, actor, { action: 'expert.updated', entityType: 'expert', entityId: id, before, after: patch });
}

export async function setStatus(tx: Tx, actor: Actor, id: number, status: 'active' | 'suspended' | 'disqualified', reason: string) {
  const e = await lockExpert(tx, id);
  if (e.status === status) throw new ConflictError('STATUS_UNCHANGED', `The expert is already ${status}`);
  await tx('experts').where({ id }).update({ status, status_reason: reason });
  await record(tx, actor, { action: `expert.${status}`, entityType: 'expert', entityId: id, before: { status: e.status }, after: { status, reason } });
}

export async function addLeave(tx: Tx, actor: Actor, id: number, input: { startsAt: string; endsAt: string; reason: string }) {
  await lockExpert(tx, id);
  const starts = new Date(input.startsAt);
  const ends = new Date(input.endsAt);
  if (ends.getTime() <= starts.getTime()) throw new RuleError('LEAVE_PERIOD_EMPTY', 'The leave must end after it starts');
  const [lid] = await tx('expert_leaves').insert({ expert_id: id, starts_at: toDbTime(starts), ends_at: toDbTime(ends), reason: input.reason, created_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'expert.leave_added', entityType: 'expert', entityId: id, after: { leave: Number(lid), startsAt: starts.toISOString(), endsAt: ends.toISOString() } });
  return { id: Number(lid) };
}

export async function cancelLeave(tx: Tx, actor: Actor, id: number, leaveId: number) {
  const l = await forUpdate(tx, tx('expert_leaves').where({ id: leaveId, expert_id: id })).first();
  if (!l) throw new NotFoundError(`Leave ${leaveId} not found`);
  if (l.cancelled_at) throw new ConflictError('ALREADY_CANCELLED', 'This leave was already cancelled');
  await tx('expert_leaves').where({ id: leaveId }).update({ cancelled_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'expert.leave_cancelled', entityType: 'expert', entityId: id, after: { leave: leaveId } });
}

export async function declareConflict(tx: Tx, actor: Actor, id: number, input: { orgId?: number; supplierId?: number; relation: string; note: string; until?: string | null }) {
  await lockExpert(tx, id);
  if (!!input.orgId === !!input.supplierId) throw new ValidationError('Name exactly one party: an organisation or a supplier', null, 'ONE_PARTY');
  if (input.orgId && !(await tx('organisations').where({ id: input.orgId }).first('id'))) throw new RuleError('UNKNOWN_ORGANISATION', `Organisation ${input.orgId} not found`);
  if (input.supplierId && !(await tx('suppliers').where({ id: input.supplierId }).first('id'))) throw new RuleError('UNKNOWN_SUPPLIER', `Supplier ${input.supplierId} not found`);
  const [cid] = await tx('expert_conflicts').insert({
    expert_id: id,
    org_id: input.orgId ?? null,
    supplier_id: input.supplierId ?? null,
    relation: input.relation,
    note: input.note,
    until: input.until ? toDbTime(new Date(input.until)) : null,
    created_at: toDbTime(actor.clock.now()),
  });
  await record(tx, actor, { action: 'expert.conflict_declared', entityType: 'expert', entityId: id, after: { conflict: Number(cid), orgId: input.orgId ?? null, supplierId: input.supplierId ?? null, relation: input.relation } });
  return { id: Number(cid) };
}

export async function withdrawConflict(tx: Tx, actor: Actor, id: number, conflictId: number) {
  const c = await forUpdate(tx, tx('expert_conflicts').where({ id: conflictId, expert_id: id })).first();
  if (!c) throw new NotFoundError(`Conflict ${conflictId} not found`);
  if (c.withdrawn_at) throw new ConflictError('ALREADY_WITHDRAWN', 'This conflict was already withdrawn');
  await tx('expert_conflicts').where({ id: conflictId }).update({ withdrawn_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'expert.conflict_withdrawn', entityType: 'expert', entityId: id, after: { conflict: conflictId } });
}

/** One rating per evaluation sat; the expert's rating is the mean of their ratings. */
export async function rateEvaluation(tx: Tx, actor: Actor, evaluationId: number, score: number, comment?: string) {
  const v = await tx('expert_evaluations').where({ id: evaluationId }).first();
  if (!v) throw new NotFoundError(`Evaluation ${evaluationId} not found`);
  if (new Date(String(v.evaluation_at).replace(' ', 'T') + 'Z').getTime() > actor.clock.now().getTime()) throw new RuleError('EVALUATION_NOT_HELD', 'An evaluation is rated after it has taken place');
  if (await tx('expert_ratings').where({ evaluation_id: evaluationId }).first('id')) throw new ConflictError('ALREADY_RATED', 'This evaluation was already rated');
  const scoreMilli = Math.round(score * 1000);
  await tx('expert_ratings').insert({ expert_id: v.expert_id, evaluation_id: evaluationId, score_milli: scoreMilli, comment: comment ?? null, rated_by: actor.userId, created_at: toDbTime(actor.clock.now()) });
  const avg = await tx('expert_ratings').where({ expert_id: v.expert_id }).avg({ a: 'score_milli' }).first();
  const rating = Math.round(Number(avg?.a ?? scoreMilli));
  const e = await lockExpert(tx, v.expert_id);
  await tx('experts').where({ id: v.expert_id }).update({ rating_milli: rating });
  await record(tx, actor, { action: 'expert.rated', entityType: 'expert', entityId: v.expert_id, before: { ratingMilli: e.rating_milli }, after: { evaluation: evaluationId, scoreMilli, ratingMilli: rating } });
  return { rating: rating / 1000 };
}
