// Competitive consultation (竞争性磋商, Finance Treasury [2014] No. 214). The operator drafts the
// consultation documents from the tender templates' terms, invites suppliers (by the supplier
// draw or by public notice) and issues the documents; first responses are accepted until the
// deadline (>= 10 days, rule book); at the deadline fewer than the minimum responding suppliers
// fail it. The team (from the sealed expert draw) consults each remaining supplier separately,
// one round record per supplier and meeting; a change to the documents goes to every remaining
// supplier, who acknowledges it. Then the final quotations are called: a tender of procedure
// 'competitive_consultation' that the tendering module seals, opens, scores and awards.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { withTx, type Tx } from '../../db/tx';
import { toDbTime, fromDbTime, isoFromDb } from '../../db/time';
import { record, recordMany } from '../../supervision/audit/audit';
import { systemActor, type Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import { assertSupplierMayAct } from '../suppliers/eligibility';
import { checkTerms, ruleValue } from '../tendering/rules';
import { JOB_OPEN, openJobKey } from '../tendering/deps';
import { invitationsOf, type TenderInput } from '../tendering/documents/service';
import { readRevealedDraw } from '../tendering/evaluation/draw-adapter';
import { publishNotice } from '../../core/notices/service';
import { noticeTime } from '../../core/notices/notice-time';
import * as projects from '../../core/projects/service';
import { checkFirstResponsePeriod, checkTeam, loadConsultationLegal, minimumSuppliers, movedResponseDeadline } from './rules';
import { assertStatus, transition } from './state-machine';
import { consultationFromRow, findConsultation, lockConsultation, remainingSuppliers, tenderStatusOf, usersOfSuppliers, REMAINING, type ConsultationRow } from './repository';
import { closeResponsesKey, consultationChannel, JOB_CLOSE_RESPONSES, type ConsultationDeps } from './deps';

/** A consultation's documents are a tender's terms (the tender templates' rules), with how suppliers come in. */
export type ConsultationInput = Pick<TenderInput, 'title' | 'kind' | 'categoryCode' | 'projectId' | 'purchasingOrgId' | 'budgetFen' | 'priceWeight' | 'smeDeductionPct' | 'description' | 'requirements' | 'qualifications' | 'criteria'> & {
  invitation: 'draw' | 'public_notice';
  exception?: 'services_2015_124' | 'research_art22' | null;
  responseDeadline: string;
};

const sha = (s: string) => crypto.createHash('sha256').update(s, 'utf8').digest('hex');
const yuan = (fen: number) => (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

async function view(db: Knex, row: ConsultationRow) {
  return consultationFromRow(row, await tenderStatusOf(db, row));
}

/** Comprehensive scoring on the tender templates' rules (price weight ranges, deduction, weights). */
function assertTerms(input: ConsultationInput): void {
  const violations = checkTerms({ ...input, method: 'comprehensive' });
  if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
}

export async function createConsultation(deps: ConsultationDeps, actor: Actor, input: ConsultationInput) {
  assertTerms(input);
  const deadline = new Date(input.responseDeadline);
  return withTx(deps.db, async (tx) => {
    const cat = await tx('catalogue_categories').where({ code: input.categoryCode }).first('kind');
    if (!cat) throw new ValidationError(`Unknown catalogue category ${input.categoryCode}`, null, 'UNKNOWN_CATEGORY');
    if (cat.kind !== input.kind) throw new RuleError('CATEGORY_KIND_MISMATCH', `Category ${input.categoryCode} is ${cat.kind}, not ${input.kind}`);
    let orgId = input.purchasingOrgId ?? null;
    if (input.projectId) {
      const p = await projects.projectForExecution(tx, input.projectId);
      if (p.method !== 'competitive_consultation') throw new RuleError('PROJECT_NOT_CONSULTATION', `Project ${p.ref} is procured by ${p.method}, not competitive consultation`);
      if (p.stage !== 'documents_prepared') throw new ConflictError('PROJECT_WRONG_STAGE', `Project ${p.ref} is in stage ${p.stage}`, { stage: p.stage });
      if (input.budgetFen > p.budgetFen) throw new RuleError('ABOVE_PROJECT_BUDGET', 'The consultation budget exceeds the approved budget of the project', { projectBudgetFen: p.budgetFen });
      const other = await tx('consultations').where({ project_id: input.projectId }).whereNotIn('status', ['failed', 'cancelled']).first('reference');
      if (other) throw new ConflictError('PROJECT_HAS_CONSULTATION', `Project ${p.ref} already has consultation ${other.reference}`);
      orgId = p.orgId;
    }
    const legal = await loadConsultationLegal(tx);
    const min = minimumSuppliers(input.exception ?? null, legal);
    const now = toDbTime(deps.clock.now());
    const [id] = await tx('consultations').insert({
      reference: `tmp-${crypto.randomBytes(12).toString('hex')}`,
      project_id: input.projectId ?? null,
      title: input.title,
      kind: input.kind,
      category_code: input.categoryCode,
      purchasing_org_id: orgId,
      budget_fen: input.budgetFen,
      price_weight: input.priceWeight,
      sme_deduction_pct: input.smeDeductionPct,
      description: input.description,
      requirements_json: JSON.stringify(input.requirements),
      qualifications_json: JSON.stringify(input.qualifications),
      criteria_json: JSON.stringify(input.criteria),
      invitation: input.invitation,
      exception: input.exception ?? null,
      min_suppliers: min.value,
      status: 'draft',
      response_deadline: toDbTime(deadline),
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    });
    const reference = `CS${deps.clock.now().getUTCFullYear()}-${String(id).padStart(5, '0')}`;
    await tx('consultations').where({ id }).update({ reference });
    const row = await findConsultation(tx, Number(id));
    await record(tx, actor, { action: 'consultation.drafted', entityType: 'consultation', entityId: row.id, after: { reference, title: row.title, kind: row.kind, budgetFen: Number(row.budget_fen), projectId: row.project_id, orgId, invitation: row.invitation, exception: row.exception, minSuppliers: min.value, minSource: min.source } });
    return view(tx, row);
  });
}

/** The supplier invitation draw's service (server/execution/invitations), under the platform's seal key. */
export const invitations = (deps: ConsultationDeps) => invitationsOf(deps);
export const invitationSubject = (row: { id: number; reference: string }) => ({ type: 'consultation', id: row.id, ref: row.reference });

/**
 * Suppliers invited before the documents go out, by the verifiable random draw from the qualified
 * suppliers of the category (Finance Treasury [2014] No. 214 art. 6: at least 3). Only the draw's
 * commitment is public; who was invited stays sealed (tag-keyed rows) until the first-response
 * deadline, when the draw is revealed. A consultation by public notice takes whoever responds.
 */
export async function drawInvitations(deps: ConsultationDeps, actor: Actor, id: number, input: { count: number; excludeSupplierIds?: number[] }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    assertStatus(row.status, ['draft']);
    if (row.invitation !== 'draw') throw new ConflictError('INVITES_BY_NOTICE', 'This consultation invites suppliers by public notice: suppliers respond to the notice');
    const legal = await loadConsultationLegal(tx);
    const min = minimumSuppliers(row.exception, legal);
    if (input.count < min.value) throw new RuleError('TOO_FEW_INVITED', `At least ${min.value} suppliers are invited`, { minimum: min.value, source: min.source });
    const draw = await invitations(deps).drawSuppliers(tx, { subject: invitationSubject(row), categoryCode: row.category_code, count: input.count, excludeSupplierIds: input.excludeSupplierIds, revealAt: fromDbTime(row.response_deadline)! }, actor);
    await tx('consultations').where({ id }).update({ invitation_ref: String(draw.id), updated_at: toDbTime(deps.clock.now()) });
    await record(tx, actor, { action: 'consultation.suppliers_invited', entityType: 'consultation', entityId: id, after: { supplierDrawId: draw.id, commitment: draw.commitment, count: input.count, revealAt: draw.revealAt } });
    return { ...(await view(tx, await findConsultation(tx, id))), supplierDraw: draw };
  });
}

