// Tender documents: drafting from a template, the legal checks, publication on the portal,
// clarifications and amendments (a late substantive amendment moves the deadline), cancellation.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { withTx, type Tx } from '../../../db/tx';
import { toDbTime, fromDbTime } from '../../../db/time';
import { record } from '../../../supervision/audit/audit';
import type { Actor } from '../../../http/actor';
import { ConflictError, RuleError, ValidationError } from '../../../http/errors';
import { checkBiddingPeriod, checkTerms, extendedDeadline, ruleValue, type CategoryKind, type Criterion, type EvaluationMethod } from '../rules';
import type { Qualification, Requirement } from '../templates';
import { findTender, lockTender, tenderFromRow, type TenderRow } from '../repository';
import { assertStatus, transition } from '../state-machine';
import { JOB_OPEN, openJobKey, closeJobKey, tenderChannel, type TenderingDeps } from '../deps';
import { tenderNoticeText, toPortal } from './portal';
import { tenderDocumentFile } from './file';
import { loadLegal } from '../legal';
import { assertProjectMayTender, handDeadlineToWorkflow, handPublicationToWorkflow, invitationalProjectOf } from '../award/workflow-link';
import { createInvitationService } from '../../invitations/service';
import { noticeTime } from '../../../core/notices/notice-time';

export interface TenderInput {
  title: string;
  kind: CategoryKind;
  categoryCode: string;
  projectId?: number | null;
  purchasingOrgId?: number | null;
  budgetFen: number;
  method: EvaluationMethod;
  priceWeight: number;
  smeDeductionPct: number;
  abnormalLowPct?: number;
  decryptionMinutes?: number;
  description: string;
  requirements: Requirement[];
  qualifications: Qualification[];
  criteria: Criterion[];
  bidDeadline: string;
  openingAt: string;
}

/** The supplier invitations (sealed list, tags) of invitational tenders, under the platform's seal key. */
export const invitationsOf = (deps: TenderingDeps) => createInvitationService({ sealKey: deps.config.secrets.sealKey, scheduler: deps.scheduler, clock: deps.clock, realtime: deps.realtime });

function assertTerms(input: TenderInput): void {
  const violations = checkTerms({ ...input, priceWeight: input.method === 'lowest_price' ? 100 : input.priceWeight });
  if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
}

function columns(input: TenderInput) {
  const deadline = new Date(input.bidDeadline);
  const opening = new Date(input.openingAt);
  if (Number.isNaN(deadline.getTime()) || Number.isNaN(opening.getTime())) throw new ValidationError('bidDeadline and openingAt are ISO times');
  return {
    title: input.title,
    kind: input.kind,
    category_code: input.categoryCode,
    project_id: input.projectId ?? null,
    purchasing_org_id: input.purchasingOrgId ?? null,
    budget_fen: input.budgetFen,
    method: input.method,
    price_weight: input.method === 'lowest_price' ? 100 : input.priceWeight,
    sme_deduction_pct: input.smeDeductionPct,
    abnormal_low_pct: input.abnormalLowPct ?? ruleValue('abnormallyLowPercentOfAverage'),
    decryption_minutes: input.decryptionMinutes ?? ruleValue('decryptionWindowMinutes'),
    description: input.description,
    requirements_json: JSON.stringify(input.requirements),
    qualifications_json: JSON.stringify(input.qualifications),
    criteria_json: JSON.stringify(input.criteria),
    bid_deadline: toDbTime(deadline),
    opening_at: toDbTime(opening),
  };
}

/**
 * The checks a draft passes when it is created and each time it changes: the legal terms, the
 * category against the kind, and a linked project (public tender, stage, budget within the
 * approved one, no other tender). A linked project's unit becomes the purchasing unit.
 */
