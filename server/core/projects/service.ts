// Procurement projects: created from an approved requisition, moved through their method's
// legal stages. Every move is a conditional UPDATE on the current stage (exactly one of two
// concurrent moves wins), closes the stage row and opens the next (cycle time), and is audited.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import { toDbTime, fromDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { assertSupplierMayAct } from '../../execution/suppliers/eligibility';
import { loadRuleBook, rule, type RuleBook } from '../rules/rule-book';
import { loadCalendar, addDays, endOfLocalDay, type WorkingCalendar } from '../rules/calendar';
import { refreeze, release, lockLine } from '../budget/service';
import type { Method } from '../methods/rules';
import { ANNULLABLE_STAGES, AWARD_STAGE, MACHINES, canMove, happyPath, type Stage } from './state-machine';
import { JOB, scheduleJob, cancelJob } from '../workflow/jobs';
import { onProjectChanged } from '../../supervision/reports/project-hook';

export type AwardSource = 'auction' | 'tender' | 'inquiry' | 'negotiation' | 'single_source' | 'manual' | 'framework';

export interface ProjectRow {
  id: number;
  ref: string;
  requisition_id: number;
  org_id: number;
  method: Method;
  stage: Stage;
  budget_fen: number;
  deadline_at: string | null;
  award_notice_at: string | null;
  award_fen: number | null;
  awarded_supplier_id: number | null;
  version: number;
}

export async function loadProject(db: Knex, id: number): Promise<ProjectRow> {
  const p = await db('procurement_projects').where({ id }).first();
  if (!p) throw new NotFoundError(`Project ${id} not found`, null, 'PROJECT_NOT_FOUND');
  return p;
}

/** What the execution wing needs to open an auction or tender for a project. */
export async function projectForExecution(db: Knex, id: number) {
  const p = await loadProject(db, id);
  const r = await db('requisitions').where({ id: p.requisition_id }).first('category_code', 'category_kind', 'framework_goods', 'needed_by');
  const items = await db('requisition_items').where({ requisition_id: p.requisition_id }).orderBy('line_no');
  return {
    id: p.id,
    ref: p.ref,
    orgId: p.org_id,
    method: p.method,
    stage: p.stage,
    budgetFen: Number(p.budget_fen),
    categoryCode: r.category_code as string,
    categoryKind: r.category_kind as string,
    frameworkGoods: !!r.framework_goods,
    items: items.map((i: any) => ({ categoryCode: i.category_code, name: i.name, specification: i.specification, quantity: i.quantity, unit: i.unit })),
  };
}

function assertStage(p: ProjectRow, ...allowed: Stage[]): void {
  if (!allowed.includes(p.stage)) throw new ConflictError('PROJECT_WRONG_STAGE', `The project is in stage ${p.stage}; this step needs ${allowed.join(' or ')}`, { stage: p.stage, allowed });
}

function assertMethod(p: ProjectRow, ...allowed: Method[]): void {
  if (!allowed.includes(p.method)) throw new ConflictError('PROJECT_WRONG_METHOD', `This step does not belong to the ${p.method} procedure`, { method: p.method, allowed });
}

/** Moves the project from its current stage to `to`; the stage row records entry/exit times. */
export async function moveStage(tx: Tx, actor: Actor, p: ProjectRow, to: Stage, opts: { patch?: Record<string, unknown>; dueAt?: Date | null; note?: unknown; annul?: boolean } = {}): Promise<ProjectRow> {
  const annulment = opts.annul === true && to === 'failed' && ANNULLABLE_STAGES.includes(p.stage);
  if (!annulment && !canMove(p.method, p.stage, to)) throw new ConflictError('PROJECT_TRANSITION_NOT_ALLOWED', `${p.method}: ${p.stage} → ${to} is not a legal step`, { method: p.method, from: p.stage, to });
  const now = toDbTime(actor.clock.now());
  const n = await tx('procurement_projects')
    .where({ id: p.id, stage: p.stage, version: p.version })
    .update({ ...(opts.patch ?? {}), stage: to, version: p.version + 1, updated_at: now });
  if (n !== 1) throw new ConflictError('PROJECT_CHANGED', 'The project changed meanwhile; reload and retry', { projectId: p.id });
  await tx('project_stages').where({ project_id: p.id, stage: p.stage }).whereNull('exited_at').update({ exited_at: now });
  // Entered late (a catch-up after downtime): the stage is overdue from its first moment.
  const lateAlready = opts.dueAt && opts.dueAt.getTime() <= actor.clock.now().getTime();
  await tx('project_stages').insert({ project_id: p.id, method: p.method, stage: to, entered_at: now, due_at: opts.dueAt ? toDbTime(opts.dueAt) : null, overdue_at: lateAlready ? now : null });
  await cancelJob(tx, actor.clock, `project:${p.id}:due:${p.stage}`);
  await record(tx, actor, { action: 'project.stage_changed', entityType: 'project', entityId: p.id, before: { stage: p.stage }, after: { stage: to, ...(opts.patch ?? {}), ...(opts.note ? { note: opts.note } : {}) } });
  // Report facts, portal result notices and OCDS releases move in the same transaction as the stage.
  await onProjectChanged(tx, actor, p.id);
  return { ...p, ...(opts.patch as object), stage: to, version: p.version + 1 } as ProjectRow;
}