/** Documents issued: the 10-day period is checked against now, the notice published, the deadline job set. */
export async function issueDocuments(deps: ConsultationDeps, actor: Actor, id: number) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    const status = transition(row.status, 'issue');
    const now = deps.clock.now();
    const deadline = fromDbTime(row.response_deadline)!;
    const legal = await loadConsultationLegal(tx);
    const violations = checkFirstResponsePeriod(now, deadline, legal.firstResponseDays, { rule: legal.documentsWorkingDays, addWorkingDays: legal.addWorkingDays });
    if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
    const invited = row.invitation === 'draw' ? await invitations(deps).invitedCount(tx, invitationSubject(row)) : 0;
    const min = minimumSuppliers(row.exception, legal);
    if (row.invitation === 'draw' && invited < min.value) throw new RuleError('TOO_FEW_INVITED', `At least ${min.value} suppliers are invited (by the supplier draw) before the documents are issued`, { minimum: min.value, invited, source: min.source });
    await tx('consultations').where({ id }).update({ status, issued_at: toDbTime(now), documents_version: 1, updated_at: toDbTime(now) });
    await deps.scheduler.schedule(tx, { kind: JOB_CLOSE_RESPONSES, key: closeResponsesKey(id), runAt: deadline, payload: { consultationId: id } });
    if (row.project_id !== null) await projects.openConsultation(tx, actor, row.project_id, { deadlineAt: deadline });
    await publishNotice(tx, actor, {
      kind: 'tender',
      titleZh: `${row.title}竞争性磋商公告（${row.reference}）`,
      titleEn: `Competitive consultation notice ${row.reference}: ${row.title}`,
      bodyZh: `项目编号：${row.reference}\n预算金额：${yuan(Number(row.budget_fen))} 元\n采购方式：竞争性磋商（综合评分法，价格权值 ${row.price_weight}%）\n供应商邀请方式：${row.invitation === 'draw' ? '从供应商库随机抽取' : '发布公告'}\n首次响应文件提交截止时间：${noticeTime(deadline, 'zh')}\n\n${row.description}`,
      bodyEn: `Reference: ${row.reference}\nBudget: CNY ${yuan(Number(row.budget_fen))}\nMethod: competitive consultation (comprehensive scoring, price weight ${row.price_weight}%)\nSuppliers invited: ${row.invitation === 'draw' ? 'by random draw from the supplier library' : 'by public notice'}\nFirst responses due: ${noticeTime(deadline, 'en')}`,
      orgId: row.purchasing_org_id,
      categoryCode: row.category_code,
      method: 'competitive_consultation',
      amountFen: Number(row.budget_fen),
      projectRef: row.reference,
      sourceType: 'consultation',
      sourceId: id,
    });
    // The supervision event contract's lifecycle fields: SV02 reads the period from them.
    await record(tx, actor, { action: 'consultation.issued', entityType: 'consultation', entityId: id, before: { status: row.status }, after: { status, title: row.title, orgId: row.purchasing_org_id, method: 'competitive_consultation', budgetFen: Number(row.budget_fen), tenderPeriodStart: now.toISOString(), tenderPeriodEnd: deadline.toISOString(), responseDeadline: deadline.toISOString(), invited, minimumDays: legal.firstResponseDays.value, source: legal.firstResponseDays.source } });
    // The invited suppliers were told by the draw (their own channels); everyone sees the status.
    tx.afterCommit(() => void deps.realtime.publish(consultationChannel(id), { type: 'consultation.status', consultationId: id, status }));
    return view(tx, await findConsultation(tx, id));
  });
}