async function checkDraft(db: Knex, input: TenderInput, tenderId?: number): Promise<TenderInput> {
  assertTerms(input);
  const cat = await db('catalogue_categories').where({ code: input.categoryCode }).first('kind');
  if (!cat) throw new ValidationError(`Unknown catalogue category ${input.categoryCode}`, null, 'UNKNOWN_CATEGORY');
  if (cat.kind !== input.kind) throw new RuleError('CATEGORY_KIND_MISMATCH', `Category ${input.categoryCode} is ${cat.kind}, not ${input.kind}`);
  if (!input.projectId) return input;
  const { orgId } = await assertProjectMayTender(db, input.projectId, input.budgetFen, tenderId);
  return { ...input, purchasingOrgId: orgId };
}

export async function createTender(deps: TenderingDeps, actor: Actor, body: TenderInput) {
  return withTx(deps.db, async (tx) => {
    const input = await checkDraft(tx, body);
    const now = toDbTime(deps.clock.now());
    // The reference is numbered from the row id; a unique placeholder holds its place until then.
    const [id] = await tx('tenders').insert({ ...columns(input), reference: `tmp-${crypto.randomBytes(12).toString('hex')}`, status: 'draft', created_by: actor.userId, created_at: now, updated_at: now });
    const reference = `ZB${deps.clock.now().getUTCFullYear()}-${String(id).padStart(5, '0')}`;
    await tx('tenders').where({ id }).update({ reference });
    const row = await findTender(tx, Number(id));
    await record(tx, actor, { action: 'tender.drafted', entityType: 'tender', entityId: row.id, after: { reference, title: row.title, kind: row.kind, method: row.method, budgetFen: Number(row.budget_fen), projectId: row.project_id } });
    return tenderFromRow(row);
  });
}

/** Changes a draft: checked as a create; optional fields the body leaves out keep their stored values. */
export async function updateDraft(deps: TenderingDeps, actor: Actor, id: number, body: TenderInput) {
  return withTx(deps.db, async (tx) => {
    const before = await lockTender(tx, id);
    assertStatus(before.status, ['draft']);
    const stored = tenderFromRow(before);
    const given = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)) as TenderInput;
    const input = await checkDraft(tx, { projectId: stored.projectId, purchasingOrgId: stored.purchasingOrgId, abnormalLowPct: stored.abnormalLowPct, decryptionMinutes: stored.decryptionMinutes, ...given }, id);
    await tx('tenders').where({ id }).update({ ...columns(input), updated_at: toDbTime(deps.clock.now()) });
    const row = await findTender(tx, id);
    await record(tx, actor, { action: 'tender.draft_updated', entityType: 'tender', entityId: id, before: stored, after: tenderFromRow(row) });
    return tenderFromRow(row);
  });
}