async function scheduleAdvance(tx: Tx, actor: Actor, p: ProjectRow, from: Stage, to: Stage, at: Date) {
  await scheduleJob(tx, actor.clock, { kind: JOB.advance, key: `project:${p.id}:advance:${from}`, runAt: at, payload: { projectId: p.id, from, to, at: at.toISOString() } });
}

async function scheduleDue(tx: Tx, actor: Actor, p: ProjectRow, stage: Stage, at: Date) {
  await scheduleJob(tx, actor.clock, { kind: JOB.stageDue, key: `project:${p.id}:due:${stage}`, runAt: at, payload: { projectId: p.id, stage } });
}

/** Opens the project for a fully approved requisition. */
export async function createProject(tx: Tx, actor: Actor, req: { id: number; ref: string; org_id: number; title: string; method: Method; total_fen: number }): Promise<number> {
  const now = toDbTime(actor.clock.now());
  const initial = MACHINES[req.method].initial;
  const [id] = await tx('procurement_projects').insert({
    ref: `PRJ-${req.ref.slice(4)}`,
    requisition_id: req.id,
    org_id: req.org_id,
    title: req.title,
    method: req.method,
    stage: initial,
    budget_fen: req.total_fen,
    created_at: now,
    updated_at: now,
  });
  await tx('project_stages').insert({ project_id: Number(id), method: req.method, stage: initial, entered_at: now });
  await record(tx, actor, { action: 'project.created', entityType: 'project', entityId: Number(id), after: { requisitionId: req.id, method: req.method, stage: initial, budgetFen: req.total_fen } });
  return Number(id);
}

const ctxOf = async (tx: Tx): Promise<{ book: RuleBook; cal: WorkingCalendar }> => ({ book: await loadRuleBook(tx), cal: await loadCalendar(tx) });

/** Public tender: the tender notice is published with its bid deadline. */
export async function publishNotice(tx: Tx, actor: Actor, id: number, input: { deadlineAt: string }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'public_tender');
  assertStage(p, 'documents_prepared');
  const { book, cal } = await ctxOf(tx);
  const now = actor.clock.now();
  const deadline = new Date(input.deadlineAt);
  checkTenderPeriod(book, cal, now, deadline);
  return moveStage(tx, actor, p, 'notice_published', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(deadline) } });
}

function checkTenderPeriod(book: RuleBook, cal: WorkingCalendar, issuedAt: Date, deadline: Date) {
  const minDays = rule(book, 'tenderBiddingPeriodDays');
  if (deadline < addDays(issuedAt, minDays)) throw new RuleError('TENDER_PERIOD_TOO_SHORT', `At least ${minDays} days from issuing the tender documents to the bid deadline`, { minDays, source: book.tenderBiddingPeriodDays.source, earliestDeadline: addDays(issuedAt, minDays).toISOString() });
  const minWd = rule(book, 'tenderDocumentsAvailableWorkingDays');
  if (deadline < cal.addWorkingDays(issuedAt, minWd)) throw new RuleError('TENDER_DOCUMENTS_PERIOD_TOO_SHORT', `Tender documents must be available for at least ${minWd} working days`, { minWorkingDays: minWd, source: book.tenderDocumentsAvailableWorkingDays.source });
}

/**
 * Invitational tender by prequalification: the notice is published with its application deadline
 * (at least prequalificationNoticeWorkingDays working days, calendar-counted).
 */