async function assertResponsesOpen(row: ConsultationRow, now: Date): Promise<void> {
  assertStatus(row.status, ['issued'], 'RESPONSES_CLOSED');
  if (now >= fromDbTime(row.response_deadline)!) throw new RuleError('RESPONSE_DEADLINE_PASSED', 'The first-response deadline has passed (server time)', { responseDeadline: isoFromDb(row.response_deadline), serverTime: now.toISOString() });
}

/** A supplier submits (or replaces) its first response. Invited suppliers, or anyone eligible under a public notice. */
export async function submitResponse(deps: ConsultationDeps, actor: Actor, supplierId: number, id: number, input: { text: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    const now = deps.clock.now();
    await assertResponsesOpen(row, now);
    await assertSupplierMayAct(tx, supplierId, now, 'submit_bid');
    let entry = await tx('consultation_suppliers').where({ consultation_id: id, supplier_id: supplierId }).first();
    if (!entry) {
      if (row.invitation === 'draw' && !(await invitations(deps).isInvited(tx, invitationSubject(row), supplierId))) throw new ForbiddenError('Only invited suppliers respond to this consultation', null, 'NOT_INVITED_TO_CONSULTATION');
      await tx('consultation_suppliers').insert({ consultation_id: id, supplier_id: supplierId, source: row.invitation, status: 'invited', invited_at: toDbTime(now) });
      entry = await tx('consultation_suppliers').where({ consultation_id: id, supplier_id: supplierId }).first();
      // The changes issued so far are sent to it now: it acknowledges them as every other supplier does.
      const earlier = await tx('consultation_changes').where({ consultation_id: id }).pluck('id');
      if (earlier.length) await tx('consultation_change_acks').insert(earlier.map((c: number) => ({ change_id: Number(c), supplier_id: supplierId, sent_at: toDbTime(now) })));
    }
    const digest = sha(input.text);
    await tx('consultation_suppliers').where({ id: entry.id }).update({ status: 'responded', responded_at: toDbTime(now), response_text: input.text, response_sha256: digest, response_ip: actor.ip });
    await record(tx, actor, { action: 'consultation.response_submitted', entityType: 'consultation', entityId: id, after: { consultationId: id, supplierId, digest, replaced: entry.status === 'responded', submittedAt: now.toISOString(), ip: actor.ip } });
    return { consultationId: id, supplierId, digest, submittedAt: now.toISOString() };
  });
}