/** Checks the legal rules against today's date, publishes the notice and schedules the opening. */
export async function publishTender(deps: TenderingDeps, actor: Actor, id: number) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, id);
    const status = transition(row.status, 'publish');
    const now = deps.clock.now();
    const t = tenderFromRow(row);
    assertTerms({ ...t, bidDeadline: t.bidDeadline!, openingAt: t.openingAt! });
    const legal = await loadLegal(tx);
    const violations = checkBiddingPeriod(now, fromDbTime(row.bid_deadline)!, fromDbTime(row.opening_at)!, legal.biddingPeriodDays);
    if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
    await tx('tenders').where({ id }).update({ status, published_at: toDbTime(now), updated_at: toDbTime(now) });
    await tx('tender_notices').insert({ tender_id: id, kind: 'notice', substantive: false, title: row.title, body: JSON.stringify(publicNotice(row)), published_at: toDbTime(now), created_by: actor.userId });
    // An invitational tender has no public notice: its documents go to the invited suppliers only
    // (the tender page, readable by an invited supplier), and its invited list opens when the bids close.
    const invited = await invitationalProjectOf(tx, row.project_id);
    if (!invited) {
      // The notice carries the documents themselves, as published (version 0).
      const documents = await tenderDocumentFile(tx, row, { issuedAt: now, minValidBids: legal.minValidBids.value });
      await toPortal(tx, actor, row, { ...tenderNoticeText(row), attachments: [documents] });
    }
    await deps.scheduler.schedule(tx, { kind: JOB_OPEN, key: openJobKey(id), runAt: fromDbTime(row.opening_at)!, payload: { tenderId: id } });
    await handPublicationToWorkflow(tx, actor, row.project_id, fromDbTime(row.bid_deadline)!);
    if (invited) await invitationsOf(deps).moveReveal(tx, actor, { type: 'project', id: invited.id }, fromDbTime(row.bid_deadline)!);
    const after = tenderFromRow(await findTender(tx, id));
    await record(tx, actor, {
      action: 'tender.published',
      entityType: 'tender',
      entityId: id,
      before: { status: row.status },
      // The supervision event contract's lifecycle fields (title, orgId, method, budgetFen, tenderPeriodStart/End).
      after: {
        reference: row.reference,
        title: row.title,
        projectId: row.project_id,
        orgId: row.purchasing_org_id,
        categoryCode: row.category_code,
        kind: row.kind,
        method: invited ? 'invitational_tender' : 'public_tender',
        evaluationMethod: row.method,
        budgetFen: Number(row.budget_fen),
        priceWeight: row.price_weight,
        tenderPeriod: after.tenderPeriod,
        tenderPeriodStart: after.tenderPeriod.startDate,
        tenderPeriodEnd: after.tenderPeriod.endDate,
        openingAt: after.openingAt,
        status,
      },
    });
    announce(deps, tx, id, status);
    return after;
  });
}

/** What the portal shows as the tender notice (the documents' public terms). */
export function publicNotice(row: TenderRow) {
  const t = tenderFromRow(row);
  return {
    reference: t.reference,
    title: t.title,
    kind: t.kind,
    categoryCode: t.categoryCode,
    budgetFen: t.budgetFen,
    method: t.method,
    priceWeight: t.priceWeight,
    smeDeductionPct: t.smeDeductionPct,
    description: t.description,
    requirements: t.requirements,
    qualifications: t.qualifications,
    criteria: t.criteria,
    tenderPeriod: t.tenderPeriod,
    openingAt: t.openingAt,
  };
}

export interface NoticeInput {
  kind: 'clarification' | 'amendment';
  title: string;
  body: string;
  substantive: boolean;
}