export async function openPrequalification(tx: Tx, actor: Actor, id: number, input: { deadlineAt: string }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'invitational_tender');
  assertStage(p, 'documents_prepared');
  const { book, cal } = await ctxOf(tx);
  const now = actor.clock.now();
  const deadline = new Date(input.deadlineAt);
  const wd = rule(book, 'prequalificationNoticeWorkingDays');
  const earliest = cal.addWorkingDays(now, wd);
  if (deadline < earliest) throw new RuleError('PREQUALIFICATION_PERIOD_TOO_SHORT', `The prequalification notice runs at least ${wd} working days`, { minWorkingDays: wd, source: book.prequalificationNoticeWorkingDays.source, earliestDeadline: earliest.toISOString() });
  return moveStage(tx, actor, p, 'prequalification', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(deadline) }, dueAt: deadline });
}

/**
 * Invitational tender: the suppliers are invited (drawn, or qualified in the prequalification);
 * at least invitationalTenderMinimumInvited. The invited list itself stays sealed (invitations module).
 */
export async function recordInvitations(tx: Tx, actor: Actor, id: number, input: { source: 'draw' | 'prequalification'; invited: number; drawId?: number | null }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'invitational_tender');
  assertStage(p, input.source === 'draw' ? 'documents_prepared' : 'prequalification');
  const book = await loadRuleBook(tx);
  const min = rule(book, 'invitationalTenderMinimumInvited');
  if (input.invited < min) throw new RuleError('TOO_FEW_INVITED', `An invitational tender invites at least ${min} suppliers`, { min, invited: input.invited, source: book.invitationalTenderMinimumInvited.source });
  if (input.source === 'prequalification' && actor.clock.now() < fromDbTime(p.deadline_at)!) throw new RuleError('PREQUALIFICATION_OPEN', 'Suppliers may apply until the prequalification deadline', { deadlineAt: fromDbTime(p.deadline_at)!.toISOString() });
  return moveStage(tx, actor, p, 'suppliers_invited', { note: { source: input.source, invited: input.invited, drawId: input.drawId ?? null } });
}

/**
 * Documents issued: tender bidding opens (the 20-day period counts from now), or inquiry /
 * negotiation responses open (at least 3 working days). The deadline job closes it.
 */
export async function issueDocuments(tx: Tx, actor: Actor, id: number, input: { deadlineAt?: string }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'public_tender', 'invitational_tender', 'inquiry', 'competitive_negotiation');
  const { book, cal } = await ctxOf(tx);
  const now = actor.clock.now();
  if (p.method === 'invitational_tender') {
    // The documents go to the invited suppliers: the same 20-day period as a public tender.
    assertStage(p, 'suppliers_invited');
    if (!input.deadlineAt) throw new RuleError('DEADLINE_REQUIRED', 'A bid deadline is required');
    const deadline = new Date(input.deadlineAt);
    checkTenderPeriod(book, cal, now, deadline);
    const moved = await moveStage(tx, actor, p, 'bidding_open', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(deadline) }, dueAt: deadline });
    await scheduleAdvance(tx, actor, moved, 'bidding_open', 'opening', deadline);
    return moved;
  }
  if (p.method === 'public_tender') {
    assertStage(p, 'notice_published');
    const deadline = input.deadlineAt ? new Date(input.deadlineAt) : fromDbTime(p.deadline_at)!;
    checkTenderPeriod(book, cal, now, deadline);
    const moved = await moveStage(tx, actor, p, 'bidding_open', { patch: { deadline_at: toDbTime(deadline) }, dueAt: deadline });
    await scheduleAdvance(tx, actor, moved, 'bidding_open', 'opening', deadline);
    return moved;
  }
  assertStage(p, 'documents_prepared');
  if (!input.deadlineAt) throw new RuleError('DEADLINE_REQUIRED', 'A response deadline is required');
  const deadline = new Date(input.deadlineAt);
  const key = p.method === 'inquiry' ? 'inquiryResponsePeriodWorkingDays' : 'negotiationResponsePeriodWorkingDays';
  const wd = rule(book, key);
  if (deadline < cal.addWorkingDays(now, wd)) throw new RuleError('RESPONSE_PERIOD_TOO_SHORT', `At least ${wd} working days from issuing the documents to the deadline`, { minWorkingDays: wd, source: book[key].source, earliestDeadline: cal.addWorkingDays(now, wd).toISOString() });
  const moved = await moveStage(tx, actor, p, 'responses_open', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(deadline) }, dueAt: deadline });
  await scheduleAdvance(tx, actor, moved, 'responses_open', 'evaluation', deadline);
  return moved;
}

/**
 * The deadline moves later (an amendment that affects bid preparation, issued too close to the
 * deadline, moves it by the legal minimum): the project keeps accepting bids or responses until
 * the new deadline, and the job that closes them moves with it.
 */