/** Job (or operator after the deadline): first responses close; too few suppliers fail the consultation. */
export async function closeResponses(deps: ConsultationDeps, id: number, actor: Actor = systemActor('consultation-close', deps.clock) /* actor_role holds 32 characters */) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    if (row.status !== 'issued') return view(tx, row); // cancelled, or already closed (job re-run)
    const now = deps.clock.now();
    const deadline = fromDbTime(row.response_deadline)!;
    if (now < deadline) {
      // The deadline moved (a change before it) after this job was claimed: run again then.
      await deps.scheduler.schedule(tx, { kind: JOB_CLOSE_RESPONSES, key: closeResponsesKey(id), runAt: deadline, payload: { consultationId: id } });
      return view(tx, row);
    }
    const responded = await tx('consultation_suppliers').where({ consultation_id: id, status: 'responded' }).select('supplier_id');
    const legal = await loadConsultationLegal(tx);
    const min = minimumSuppliers(row.exception, legal);
    await tx('consultation_suppliers').where({ consultation_id: id, status: 'invited' }).update({ status: 'no_response' });
    if (responded.length < min.value) {
      await failConsultation(deps, tx, actor, row, 'TOO_FEW_RESPONSES', { responses: responded.length, minimum: min.value, source: min.source });
      return view(tx, await findConsultation(tx, id));
    }
    const status = transition(row.status, 'closeResponses');
    await tx('consultation_suppliers').where({ consultation_id: id, status: 'responded' }).update({ status: REMAINING });
    await tx('consultations').where({ id }).update({ status, consulting_at: toDbTime(now), updated_at: toDbTime(now) });
    if (row.project_id !== null) await projects.startConsultationRounds(tx, actor, row.project_id, { responses: responded.length });
    await record(tx, actor, { action: 'consultation.responses_closed', entityType: 'consultation', entityId: id, before: { status: row.status }, after: { status, responses: responded.length, count: responded.length, minimum: min.value, source: min.source } });
    tx.afterCommit(() => void deps.realtime.publish(consultationChannel(id), { type: 'consultation.status', consultationId: id, status }));
    return view(tx, await findConsultation(tx, id));
  });
}

async function failConsultation(deps: ConsultationDeps, tx: Tx, actor: Actor, row: ConsultationRow, reason: string, facts: Record<string, unknown>) {
  const status = transition(row.status, 'fail');
  const now = deps.clock.now();
  await tx('consultations').where({ id: row.id }).update({ status, failed_at: toDbTime(now), failure_reason: reason, updated_at: toDbTime(now) });
  await deps.scheduler.cancel(tx, closeResponsesKey(row.id));
  // The responses are not read: a failed consultation keeps their digests only.
  await tx('consultation_suppliers').where({ consultation_id: row.id }).update({ response_text: null });
  if (row.project_id !== null) {
    const p = await projects.loadProject(tx, row.project_id);
    if (p.stage !== 'failed') await projects.declareFailure(tx, actor, row.project_id, { reason: `CONSULTATION_${reason}: ${JSON.stringify(facts)}` });
  }
  await publishNotice(tx, actor, {
    kind: 'failure',
    titleZh: `${row.title}（${row.reference}）竞争性磋商终止公告`,
    titleEn: `Competitive consultation ${row.reference} ended: ${row.title}`,
    bodyZh: `本项目竞争性磋商终止，原因：提交响应文件的供应商不足${facts.minimum}家（${facts.responses}家）。`,
    bodyEn: `The consultation ended: fewer than ${facts.minimum} suppliers responded (${facts.responses}). ${facts.source}`,
    orgId: row.purchasing_org_id,
    categoryCode: row.category_code,
    method: 'competitive_consultation',
    amountFen: Number(row.budget_fen),
    projectRef: row.reference,
    sourceType: 'consultation',
    sourceId: row.id,
  });
  await record(tx, actor, { action: 'consultation.failed', entityType: 'consultation', entityId: row.id, before: { status: row.status }, after: { status, reason, projectId: row.project_id, ...facts } });
  tx.afterCommit(() => void deps.realtime.publish(consultationChannel(row.id), { type: 'consultation.status', consultationId: row.id, status }));
}