/** A clarification or amendment, published to all; a substantive one late in the period moves the deadline. */
export async function publishNotice(deps: TenderingDeps, actor: Actor, id: number, input: NoticeInput) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, id);
    assertStatus(row.status, ['published']);
    const now = deps.clock.now();
    const deadline = fromDbTime(row.bid_deadline)!;
    if (now >= deadline) throw new ConflictError('BID_DEADLINE_PASSED', 'The bid deadline has passed; the documents can no longer change');
    const substantive = input.kind === 'amendment' && input.substantive;
    const moved = extendedDeadline(now, deadline, substantive);
    let newDeadline = deadline;
    let newOpening = fromDbTime(row.opening_at)!;
    if (moved) {
      const delta = moved.getTime() - deadline.getTime();
      newDeadline = moved;
      newOpening = new Date(newOpening.getTime() + delta);
      await tx('tenders').where({ id }).update({ bid_deadline: toDbTime(newDeadline), opening_at: toDbTime(newOpening), updated_at: toDbTime(now) });
      await deps.scheduler.schedule(tx, { kind: JOB_OPEN, key: openJobKey(id), runAt: newOpening, payload: { tenderId: id } });
      await handDeadlineToWorkflow(tx, actor, id, row.project_id, newDeadline);
      // The invited list stays sealed until the (moved) deadline.
      const invited = await invitationalProjectOf(tx, row.project_id);
      if (invited) await invitationsOf(deps).moveReveal(tx, actor, { type: 'project', id: invited.id }, newDeadline);
    }
    const [noticeId] = await tx('tender_notices').insert({
      tender_id: id,
      kind: input.kind,
      substantive,
      title: input.title,
      body: input.body,
      deadline_before: toDbTime(deadline),
      deadline_after: moved ? toDbTime(newDeadline) : null,
      published_at: toDbTime(now),
      created_by: actor.userId,
    });
    // The notice carries the documents as they now stand: new dates, this notice included.
    const documents = await tenderDocumentFile(tx, await findTender(tx, id), { issuedAt: now, minValidBids: (await loadLegal(tx)).minValidBids.value });
    await toPortal(tx, actor, row, {
      kind: input.kind,
      sourceType: 'tender_notice',
      sourceId: Number(noticeId),
      titleZh: `${row.title}（${row.reference}）${input.kind === 'amendment' ? '更正公告' : '澄清公告'}：${input.title}`,
      titleEn: `${input.kind === 'amendment' ? 'Amendment' : 'Clarification'} to ${row.reference}: ${input.title}`,
      bodyZh: input.body + (moved ? `

投标截止时间顺延至 ${noticeTime(newDeadline, 'zh')}，开标时间顺延至 ${noticeTime(newOpening, 'zh')}。` : ''),
      bodyEn: input.body + (moved ? `

The bid deadline moves to ${noticeTime(newDeadline, 'en')} and the opening to ${noticeTime(newOpening, 'en')}.` : ''),
      attachments: [documents],
    });
    await record(tx, actor, {
      action: input.kind === 'amendment' ? 'tender.amended' : 'tender.clarified',
      entityType: 'tender',
      entityId: id,
      before: { bidDeadline: deadline.toISOString(), openingAt: fromDbTime(row.opening_at)!.toISOString() },
      after: { noticeId: Number(noticeId), substantive, bidDeadline: newDeadline.toISOString(), tenderPeriodEnd: newDeadline.toISOString(), openingAt: newOpening.toISOString(), extended: Boolean(moved) },
    });
    announce(deps, tx, id, row.status);
    return { noticeId: Number(noticeId), extended: Boolean(moved), bidDeadline: newDeadline.toISOString(), openingAt: newOpening.toISOString() };
  });
}

export async function cancelTender(deps: TenderingDeps, actor: Actor, id: number, reason: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, id);
    const status = transition(row.status, 'cancel');
    const now = toDbTime(deps.clock.now());
    await tx('tenders').where({ id }).update({ status, failure_reason: 'CANCELLED', updated_at: now });
    // Sealed bids of a cancelled tender are never opened: their ciphertext is discarded.
    await tx('tender_bids').where({ tender_id: id, status: 'sealed' }).update({ status: 'withdrawn', envelope: null, withdrawn_at: now });
    await deps.scheduler.cancel(tx, openJobKey(id));
    await deps.scheduler.cancel(tx, closeJobKey(id));
    if (row.status === 'published') {
      await tx('tender_notices').insert({ tender_id: id, kind: 'failure', substantive: false, title: row.title, body: JSON.stringify({ reason: 'CANCELLED', detail: reason }), published_at: now, created_by: actor.userId });
      await toPortal(tx, actor, row, { kind: 'failure', sourceType: 'tender', sourceId: id, titleZh: `${row.title}（${row.reference}）终止公告`, titleEn: `${row.reference} cancelled: ${row.title}`, bodyZh: `本项目终止。原因：${reason}`, bodyEn: `This tender is cancelled. Reason: ${reason}` });
    }
    await record(tx, actor, { action: 'tender.cancelled', entityType: 'tender', entityId: id, before: { status: row.status }, after: { status, reason } });
    announce(deps, tx, id, status);
    return tenderFromRow(await findTender(tx, id));
  });
}

/** After commit: everyone watching the tender learns its new state (no bid contents, ever). */
export function announce(deps: TenderingDeps, tx: Tx, tenderId: number, status: string, extra: Record<string, unknown> = {}): void {
  tx.afterCommit(() => {
    deps.realtime.publish(tenderChannel(tenderId), { type: 'tender.changed', tenderId, status, ...extra });
  });
}