export async function extendDeadline(tx: Tx, actor: Actor, id: number, input: { deadlineAt: Date; reason: string }) {
  const p = await loadProject(tx, id);
  assertStage(p, 'bidding_open', 'responses_open');
  const old = fromDbTime(p.deadline_at)!;
  if (input.deadlineAt.getTime() <= old.getTime()) throw new RuleError('DEADLINE_NOT_LATER', 'A deadline can only be moved later', { deadlineAt: old.toISOString() });
  const n = await tx('procurement_projects').where({ id: p.id, version: p.version }).update({ deadline_at: toDbTime(input.deadlineAt), version: p.version + 1, updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new ConflictError('PROJECT_CHANGED', 'The project changed meanwhile; reload and retry', { projectId: p.id });
  await tx('project_stages').where({ project_id: p.id, stage: p.stage }).whereNull('exited_at').update({ due_at: toDbTime(input.deadlineAt) });
  const next = p.stage === 'bidding_open' ? 'opening' : 'evaluation';
  const moved = { ...p, deadline_at: toDbTime(input.deadlineAt), version: p.version + 1 } as ProjectRow;
  await scheduleAdvance(tx, actor, moved, p.stage, next, input.deadlineAt);
  await record(tx, actor, { action: 'project.deadline_extended', entityType: 'project', entityId: p.id, before: { deadlineAt: old.toISOString() }, after: { deadlineAt: input.deadlineAt.toISOString(), reason: input.reason } });
  return moved;
}

/**
 * Competitive consultation: the documents are issued and first responses open until the deadline
 * (the consultation module has checked the 10-day period from the rule book). The consultation
 * module closes the responses itself (its own job), so no advance job is scheduled here.
 */
export async function openConsultation(tx: Tx, actor: Actor, id: number, input: { deadlineAt: Date }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'competitive_consultation');
  assertStage(p, 'documents_prepared');
  const now = actor.clock.now();
  return moveStage(tx, actor, p, 'responses_open', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(input.deadlineAt) }, dueAt: input.deadlineAt });
}

/** Competitive consultation: first responses closed with enough suppliers; the rounds begin. */
export async function startConsultationRounds(tx: Tx, actor: Actor, id: number, input: { responses: number }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'competitive_consultation');
  assertStage(p, 'responses_open');
  return moveStage(tx, actor, p, 'negotiation', { patch: { responses: input.responses } });
}

/** Competitive consultation: the sealed final quotations are opened; the team scores them. */
export async function startConsultationEvaluation(tx: Tx, actor: Actor, id: number) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'competitive_consultation');
  assertStage(p, 'negotiation');
  return moveStage(tx, actor, p, 'evaluation');
}

/** Closes bidding or responses once the deadline has passed (the deadline job, or an operator after it). */
export async function closeAtDeadline(tx: Tx, actor: Actor, id: number) {
  const p = await loadProject(tx, id);
  assertStage(p, 'bidding_open', 'responses_open');
  if (actor.clock.now() < fromDbTime(p.deadline_at)!) throw new RuleError('DEADLINE_NOT_REACHED', 'Bids and responses are accepted until the deadline', { deadlineAt: fromDbTime(p.deadline_at)!.toISOString() });
  return moveStage(tx, actor, p, p.stage === 'bidding_open' ? 'opening' : 'evaluation');
}

/** Fails the project and releases its money (too few bids, an upheld challenge, the operator's call). */
export async function failProject(tx: Tx, actor: Actor, p: ProjectRow, reason: string, patch: Record<string, unknown> = {}, annul = false) {
  const req = await tx('requisitions').where({ id: p.requisition_id }).first();
  await lockLine(tx, req.budget_line_id);
  const moved = await moveStage(tx, actor, p, 'failed', { patch: { ...patch, failure_reason: reason }, annul });
  await release(tx, actor, req.budget_line_id, Number(req.frozen_fen), { entityType: 'project', entityId: p.id });
  await tx('requisitions').where({ id: req.id }).update({ frozen_fen: 0, updated_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'project.failed', entityType: 'project', entityId: p.id, after: { reason } });
  return moved;
}

/** Tender opening: fewer than the minimum bidders fails the tender. */
export async function recordOpening(tx: Tx, actor: Actor, id: number, input: { bidsReceived: number }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'public_tender', 'invitational_tender');
  assertStage(p, 'opening');
  const book = await loadRuleBook(tx);
  const min = rule(book, 'tenderMinimumValidBids');
  if (input.bidsReceived < min) return failProject(tx, actor, p, `TOO_FEW_BIDS: ${input.bidsReceived} < ${min}`, { responses: input.bidsReceived });
  return moveStage(tx, actor, p, 'evaluation', { patch: { responses: input.bidsReceived } });
}