export async function cancelConsultation(deps: ConsultationDeps, actor: Actor, id: number, reason: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    const status = transition(row.status, 'cancel');
    const now = deps.clock.now();
    await tx('consultations').where({ id }).update({ status, updated_at: toDbTime(now) });
    await deps.scheduler.cancel(tx, closeResponsesKey(id));
    await record(tx, actor, { action: 'consultation.cancelled', entityType: 'consultation', entityId: id, before: { status: row.status }, after: { status, reason } });
    return view(tx, await findConsultation(tx, id));
  });
}

/**
 * The team from a revealed sealed expert draw: an odd number, at least the rule book's minimum,
 * experts at least two thirds (all drawn members are experts); nobody working for a responding
 * supplier or for the purchasing unit. Names stay confidential until the result is announced.
 */
export async function linkTeamFromDraw(deps: ConsultationDeps, actor: Actor, id: number, drawId: string) {
  const draw = await readRevealedDraw(deps.db, drawId, deps.clock.now());
  if (!draw) throw new ConflictError('DRAW_NOT_REVEALED', `Draw ${drawId} has no revealed result yet`);
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    if (draw.projectId !== null && row.project_id !== null && draw.projectId !== row.project_id) throw new RuleError('DRAW_FOR_ANOTHER_PROJECT', 'The draw was made for another project');
    return linkTeam(deps, tx, actor, row, draw.experts, { source: 'draw', sourceRef: draw.drawId });
  });
}

/**
 * Writes the team (checks size, the experts' share and conflicts of interest). In production the
 * members come from a revealed draw (linkTeamFromDraw); the demo data links its teams directly,
 * marked with source 'direct', as the tender demo links its committees.
 */
export async function linkTeam(deps: ConsultationDeps, tx: Tx, actor: Actor, row: ConsultationRow, members: Array<{ expertId: number; chair?: boolean }>, from: { source: 'draw' | 'direct'; sourceRef: string }) {
  const id = row.id;
  assertStatus(row.status, ['issued', 'consulting']);
  if (await tx('consultation_team').where({ consultation_id: id }).first('id')) throw new ConflictError('TEAM_EXISTS', 'The consultation already has its team');
  const legal = await loadConsultationLegal(tx);
  const ids = members.map((e) => e.expertId);
  const violations = checkTeam(ids.length, ids.length, legal.teamMinimum);
  if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
  const experts = await tx('experts').whereIn('id', ids).select('id', 'status', 'employer_org_id', 'employer_supplier_id');
  if (experts.length !== new Set(ids).size || experts.length !== ids.length) throw new NotFoundError('Unknown or repeated expert in the team', null, 'UNKNOWN_EXPERT');
  const suppliers = new Set((await tx('consultation_suppliers').where({ consultation_id: id }).select('supplier_id')).map((s: { supplier_id: number }) => Number(s.supplier_id)));
  for (const e of experts) {
    if (e.status !== 'active') throw new RuleError('EXPERT_NOT_ACTIVE', `Expert ${e.id} is ${e.status}`);
    if (e.employer_supplier_id && suppliers.has(Number(e.employer_supplier_id))) throw new RuleError('EXPERT_CONFLICT', `Expert ${e.id} works for a supplier in this consultation`, { expertId: e.id });
    if (e.employer_org_id && e.employer_org_id === row.purchasing_org_id) throw new RuleError('EXPERT_CONFLICT', `Expert ${e.id} works for the purchasing unit`, { expertId: e.id });
  }
  const chair = members.find((m) => m.chair)?.expertId ?? ids[0];
  const now = toDbTime(deps.clock.now());
  await tx('consultation_team').insert(ids.map((e) => ({ consultation_id: id, expert_id: e, is_chair: e === chair, source: from.source, source_ref: from.sourceRef, joined_at: now })));
  // Names stay confidential until the result is announced; the audit trail keeps the ids.
  await record(tx, actor, { action: 'consultation.team_linked', entityType: 'consultation', entityId: id, after: { expertIds: ids, chairExpertId: chair, source: from.source, drawId: from.source === 'draw' ? from.sourceRef : null, count: ids.length } });
  return { consultationId: id, expertIds: ids, chairExpertId: chair };
}

async function assertRemaining(tx: Tx, id: number, supplierId: number) {
  const s = await tx('consultation_suppliers').where({ consultation_id: id, supplier_id: supplierId }).first('status');
  if (!s || s.status !== REMAINING) throw new NotFoundError(`Supplier ${supplierId} is not in the consultation`, null, 'SUPPLIER_NOT_IN_CONSULTATION');
}

