// Requisitions: drafted by a purchaser, submitted (money frozen, method proposed, split check,
// approval chain started), cancelled. Approval decisions live in approvals/service.ts.
import type { Tx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { freeze, release, lockLine } from '../budget/service';
import { loadRuleBook, rule } from '../rules/rule-book';
import { addDays, loadCalendar } from '../rules/calendar';
import { agreementInForce } from '../../execution/framework/service';
import { determineMethod, looksSplit, type CategoryKind, type RequestableMethod } from '../methods/rules';
import { chainFor, resolveApproverOrg } from '../approvals/chain';
import { JOB, scheduleJob } from '../workflow/jobs';
import { CANCELLABLE, EDITABLE, mainItem, itemAmount, totalOf, type ItemInput } from './rules';

export interface Purchaser {
  userId: number;
  orgId: number | null;
}

export interface RequisitionInput {
  title: string;
  budgetLineId: number;
  neededBy: string;
  justification: string;
  items: ItemInput[];
  singleSourceReason?: string | null;
  /** Invitational tender or competitive consultation, asked for with methodRequestReason. */
  requestedMethod?: RequestableMethod | null;
  methodRequestReason?: string | null;
}

export async function loadRequisition(tx: Tx, id: number) {
  const r = await tx('requisitions').where({ id }).first();
  if (!r) throw new NotFoundError(`Requisition ${id} not found`, null, 'REQUISITION_NOT_FOUND');
  return r;
}

function assertOwnUnit(who: Purchaser, orgId: number) {
  if (who.orgId !== orgId) throw new NotFoundError('Requisition not found', null, 'REQUISITION_NOT_FOUND');
}

/** Single source wins over another request (its justification is the stronger, published claim). */
function requestedMethodOf(input: RequisitionInput): string | null {
  if (input.singleSourceReason) return 'single_source';
  if (input.requestedMethod && !input.methodRequestReason?.trim()) throw new RuleError('METHOD_REQUEST_REASON_REQUIRED', 'A method asked for needs its reason', { requestedMethod: input.requestedMethod });
  return input.requestedMethod ?? null;
}

async function contentRow(tx: Tx, actor: Actor, who: Purchaser, input: RequisitionInput) {
  await lockLine(tx, input.budgetLineId);
  const line = await tx('budget_lines').where({ id: input.budgetLineId }).first('id', 'org_id');
  if (!line || line.org_id !== who.orgId) throw new RuleError('BUDGET_LINE_NOT_OWN', 'The budget line does not belong to your unit', { budgetLineId: input.budgetLineId });
  const codes = [...new Set(input.items.map((i) => i.categoryCode))];
  const cats = await tx('catalogue_categories').whereIn('code', codes).select('code', 'kind', 'framework_agreement');
  if (cats.length !== codes.length) throw new RuleError('UNKNOWN_CATEGORY', 'An item names a category that is not in the catalogue', { codes: codes.filter((c) => !cats.some((k: any) => k.code === c)) });
  const kinds = new Set(cats.map((c: any) => c.kind));
  if (kinds.size > 1) throw new RuleError('MIXED_CATEGORY_KINDS', 'Goods, services and works are requested separately');
  const today = actor.clock.now().toISOString().slice(0, 10);
  if (input.neededBy < today) throw new RuleError('NEEDED_BY_IN_PAST', 'The needed-by date is in the past');
  const main = mainItem(input.items);
  return {
    org_id: who.orgId,
    budget_line_id: input.budgetLineId,
    title: input.title,
    justification: input.justification,
    category_code: main.categoryCode,
    category_kind: cats[0].kind as CategoryKind,
    framework_goods: cats.every((c: any) => !!c.framework_agreement),
    requested_method: requestedMethodOf(input),
    single_source_reason: input.singleSourceReason || null,
    method_request_reason: input.requestedMethod ? input.methodRequestReason?.trim() || null : null,
    needed_by: input.neededBy,
    total_fen: totalOf(input.items),
  };
}

async function writeItems(tx: Tx, reqId: number, items: ItemInput[], replace: boolean) {
  // Only on change: a DELETE over an empty range takes gap locks that deadlock concurrent drafts on InnoDB.
  if (replace) await tx('requisition_items').where({ requisition_id: reqId }).delete();
  await tx('requisition_items').insert(items.map((i, n) => ({ requisition_id: reqId, line_no: n + 1, category_code: i.categoryCode, name: i.name, specification: i.specification, quantity: i.quantity, unit: i.unit, unit_price_fen: i.unitPriceFen, amount_fen: itemAmount(i) })));
}

export async function createDraft(tx: Tx, actor: Actor, who: Purchaser, input: RequisitionInput): Promise<number> {
  const row = await contentRow(tx, actor, who, input);
  const now = actor.clock.now();
  const nowDb = toDbTime(now);
  const [id] = await tx('requisitions').insert({ ...row, ref: `TMP-${now.getTime()}-${Math.random().toString(36).slice(2, 8)}`, created_by: who.userId, status: 'draft', attachments_json: '[]', created_at: nowDb, updated_at: nowDb });
  const ref = `REQ-${now.getUTCFullYear()}-${String(id).padStart(6, '0')}`;
  await tx('requisitions').where({ id }).update({ ref });
  await writeItems(tx, Number(id), input.items, false);
  await record(tx, actor, { action: 'requisition.drafted', entityType: 'requisition', entityId: Number(id), after: { ref, totalFen: row.total_fen, budgetLineId: row.budget_line_id } });
  return Number(id);
}

export async function updateDraft(tx: Tx, actor: Actor, who: Purchaser, id: number, input: RequisitionInput): Promise<void> {
  const r = await loadRequisition(tx, id);
  assertOwnUnit(who, r.org_id);
  if (!(EDITABLE as readonly string[]).includes(r.status)) throw new ConflictError('REQUISITION_NOT_EDITABLE', `A ${r.status} requisition cannot be changed`, { status: r.status });
  const row = await contentRow(tx, actor, who, input);
  const n = await tx('requisitions').where({ id, version: r.version }).update({ ...row, version: r.version + 1, updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await writeItems(tx, id, input.items, true);
  await record(tx, actor, { action: 'requisition.updated', entityType: 'requisition', entityId: id, before: { totalFen: Number(r.total_fen) }, after: { totalFen: row.total_fen } });
}

/** Submission: freeze the money, propose the method, check for splitting, start the approval chain. */
export async function submit(tx: Tx, actor: Actor, who: Purchaser, id: number): Promise<void> {
  const r = await loadRequisition(tx, id);
  assertOwnUnit(who, r.org_id);
  await lockLine(tx, r.budget_line_id);
  if (!(EDITABLE as readonly string[]).includes(r.status)) throw new ConflictError('REQUISITION_NOT_SUBMITTABLE', `A ${r.status} requisition cannot be submitted`, { status: r.status });
  const now = actor.clock.now();
  const book = await loadRuleBook(tx);
  const cal = await loadCalendar(tx);
  const total = Number(r.total_fen);
  // Framework goods under an agreement in force are ordered within it (server/execution/framework).
  const itemCodes = r.framework_goods ? [...new Set((await tx('requisition_items').where({ requisition_id: id }).select('category_code')).map((i: any) => i.category_code as string))] : [];
  const frameworkAgreementInForce = itemCodes.length > 0 && !!(await agreementInForce(tx, itemCodes, now));
  const { method, reason } = determineMethod({ totalFen: total, kind: r.category_kind, frameworkGoods: !!r.framework_goods, frameworkAgreementInForce, singleSourceRequested: r.requested_method === 'single_source', singleSourceReason: r.single_source_reason, requestedMethod: r.requested_method === 'single_source' ? null : r.requested_method, requestedMethodReason: r.method_request_reason }, book);
  const n = await tx('requisitions')
    .where({ id, version: r.version })
    .whereIn('status', EDITABLE as unknown as string[])
    .update({ status: 'submitted', method, method_reason: reason, frozen_fen: total, submitted_at: toDbTime(now), version: r.version + 1, updated_at: toDbTime(now) });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await freeze(tx, actor, r.budget_line_id, total, { entityType: 'requisition', entityId: id });
  await record(tx, actor, { action: 'requisition.submitted', entityType: 'requisition', entityId: id, before: { status: r.status }, after: { status: 'submitted', totalFen: total, method, methodReason: reason } });

  // Splitting: same unit and category within the window, each under the threshold, together over it.
  const threshold = rule(book, r.category_kind === 'works' ? 'publicTenderThresholdWorksFen' : 'publicTenderThresholdGoodsServicesFen');
  const since = addDays(now, -rule(book, 'splitWindowDays'));
  const recent = await tx('requisitions')
    .where({ org_id: r.org_id, category_code: r.category_code })
    .whereNot({ id })
    .whereIn('status', ['submitted', 'approved', 'returned'])
    .where('submitted_at', '>=', toDbTime(since))
    .select('id', 'ref', 'total_fen');
  const recentAmounts = recent.map((x: any) => ({ totalFen: Number(x.total_fen) }));
  if (method !== 'single_source' && looksSplit({ totalFen: total }, recentAmounts, threshold)) {
    await tx('requisitions').where({ id }).update({ split_suspected: true });
    await record(tx, actor, {
      action: 'requisition.split_suspected',
      entityType: 'requisition',
      entityId: id,
      after: { orgId: r.org_id, categoryCode: r.category_code, totalFen: total, relatedRequisitions: recent.map((x: any) => x.ref), combinedFen: total + recentAmounts.reduce((s, x) => s + (x.totalFen < threshold ? x.totalFen : 0), 0), thresholdFen: threshold, windowDays: rule(book, 'splitWindowDays'), source: book.splitWindowDays.source },
    });
  }

  // The approval chain: a new round of steps, the first one pending with its time limit.
  const { steps } = await chainFor(tx, r.org_id);
  const last = await tx('approval_steps').where({ requisition_id: id }).max({ m: 'round' }).first();
  const round = Number(last?.m ?? 0) + 1;
  for (const [i, s] of steps.entries()) {
    const orgId = await resolveApproverOrg(tx, s.approverScope, r.org_id);
    const due = i === 0 ? cal.addWorkingDays(now, s.timeLimitWorkingDays) : null;
    const [stepId] = await tx('approval_steps').insert({ requisition_id: id, round, seq: i + 1, name_zh: s.nameZh, name_en: s.nameEn, approver_role: s.approverRole, approver_org_id: orgId, status: i === 0 ? 'pending' : 'waiting', activated_at: i === 0 ? toDbTime(now) : null, due_at: due ? toDbTime(due) : null, time_limit_working_days: s.timeLimitWorkingDays });
    if (due) await scheduleJob(tx, actor.clock, { kind: JOB.approvalDue, key: `approval-step:${stepId}:due`, runAt: due, payload: { stepId: Number(stepId) } });
  }
}

export async function cancel(tx: Tx, actor: Actor, who: Purchaser, id: number, input: { reason: string }): Promise<void> {
  const r = await loadRequisition(tx, id);
  if (r.created_by !== who.userId && who.orgId !== r.org_id) throw new ForbiddenError('Only the purchasing unit may cancel its requisition');
  await lockLine(tx, r.budget_line_id);
  if (!(CANCELLABLE as readonly string[]).includes(r.status)) throw new ConflictError('REQUISITION_NOT_CANCELLABLE', `A ${r.status} requisition cannot be cancelled`, { status: r.status });
  const now = toDbTime(actor.clock.now());
  const n = await tx('requisitions').where({ id, version: r.version }).update({ status: 'cancelled', frozen_fen: 0, decided_at: now, version: r.version + 1, updated_at: now });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await release(tx, actor, r.budget_line_id, Number(r.frozen_fen), { entityType: 'requisition', entityId: id });
  await tx('approval_steps').where({ requisition_id: id }).whereIn('status', ['pending', 'waiting']).update({ status: 'skipped' });
  await record(tx, actor, { action: 'requisition.cancelled', entityType: 'requisition', entityId: id, before: { status: r.status }, after: { status: 'cancelled', reason: input.reason } });
}