/**
 * The result of evaluation (tender, inquiry, negotiation) or of an online competition recorded by
 * the operator: fewer valid responses than the minimum fails the project, otherwise it is awarded.
 */
export async function recordResult(tx: Tx, actor: Actor, id: number, input: { validResponses: number; supplierId: number; amountFen: number; sourceRef?: string; minimumValid?: number }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'public_tender', 'invitational_tender', 'inquiry', 'competitive_negotiation', 'online_price_competition', 'competitive_consultation');
  assertStage(p, AWARD_STAGE[p.method]);
  const book = await loadRuleBook(tx);
  const tender = p.method === 'public_tender' || p.method === 'invitational_tender';
  const key = tender ? 'tenderMinimumValidBids' : p.method === 'online_price_competition' ? 'onlineCompetitionMinimumSuppliers' : p.method === 'competitive_consultation' ? 'consultationMinimumSuppliers' : 'nonTenderMinimumSuppliers';
  // A consultation under a configured exception (2 suppliers) states its own minimum.
  const min = input.minimumValid ?? rule(book, key);
  if (input.validResponses < min) return failProject(tx, actor, p, `TOO_FEW_VALID_RESPONSES: ${input.validResponses} < ${min}`, { valid_responses: input.validResponses });
  await tx('procurement_projects').where({ id: p.id }).update({ valid_responses: input.validResponses });
  const source: AwardSource = tender || p.method === 'competitive_consultation' ? 'tender' : p.method === 'inquiry' ? 'inquiry' : p.method === 'online_price_competition' ? 'manual' : 'negotiation';
  return recordAward(tx, actor, { projectId: p.id, supplierId: input.supplierId, amountFen: input.amountFen, source, sourceRef: input.sourceRef ?? null });
}

/** Single source: the justification is published; negotiation opens after the notice period. */
export async function publishJustification(tx: Tx, actor: Actor, id: number) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'single_source');
  assertStage(p, 'documents_prepared');
  const { book, cal } = await ctxOf(tx);
  const now = actor.clock.now();
  const end = cal.addWorkingDays(now, rule(book, 'singleSourceNoticeWorkingDays'));
  const moved = await moveStage(tx, actor, p, 'justification_notice', { patch: { notice_at: toDbTime(now), deadline_at: toDbTime(end) }, dueAt: end });
  await scheduleAdvance(tx, actor, moved, 'justification_notice', 'negotiation', end);
  return moved;
}

/** Single source: the negotiated result with the one supplier. */
export async function recordNegotiation(tx: Tx, actor: Actor, id: number, input: { supplierId: number; amountFen: number }) {
  const p = await loadProject(tx, id);
  assertMethod(p, 'single_source');
  assertStage(p, 'negotiation');
  return recordAward(tx, actor, { projectId: p.id, supplierId: input.supplierId, amountFen: input.amountFen, source: 'single_source', sourceRef: null });
}

/** The operator declares a failure in a stage where one is legal (e.g. an auction without bids). */
export async function declareFailure(tx: Tx, actor: Actor, id: number, input: { reason: string }) {
  const p = await loadProject(tx, id);
  // The operator declares failure only where a result is being reached; after the award only an
  // upheld challenge annuls it (challenges.ts).
  if (!canMove(p.method, p.stage, 'failed')) throw new ConflictError('PROJECT_TRANSITION_NOT_ALLOWED', `A ${p.method} project cannot be declared failed in stage ${p.stage}`, { stage: p.stage });
  return failProject(tx, actor, p, input.reason);
}

/**
 * The one entry point for results from the execution wing (auctions, tenders) and from the
 * operator: the project enters its award notice, the budget is re-frozen at the award price
 * and the difference released. The award notice period then runs by scheduled jobs.
 */