/** The team consults one supplier (separately, art. 18): the round's minutes are recorded. */
export async function recordRound(deps: ConsultationDeps, actor: Actor, expertId: number, id: number, input: { supplierId: number; minutes: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    assertStatus(row.status, ['consulting'], 'NOT_CONSULTING');
    await assertRemaining(tx, id, input.supplierId);
    const last = await tx('consultation_rounds').where({ consultation_id: id, supplier_id: input.supplierId }).max({ n: 'round_no' }).first();
    const roundNo = Number(last?.n ?? 0) + 1;
    const now = deps.clock.now();
    const digest = sha(input.minutes);
    await tx('consultation_rounds').insert({ consultation_id: id, supplier_id: input.supplierId, round_no: roundNo, documents_version: row.documents_version, minutes: input.minutes, minutes_sha256: digest, recorded_by_expert_id: expertId, held_at: toDbTime(now) });
    await record(tx, actor, { action: 'consultation.round_recorded', entityType: 'consultation', entityId: id, after: { supplierId: input.supplierId, roundNo, expertId, documentsVersion: row.documents_version, minutesSha256: digest, heldAt: now.toISOString() } });
    // The supplier sees its own round only: on its own accounts' channels.
    const users = await usersOfSuppliers(tx, [input.supplierId]);
    tx.afterCommit(() => users.forEach((u) => void deps.realtime.publish(`user:${u.id}`, { type: 'consultation.round', consultationId: id, roundNo })));
    return { consultationId: id, supplierId: input.supplierId, roundNo, documentsVersion: row.documents_version, minutesSha256: digest, heldAt: now.toISOString() };
  });
}

/**
 * A change to the consultation documents. Before the first-response deadline (the operator: a
 * clarification or change) it goes to every invited supplier and may move the deadline (art. 10);
 * during consultation (the team, art. 21: technical and service requirements and the draft
 * contract only, confirmed by the purchaser's side) it goes to every remaining supplier at once.
 * Each addressee acknowledges it; the final quotations wait for every acknowledgement.
 */
export async function issueChange(deps: ConsultationDeps, actor: Actor, by: { expertId: number | null }, id: number, input: { summary: string; body: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    assertStatus(row.status, by.expertId === null ? ['issued'] : ['consulting'], 'CHANGE_NOT_ALLOWED');
    const now = deps.clock.now();
    const version = row.documents_version + 1;
    const addressees = by.expertId === null ? (await tx('consultation_suppliers').where({ consultation_id: id }).whereIn('status', ['invited', 'responded']).select('supplier_id')).map((s: { supplier_id: number }) => Number(s.supplier_id)) : await remainingSuppliers(tx, id);
    const [changeId] = await tx('consultation_changes').insert({ consultation_id: id, version, summary: input.summary, body: input.body, body_sha256: sha(input.body), issued_by_expert_id: by.expertId, confirmed_by_user_id: by.expertId === null ? actor.userId : null, issued_at: toDbTime(now) });
    if (addressees.length) await tx('consultation_change_acks').insert(addressees.map((s) => ({ change_id: Number(changeId), supplier_id: s, sent_at: toDbTime(now) })));
    const patch: Record<string, unknown> = { documents_version: version, updated_at: toDbTime(now) };
    let moved: Date | null = null;
    if (by.expertId === null) {
      const legal = await loadConsultationLegal(tx);
      moved = movedResponseDeadline(now, fromDbTime(row.response_deadline)!, legal.amendmentDays);
      if (moved) {
        patch.response_deadline = toDbTime(moved);
        await deps.scheduler.schedule(tx, { kind: JOB_CLOSE_RESPONSES, key: closeResponsesKey(id), runAt: moved, payload: { consultationId: id } });
        if (row.project_id !== null) await projects.extendDeadline(tx, actor, row.project_id, { deadlineAt: moved, reason: `change ${version} of consultation ${row.reference}` });
      }
    }
    await tx('consultations').where({ id }).update(patch);
    await record(tx, actor, { action: 'consultation.change_issued', entityType: 'consultation', entityId: id, after: { changeId: Number(changeId), version, summary: input.summary, bodySha256: sha(input.body), expertId: by.expertId, sentTo: addressees, count: addressees.length, ...(moved ? { responseDeadline: moved.toISOString(), deadlineMovedFrom: isoFromDb(row.response_deadline) } : {}) } });
    const users = await usersOfSuppliers(tx, addressees);
    tx.afterCommit(() => users.forEach((u) => void deps.realtime.publish(`user:${u.id}`, { type: 'consultation.change', consultationId: id, version, summary: input.summary })));
    return { changeId: Number(changeId), version, sentTo: addressees.length, responseDeadline: moved ? moved.toISOString() : isoFromDb(row.response_deadline) };
  });
}

export async function acknowledgeChange(deps: ConsultationDeps, actor: Actor, supplierId: number, id: number, changeId: number) {
  return withTx(deps.db, async (tx) => {
    await lockConsultation(tx, id);
    const ack = await tx('consultation_change_acks as a').join('consultation_changes as c', 'c.id', 'a.change_id').where({ 'a.change_id': changeId, 'a.supplier_id': supplierId, 'c.consultation_id': id }).first('a.id', 'a.acknowledged_at', 'c.version');
    if (!ack) throw new NotFoundError('This change was not sent to you', null, 'CHANGE_NOT_FOUND');
    if (ack.acknowledged_at) return { changeId, version: ack.version, acknowledgedAt: isoFromDb(ack.acknowledged_at) };
    const now = deps.clock.now();
    await tx('consultation_change_acks').where({ id: ack.id }).update({ acknowledged_at: toDbTime(now) });
    await record(tx, actor, { action: 'consultation.change_acknowledged', entityType: 'consultation', entityId: id, after: { changeId, version: ack.version, supplierId, at: now.toISOString() } });
    return { changeId, version: ack.version, acknowledgedAt: now.toISOString() };
  });
}

/** The team ends a supplier's part: its response does not meet the (changed) requirements. */
export async function eliminateSupplier(deps: ConsultationDeps, actor: Actor, expertId: number, id: number, input: { supplierId: number; reason: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    assertStatus(row.status, ['consulting'], 'NOT_CONSULTING');
    await assertRemaining(tx, id, input.supplierId);
    await tx('consultation_suppliers').where({ consultation_id: id, supplier_id: input.supplierId }).update({ status: 'eliminated', eliminated_reason: input.reason });
    // Changes it has not acknowledged no longer wait for it.
    await tx('consultation_change_acks').where({ supplier_id: input.supplierId }).whereIn('change_id', tx('consultation_changes').where({ consultation_id: id }).select('id')).whereNull('acknowledged_at').delete();
    await record(tx, actor, { action: 'consultation.supplier_eliminated', entityType: 'consultation', entityId: id, after: { supplierId: input.supplierId, expertId, reason: input.reason } });
    return { supplierId: input.supplierId, status: 'eliminated', remaining: (await remainingSuppliers(tx, id)).length };
  });
}

/**
 * The rounds end: the final quotations are called from the remaining suppliers as a tender of
 * procedure 'competitive_consultation' (sealed in each supplier's browser as tender bids are,
 * opened together at `openingAt`, scored by the team on the documents' criteria, awarded by the
 * unit). Needs the team, every change acknowledged by every remaining supplier, and at least the
 * minimum of remaining suppliers (art. 22; the configured exception lowers it).
 */