export async function recordAward(tx: Tx, actor: Actor, input: { projectId: number; supplierId: number; amountFen: number; source: AwardSource; sourceRef: string | null }) {
  const p = await loadProject(tx, input.projectId);
  assertStage(p, AWARD_STAGE[p.method]);
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) throw new RuleError('AWARD_AMOUNT_INVALID', 'The award amount must be a positive number of fen');
  if (input.amountFen > Number(p.budget_fen)) throw new RuleError('AWARD_ABOVE_BUDGET', 'The award price exceeds the approved budget of the project', { budgetFen: Number(p.budget_fen), amountFen: input.amountFen });
  const now = actor.clock.now();
  await assertSupplierMayAct(tx, input.supplierId, now, 'submit_bid');
  const req = await tx('requisitions').where({ id: p.requisition_id }).first();
  await lockLine(tx, req.budget_line_id);
  await refreeze(tx, actor, req.budget_line_id, Number(req.frozen_fen), input.amountFen, { entityType: 'project', entityId: p.id });
  await tx('requisitions').where({ id: req.id }).update({ frozen_fen: input.amountFen, updated_at: toDbTime(now) });
  const { book, cal } = await ctxOf(tx);
  const noticeEnd = cal.addWorkingDays(now, rule(book, 'awardNoticeWorkingDays'));
  const moved = await moveStage(tx, actor, p, 'award_notice', {
    patch: { awarded_supplier_id: input.supplierId, award_fen: input.amountFen, award_source: input.source, award_source_ref: input.sourceRef, award_notice_at: toDbTime(now) },
    dueAt: noticeEnd,
  });
  const next = MACHINES[p.method].next.award_notice![0];
  await scheduleAdvance(tx, actor, moved, 'award_notice', next, noticeEnd);
  // The contract is due within 30 days of the award notice (Law art. 46), whatever happens between.
  const contractDue = addDays(now, rule(book, 'contractWithinDays'));
  await scheduleJob(tx, actor.clock, { kind: JOB.stageDue, key: `project:${p.id}:contract-due`, runAt: contractDue, payload: { projectId: p.id, stage: 'contract', untilStage: 'acceptance' } });
  await record(tx, actor, { action: 'project.awarded', entityType: 'project', entityId: p.id, after: { supplierId: input.supplierId, amountFen: input.amountFen, source: input.source, sourceRef: input.sourceRef } });
  return moved;
}

/** Scheduled: a period ended; move on if the project is still where the job expects. */
export async function advanceJob(tx: Tx, actor: Actor, payload: { projectId: number; from: Stage; to: Stage; at?: string }): Promise<void> {
  const p = await loadProject(tx, payload.projectId);
  if (p.stage !== payload.from) return; // moved on by hand meanwhile
  let dueAt: Date | null = null;
  const { book, cal } = await ctxOf(tx);
  // Periods run from when the previous one legally ended, even when the job runs late (catch-up).
  const now = payload.at ? new Date(payload.at) : actor.clock.now();
  // A period of working days ends with its last day, 23:59:59.999 Beijing time (as the award notice says).
  if (payload.to === 'challenge_period') dueAt = endOfLocalDay(cal.addWorkingDays(now, rule(book, 'challengePeriodWorkingDays')));
  // An open challenge holds the contract; its dismissal moves the project on (challenges.ts).
  if (payload.to === 'contract' && (await tx('project_challenges').where({ project_id: p.id, status: 'open' }).first('id'))) return;
  if (payload.to === 'contract') dueAt = addDays(fromDbTime(p.award_notice_at)!, rule(book, 'contractWithinDays'));
  const moved = await moveStage(tx, actor, p, payload.to, { dueAt });
  if (payload.to === 'challenge_period') await scheduleAdvance(tx, actor, moved, 'challenge_period', 'contract', dueAt!);
}

/** Scheduled: a human step's time limit passed. Still not done: step.overdue for supervision. */
export async function stageDueJob(tx: Tx, actor: Actor, payload: { projectId: number; stage: Stage; untilStage?: Stage }): Promise<void> {
  const p = await loadProject(tx, payload.projectId);
  // With untilStage the limit holds until the project reaches that stage (the contract signed by
  // the acceptance stage); otherwise only while it stays in the stage itself.
  const path = happyPath(p.method);
  const stillOpen = payload.untilStage ? p.stage !== 'failed' && path.indexOf(p.stage) < path.indexOf(payload.untilStage) : p.stage === payload.stage;
  if (!stillOpen) return;
  const now = toDbTime(actor.clock.now());
  await tx('project_stages').where({ project_id: p.id }).whereNull('exited_at').whereNull('overdue_at').update({ overdue_at: now });
  await record(tx, actor, { action: 'step.overdue', entityType: 'project', entityId: p.id, after: { step: payload.untilStage ? `${payload.stage}_by_${payload.untilStage}` : payload.stage, stage: p.stage, method: p.method } });
}

export { scheduleDue };