export async function callFinalQuotations(deps: ConsultationDeps, actor: Actor, id: number, input: { deadline: string; openingAt?: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockConsultation(tx, id);
    const status = transition(row.status, 'callFinalQuotations');
    const now = deps.clock.now();
    const deadline = new Date(input.deadline);
    const openingAt = new Date(input.openingAt ?? input.deadline);
    if (deadline <= now) throw new RuleError('DEADLINE_IN_PAST', 'The final-quotation deadline is in the future');
    if (openingAt < deadline) throw new RuleError('OPENING_BEFORE_DEADLINE', 'The final quotations are opened at or after their deadline');
    const team = await tx('consultation_team').where({ consultation_id: id }).select('expert_id', 'is_chair', 'source', 'source_ref');
    if (!team.length) throw new ConflictError('NO_TEAM', 'The consultation team (from the sealed expert draw) is not linked yet');
    const remaining = await remainingSuppliers(tx, id);
    const legal = await loadConsultationLegal(tx);
    const min = minimumSuppliers(row.exception, legal);
    if (remaining.length < min.value) throw new RuleError('TOO_FEW_REMAINING', `At least ${min.value} suppliers submit final quotations`, { remaining: remaining.length, minimum: min.value, source: min.source });
    const pending = await tx('consultation_change_acks as a').join('consultation_changes as c', 'c.id', 'a.change_id').where('c.consultation_id', id).whereIn('a.supplier_id', remaining).whereNull('a.acknowledged_at').select('a.supplier_id', 'c.version');
    if (pending.length) throw new ConflictError('CHANGES_NOT_ACKNOWLEDGED', 'Every remaining supplier acknowledges every change before the final quotations', { pending: pending.map((p: { supplier_id: number; version: number }) => ({ supplierId: Number(p.supplier_id), version: p.version })) });
    const ts = toDbTime(now);
    const [tenderId] = await tx('tenders').insert({
      reference: `${row.reference}-FQ`,
      project_id: row.project_id,
      title: row.title,
      kind: row.kind,
      category_code: row.category_code,
      purchasing_org_id: row.purchasing_org_id,
      budget_fen: row.budget_fen,
      method: 'comprehensive',
      price_weight: row.price_weight,
      sme_deduction_pct: row.sme_deduction_pct,
      abnormal_low_pct: ruleValue('abnormallyLowPercentOfAverage'),
      decryption_minutes: ruleValue('decryptionWindowMinutes'),
      description: row.description,
      requirements_json: row.requirements_json,
      qualifications_json: row.qualifications_json,
      criteria_json: row.criteria_json,
      status: 'published',
      published_at: ts,
      bid_deadline: toDbTime(deadline),
      opening_at: toDbTime(openingAt),
      procedure: 'competitive_consultation',
      consultation_id: id,
      min_valid_bids: min.value,
      created_by: actor.userId,
      created_at: ts,
      updated_at: ts,
    });
    const tid = Number(tenderId);
    // The team scores the final quotations: it is the tender's committee.
    await tx('tender_committee').insert(team.map((m: { expert_id: number; is_chair: number | boolean; source: string; source_ref: string | null }) => ({ tender_id: tid, expert_id: m.expert_id, is_chair: Boolean(m.is_chair), source: m.source, source_ref: m.source_ref, joined_at: ts })));
    await deps.scheduler.schedule(tx, { kind: JOB_OPEN, key: openJobKey(tid), runAt: openingAt, payload: { tenderId: tid } });
    await tx('consultations').where({ id }).update({ status, tender_id: tid, updated_at: ts });
    await recordMany(tx, actor, [
      { action: 'consultation.final_quotations_called', entityType: 'consultation', entityId: id, before: { status: row.status }, after: { status, tenderId: tid, bidDeadline: deadline.toISOString(), openingAt: openingAt.toISOString(), count: remaining.length, minimum: min.value, documentsVersion: row.documents_version } },
      { action: 'tender.published', entityType: 'tender', entityId: tid, before: { status: 'draft' }, after: { status: 'published', reference: `${row.reference}-FQ`, title: row.title, orgId: row.purchasing_org_id, method: 'competitive_consultation', budgetFen: Number(row.budget_fen), consultationId: id, tenderPeriodStart: isoFromDb(row.issued_at), tenderPeriodEnd: isoFromDb(row.response_deadline), bidDeadline: deadline.toISOString() } },
      { action: 'tender.committee.linked', entityType: 'tender', entityId: tid, after: { expertIds: team.map((m: { expert_id: number }) => Number(m.expert_id)), chairExpertId: Number(team.find((m: { is_chair: number | boolean }) => m.is_chair)?.expert_id ?? team[0].expert_id), source: team[0].source, sourceRef: team[0].source_ref, consultationId: id } },
    ]);
    const users = await usersOfSuppliers(tx, remaining);
    tx.afterCommit(() => users.forEach((u) => void deps.realtime.publish(`user:${u.id}`, { type: 'consultation.final_quotation', consultationId: id, tenderId: tid, deadline: deadline.toISOString() })));
    return view(tx, await findConsultation(tx, id));
  });
}

/** On a reveal: the consultation the draw was requested for (project reference = its reference) takes its team. */
export async function linkRevealedDrawToConsultation(deps: ConsultationDeps, drawId: number): Promise<boolean> {
  const d = await deps.db('draws').where({ id: drawId }).first('project_ref');
  if (!d) return false;
  const c = await deps.db('consultations').where({ reference: d.project_ref }).whereIn('status', ['issued', 'consulting']).whereNotExists(deps.db('consultation_team as m').whereRaw('m.consultation_id = consultations.id').select('m.id')).first('id');
  if (!c) return false;
  await linkTeamFromDraw(deps, systemActor('draw-reveal', deps.clock), Number(c.id), String(drawId));
  return true;
}

/** The tendering module's hooks for the final quotations: remaining suppliers only. */
export const finalQuotationHooks = {
  async assertMayBid(tx: Tx, tender: { consultation_id: number | null }, supplierId: number): Promise<void> {
    const s = tender.consultation_id === null ? null : await tx('consultation_suppliers').where({ consultation_id: tender.consultation_id, supplier_id: supplierId }).first('status');
    if (!s || s.status !== REMAINING) throw new ForbiddenError('Only the suppliers remaining in the consultation submit final quotations', null, 'NOT_IN_CONSULTATION');
  },
  tendersVisibleTo(db: Knex, supplierId: number): Knex.QueryBuilder {
    return db('tenders').where('procedure', 'competitive_consultation').whereIn('consultation_id', db('consultation_suppliers').where({ supplier_id: supplierId, status: REMAINING }).select('consultation_id')).select('id');
  },
};
