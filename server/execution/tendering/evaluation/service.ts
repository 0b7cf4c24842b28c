// The evaluation session. Committee members (experts from the sealed draw, logged in with the
// expert role) read each valid bid, record the compliance checks and their points for every
// non-price criterion, and submit. The price score is computed. When every member has submitted
// and every abnormally low price is decided, the result is computed (average of the experts'
// scores), ranked and written into the evaluation report, which each member confirms. Every
// step, including who opened which bid, is an audit event on the tender (the session log).
import crypto from 'node:crypto';
import { withTx, type Tx } from '../../../db/tx';
import { toDbTime, isoFromDb } from '../../../db/time';
import { record, recordMany, type AuditInput } from '../../../supervision/audit/audit';
import type { Actor } from '../../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../../http/errors';
import { canonicalJson } from '../../../../client/src/views/tendering/sealing';
import { bidsWithSupplier, committeeExpertIdForUser, evaluationLine, findTender, lockTender, terms, type BidRow, type TenderRow } from '../repository';
import { assertStatus, transition, type TenderStatus } from '../state-machine';
import { ruleValue } from '../rules';
import { loadLegal } from '../legal';
import { divRound, failedChecks, rankBids } from './scoring';
import { failTender } from '../opening/failure';
import { announce } from '../documents/service';
import type { TenderingDeps } from '../deps';

export async function expertIdFor(deps: TenderingDeps, actor: Actor, tenderId: number): Promise<number> {
  const id = actor.userId ? await committeeExpertIdForUser(deps.db, tenderId, actor.userId) : null;
  if (!id) throw new ForbiddenError('You are not on this tender\'s evaluation committee', null, 'NOT_ON_COMMITTEE');
  return id;
}

const parseJson = <T>(s: string | null, fallback: T): T => (s ? (JSON.parse(s) as T) : fallback);

function openedContent(b: BidRow) {
  const bid = parseJson<{ responses?: Record<string, string>; attachments?: Array<{ name: string; type: string; dataBase64: string }> }>(b.opened_json, {});
  return { responses: bid.responses ?? {}, attachments: (bid.attachments ?? []).map((a) => ({ name: a.name, type: a.type, bytes: Math.floor((a.dataBase64.length * 3) / 4) })) };
}

const EVALUATION_STATUSES: TenderStatus[] = ['evaluation', 'report_confirmation', 'evaluated', 'awarded'];
/** Until the opening is over the bids are sealed: a read is refused, and audited for supervision (SV10). */
const SEALED_STATUSES: TenderStatus[] = ['draft', 'published', 'opening'];

async function refuseBeforeEvaluation(deps: TenderingDeps, actor: Actor | undefined, row: TenderRow, what: string): Promise<void> {
  if (EVALUATION_STATUSES.includes(row.status as TenderStatus)) return;
  if (actor && SEALED_STATUSES.includes(row.status as TenderStatus)) {
    // Its own transaction: the refusal must not roll the record of the attempt back.
    await withTx(deps.db, (tx) => record(tx, actor, { action: 'sealed.read_attempt', entityType: 'tender', entityId: row.id, after: { what, tenderId: row.id, status: row.status } }));
  }
  throw new ConflictError('NOT_IN_EVALUATION', `The tender is ${row.status}`, { status: row.status });
}

/** The committee's working view: the terms, the valid bids, this member's scores and the progress. */
export async function evaluationView(deps: TenderingDeps, tenderId: number, expertId: number | null, actor?: Actor) {
  const row = await findTender(deps.db, tenderId);
  await refuseBeforeEvaluation(deps, actor, row, 'tender.evaluation');
  const bids = (await bidsWithSupplier(deps.db, tenderId, { contents: true })).filter((b) => b.status === 'decrypted' || b.status === 'disqualified');
  const committee = await deps.db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('c.tender_id', tenderId).orderBy('c.expert_id').select('c.*', 'e.name');
  const mine = expertId ? await deps.db('tender_scores').where({ tender_id: tenderId, expert_id: expertId }) : [];
  const showNames = row.status !== 'evaluation' || expertId !== null;
  return {
    tenderId,
    status: row.status,
    method: row.method,
    priceWeight: row.price_weight,
    smeDeductionPct: row.sme_deduction_pct,
    ...terms(row),
    committee: committee.map((c: any) => ({ expertId: c.expert_id, name: showNames ? c.name : null, chair: Boolean(c.is_chair), submittedAt: isoFromDb(c.scores_submitted_at), confirmedAt: isoFromDb(c.report_confirmed_at) })),
    myExpertId: expertId,
    bids: bids.map((b) => ({ ...evaluationLine(b), ...openedContent(b) })),
    myScores: mine.map((s: any) => ({ bidId: s.bid_id, compliance: JSON.parse(s.compliance_json), scores: Object.fromEntries(Object.entries(JSON.parse(s.scores_json) as Record<string, number>).map(([k, v]) => [k, v / 1000])), comment: s.comment })),
    report: row.report_json ? { sha256: row.report_sha256, at: isoFromDb(row.report_at), content: JSON.parse(row.report_json) } : null,
  };
}

/** A member opens one bid (its responses and attachments); the opening is logged. */
export async function viewBid(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number, bidId: number) {
  await refuseBeforeEvaluation(deps, actor, await findTender(deps.db, tenderId), 'tender.bid');
  return withTx(deps.db, async (tx) => {
    const row = await findTender(tx, tenderId);
    assertStatus(row.status, EVALUATION_STATUSES, 'NOT_IN_EVALUATION');
    const bid: BidRow | undefined = await tx('tender_bids').where({ id: bidId, tender_id: tenderId }).whereIn('status', ['decrypted', 'disqualified']).first();
    if (!bid) throw new NotFoundError(`Bid ${bidId} is not a valid bid of this tender`, null, 'BID_NOT_FOUND');
    await record(tx, actor, { action: 'tender.evaluation.bid_viewed', entityType: 'tender', entityId: tenderId, after: { expertId, bidId } });
    const plain = parseJson<{ responses: Record<string, string>; attachments: unknown[] }>(bid.opened_json, { responses: {}, attachments: [] });
    return { bidId, supplierId: bid.supplier_id, priceFen: Number(bid.price_fen), responses: plain.responses, attachments: plain.attachments };
  });
}

export interface ScoreInput {
  compliance: Record<string, boolean>;
  scores: Record<string, number>;
  comment?: string;
}

/** Saves a member's checks and points for one bid; every change is logged with before and after. */
export async function saveScores(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number, bidId: number, input: ScoreInput) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const member = await tx('tender_committee').where({ tender_id: tenderId, expert_id: expertId }).first();
    if (member.scores_submitted_at) throw new ConflictError('SCORES_SUBMITTED', 'You have submitted your scores; they can no longer change');
    const bid = await tx('tender_bids').where({ id: bidId, tender_id: tenderId, status: 'decrypted' }).first();
    if (!bid) throw new NotFoundError(`Bid ${bidId} is not under evaluation`, null, 'BID_NOT_FOUND');
    const { qualifications, criteria } = terms(row);
    const checkKeys = new Set(qualifications.map((q) => q.key));
    for (const k of Object.keys(input.compliance)) if (!checkKeys.has(k)) throw new ValidationError(`Unknown compliance check ${k}`, null, 'UNKNOWN_CHECK');
    const scorable = new Map(criteria.filter((c) => c.kind !== 'price').map((c) => [c.key, c]));
    const milli: Record<string, number> = {};
    for (const [k, v] of Object.entries(input.scores)) {
      const c = scorable.get(k);
      if (!c) throw new ValidationError(criteria.some((x) => x.key === k) ? 'The price score is computed, not typed' : `Unknown criterion ${k}`, null, criteria.some((x) => x.key === k) ? 'PRICE_SCORE_COMPUTED' : 'UNKNOWN_CRITERION');
      const m = Math.round(v * 1000);
      if (m < 0 || m > c.weight * 1000) throw new RuleError('SCORE_OUT_OF_RANGE', `${c.name}: between 0 and ${c.weight} points`, { criterion: k, max: c.weight });
      milli[k] = m;
    }
    const now = toDbTime(deps.clock.now());
    const existing = await tx('tender_scores').where({ bid_id: bidId, expert_id: expertId }).first();
    const values = { compliance_json: canonicalJson(input.compliance), scores_json: canonicalJson(milli), comment: input.comment ?? null, updated_at: now };
    if (existing) await tx('tender_scores').where({ id: existing.id }).update(values);
    else await tx('tender_scores').insert({ tender_id: tenderId, bid_id: bidId, expert_id: expertId, ...values });
    await record(tx, actor, {
      action: 'tender.evaluation.score_changed',
      entityType: 'tender',
      entityId: tenderId,
      before: existing ? { expertId, bidId, compliance: JSON.parse(existing.compliance_json), scoresMilli: JSON.parse(existing.scores_json) } : undefined,
      after: { expertId, bidId, compliance: input.compliance, scoresMilli: milli },
    });
    return { bidId, compliance: input.compliance, scores: Object.fromEntries(Object.entries(milli).map(([k, v]) => [k, v / 1000])) };
  });
}

/** A member submits: every valid bid needs every check and every criterion. */
export async function submitScores(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const member = await tx('tender_committee').where({ tender_id: tenderId, expert_id: expertId }).first();
    if (member.scores_submitted_at) throw new ConflictError('SCORES_SUBMITTED', 'You have already submitted');
    const { qualifications, criteria } = terms(row);
    const bids = await tx('tender_bids').where({ tender_id: tenderId, status: 'decrypted' }).select('id');
    const scores = await tx('tender_scores').where({ tender_id: tenderId, expert_id: expertId });
    const missing: Array<{ bidId: number; missing: string[] }> = [];
    for (const b of bids) {
      const s = scores.find((x: any) => x.bid_id === b.id);
      const c = s ? JSON.parse(s.compliance_json) : {};
      const p = s ? JSON.parse(s.scores_json) : {};
      const gaps = [...qualifications.filter((q) => typeof c[q.key] !== 'boolean').map((q) => q.key), ...criteria.filter((k) => k.kind !== 'price' && typeof p[k.key] !== 'number').map((k) => k.key)];
      if (gaps.length) missing.push({ bidId: b.id, missing: gaps });
    }
    if (missing.length) throw new RuleError('SCORES_INCOMPLETE', 'Every valid bid needs every compliance check and criterion', { missing });
    const now = deps.clock.now();
    await tx('tender_committee').where({ tender_id: tenderId, expert_id: expertId }).update({ scores_submitted_at: toDbTime(now) });
    await record(tx, actor, { action: 'tender.evaluation.scores_submitted', entityType: 'tender', entityId: tenderId, after: { expertId, at: now.toISOString() } });
    await completeIfReady(deps, tx, actor, tenderId);
    return { submittedAt: now.toISOString() };
  });
}

/**
 * The chair returns a member's submitted scores for correction (a slip the member or the committee
 * noticed before the result): the member may change and submit again. Allowed only while the
 * evaluation runs; the reason is audited, and every change after it raises SV13 for supervisors.
 */
export async function returnScores(deps: TenderingDeps, actor: Actor, chairExpertId: number, tenderId: number, memberExpertId: number, reason: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const chair = await tx('tender_committee').where({ tender_id: tenderId, expert_id: chairExpertId }).first();
    if (!chair?.is_chair) throw new ForbiddenError('Only the committee chair can return a member\'s scores', null, 'NOT_CHAIR');
    const member = await tx('tender_committee').where({ tender_id: tenderId, expert_id: memberExpertId }).first();
    if (!member) throw new NotFoundError(`Expert ${memberExpertId} is not on this committee`, null, 'NOT_ON_COMMITTEE');
    if (!member.scores_submitted_at) throw new ConflictError('SCORES_NOT_SUBMITTED', 'This member has not submitted; there is nothing to return');
    await tx('tender_committee').where({ tender_id: tenderId, expert_id: memberExpertId }).update({ scores_submitted_at: null });
    await record(tx, actor, { action: 'tender.evaluation.scores_returned', entityType: 'tender', entityId: tenderId, before: { expertId: memberExpertId, submittedAt: isoFromDb(member.scores_submitted_at) }, after: { expertId: memberExpertId, byExpertId: chairExpertId, reason } });
    return { expertId: memberExpertId, returnedAt: deps.clock.now().toISOString(), reason };
  });
}

/** The committee asks an abnormally low bidder for a written explanation. */
export async function requestExplanation(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number, bidId: number, note: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const bid = await tx('tender_bids').where({ id: bidId, tender_id: tenderId, status: 'decrypted' }).first();
    if (!bid || bid.abnormal_status !== 'flagged') throw new ConflictError('NOT_FLAGGED', 'Only a bid flagged as abnormally low, not yet asked, can be asked for an explanation');
    await tx('tender_bids').where({ id: bidId }).update({ abnormal_status: 'explanation_requested' });
    await record(tx, actor, { action: 'tender.evaluation.explanation_requested', entityType: 'tender', entityId: tenderId, after: { expertId, bidId, supplierId: bid.supplier_id, note } });
    const users = await tx('users').where({ supplier_id: bid.supplier_id }).select('id');
    tx.afterCommit(() => users.forEach((u: { id: number }) => deps.realtime.publish(`user:${u.id}`, { type: 'tender.explanation_requested', tenderId, bidId, note })));
    return { bidId, abnormalStatus: 'explanation_requested' };
  });
}

/** The bidder answers with its explanation (and proof, as text). */
export async function submitExplanation(deps: TenderingDeps, actor: Actor, supplierId: number, tenderId: number, text: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const bid = await tx('tender_bids').where({ tender_id: tenderId, supplier_id: supplierId, status: 'decrypted' }).first();
    if (!bid || bid.abnormal_status !== 'explanation_requested') throw new ConflictError('NO_EXPLANATION_REQUESTED', 'The committee has not asked you for an explanation');
    await tx('tender_bids').where({ id: bid.id }).update({ abnormal_status: 'explained', abnormal_explanation: text });
    await record(tx, actor, { action: 'tender.evaluation.explanation_received', entityType: 'tender', entityId: tenderId, after: { bidId: bid.id, supplierId, length: text.length } });
    return { bidId: bid.id, abnormalStatus: 'explained' };
  });
}

/** The committee decides on a flagged price: accepted, or the bid is disqualified. */
export async function decideAbnormal(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number, bidId: number, accepted: boolean, reason: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['evaluation'], 'NOT_IN_EVALUATION');
    const bid = await tx('tender_bids').where({ id: bidId, tender_id: tenderId, status: 'decrypted' }).first();
    if (!bid || !['flagged', 'explanation_requested', 'explained'].includes(bid.abnormal_status)) throw new ConflictError('NOT_FLAGGED', 'This bid has no open abnormally-low question');
    const events: AuditInput[] = [{ action: 'tender.evaluation.abnormal_decided', entityType: 'tender', entityId: tenderId, before: { bidId, abnormalStatus: bid.abnormal_status }, after: { expertId, bidId, accepted, reason } }];
    if (accepted) await tx('tender_bids').where({ id: bidId }).update({ abnormal_status: 'accepted' });
    else {
      const code = bid.abnormal_status === 'explained' ? 'ABNORMALLY_LOW_NOT_JUSTIFIED' : 'ABNORMALLY_LOW_UNEXPLAINED';
      await tx('tender_bids').where({ id: bidId }).update({ abnormal_status: 'rejected', status: 'disqualified', invalid_reason: code, invalid_detail: reason.slice(0, 500) });
      events.push({ action: 'bid.disqualified', entityType: 'tender', entityId: tenderId, after: { tenderId, bidId, supplierId: bid.supplier_id, reason: code, detail: reason } });
    }
    await recordMany(tx, actor, events);
    await completeIfReady(deps, tx, actor, tenderId);
    return { bidId, abnormalStatus: accepted ? 'accepted' : 'rejected' };
  });
}

/** When every member has submitted and no price question is open: compute, rank and report. */
async function completeIfReady(deps: TenderingDeps, tx: Tx, actor: Actor, tenderId: number): Promise<void> {
  const row: TenderRow = await lockTender(tx, tenderId);
  if (row.status !== 'evaluation') return;
  const committee = await tx('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('c.tender_id', tenderId).orderBy('c.expert_id').select('c.*', 'e.name');
  if (committee.length === 0 || committee.some((c: any) => !c.scores_submitted_at)) return;
  const open = await tx('tender_bids').where({ tender_id: tenderId, status: 'decrypted' }).whereIn('abnormal_status', ['flagged', 'explanation_requested', 'explained']).first('id');
  if (open) return;
  const now = deps.clock.now();
  const { qualifications, criteria } = terms(row);
  const allScores = await tx('tender_scores').where({ tender_id: tenderId });
  const bids = await bidsWithSupplier(tx, tenderId);
  const events: AuditInput[] = [];
  // Compliance by majority of the committee.
  for (const b of bids.filter((x) => x.status === 'decrypted')) {
    const votes = allScores.filter((s: any) => s.bid_id === b.id).map((s: any) => JSON.parse(s.compliance_json) as Record<string, boolean>);
    const failed = failedChecks(votes, qualifications.map((q) => q.key));
    if (failed.length) {
      const detail = `Failed compliance checks: ${failed.join(', ')}`;
      await tx('tender_bids').where({ id: b.id }).update({ status: 'disqualified', invalid_reason: 'COMPLIANCE_FAILED', invalid_detail: detail });
      b.status = 'disqualified';
      events.push({ action: 'bid.disqualified', entityType: 'tender', entityId: tenderId, after: { tenderId, bidId: b.id, supplierId: b.supplier_id, reason: 'COMPLIANCE_FAILED', failedChecks: failed } });
    }
  }
  const valid = bids.filter((b) => b.status === 'decrypted');
  if (events.length) await recordMany(tx, actor, events);
  if (valid.length < (await loadLegal(tx, row)).minValidBids.value) {
    await failTender(deps, tx, actor, row, 'TOO_FEW_COMPLIANT_BIDS', { bids: bids.length, validBids: valid.length });
    return;
  }
  const techKeys = criteria.filter((c) => c.kind !== 'price').map((c) => c.key);
  const ranked = rankBids(
    valid.map((b) => ({
      bidId: b.id,
      supplierId: b.supplier_id,
      priceFen: Number(b.price_fen),
      smallBusiness: Boolean(b.small_business),
      submittedAt: isoFromDb(b.submitted_at)!,
      expertTechMilli: allScores.filter((s: any) => s.bid_id === b.id).map((s: any) => {
        const p = JSON.parse(s.scores_json) as Record<string, number>;
        return techKeys.reduce((sum, k) => sum + (p[k] ?? 0), 0);
      }),
    })),
    { method: row.method, priceWeight: row.price_weight, smeDeductionPct: row.sme_deduction_pct, recommend: ruleValue('recommendedCandidates') },
  );
  for (const r of ranked) {
    await tx('tender_bids').where({ id: r.bidId }).update({ evaluated_price_fen: r.evaluatedPriceFen, price_score_milli: r.priceScoreMilli, tech_score_milli: r.techScoreMilli, total_score_milli: r.totalScoreMilli, bid_rank: r.rank, recommended: r.recommended });
  }
  const names = new Map(bids.map((b) => [b.id, b.supplier_name]));
  const small = new Map(bids.map((b) => [b.id, Boolean(b.small_business)]));
  // The non-price points split by kind (technical, commercial), each the committee's average, so
  // the purchaser reads where a total comes from; the total stays the one computed above.
  const kindMilli = (bidId: number, kind: 'technical' | 'commercial') => {
    if (row.method !== 'comprehensive') return 0;
    const keys = criteria.filter((c) => c.kind === kind).map((c) => c.key);
    const rows = allScores.filter((s: any) => s.bid_id === bidId).map((s: any) => JSON.parse(s.scores_json) as Record<string, number>);
    return rows.length ? Number(divRound(BigInt(rows.reduce((n: number, p: Record<string, number>) => n + keys.reduce((m, k) => m + (p[k] ?? 0), 0), 0)), BigInt(rows.length))) : 0;
  };
  const report = {
    reference: row.reference,
    title: row.title,
    method: row.method,
    priceWeight: row.price_weight,
    smeDeductionPct: row.sme_deduction_pct,
    generatedAt: now.toISOString(),
    committee: committee.map((c: any) => ({ expertId: c.expert_id, name: c.name, chair: Boolean(c.is_chair) })),
    ranking: ranked.map((r) => ({ ...r, supplierName: names.get(r.bidId), smallBusiness: small.get(r.bidId), priceScore: r.priceScoreMilli / 1000, techScore: r.techScoreMilli / 1000, technicalScore: kindMilli(r.bidId, 'technical') / 1000, commercialScore: kindMilli(r.bidId, 'commercial') / 1000, totalScore: r.totalScoreMilli / 1000 })),
    disqualified: bids.filter((b) => b.status === 'disqualified').map((b) => ({ bidId: b.id, supplierId: b.supplier_id, supplierName: b.supplier_name, reason: b.invalid_reason, detail: b.invalid_detail })),
    invalid: bids.filter((b) => b.status === 'invalid').map((b) => ({ bidId: b.id, supplierId: b.supplier_id, supplierName: b.supplier_name, reason: b.invalid_reason })),
    abnormallyLow: bids.filter((b) => b.abnormal_status).map((b) => ({ bidId: b.id, decision: b.abnormal_status, explanation: b.abnormal_explanation })),
    expertScores: allScores.map((s: any) => ({ expertId: s.expert_id, bidId: s.bid_id, compliance: JSON.parse(s.compliance_json), scores: Object.fromEntries(Object.entries(JSON.parse(s.scores_json) as Record<string, number>).map(([k, v]) => [k, v / 1000])) })),
  };
  const text = canonicalJson(report);
  const sha = crypto.createHash('sha256').update(text, 'utf8').digest('hex');
  const status = transition(row.status, 'completeScoring');
  await tx('tenders').where({ id: tenderId }).update({ status, report_json: text, report_sha256: sha, report_at: toDbTime(now), updated_at: toDbTime(now) });
  await recordMany(tx, actor, ranked.map((r) => ({ action: 'bid.valid', entityType: 'tender', entityId: tenderId, after: { tenderId, bidId: r.bidId, supplierId: r.supplierId, priceFen: r.priceFen, rank: r.rank, totalScoreMilli: r.totalScoreMilli } })));
  await record(tx, actor, {
    action: 'tender.evaluation.completed',
    entityType: 'tender',
    entityId: tenderId,
    before: { status: row.status },
    after: { status, reportSha256: sha, results: ranked.map((r) => ({ bidId: r.bidId, supplierId: r.supplierId, priceFen: r.priceFen, evaluatedPriceFen: r.evaluatedPriceFen, totalScoreMilli: r.totalScoreMilli, rank: r.rank, recommended: r.recommended })) },
  });
  announce(deps, tx, tenderId, status);
}

/** A member confirms the report it has read (by its digest); the last confirmation closes the evaluation. */
export async function confirmReport(deps: TenderingDeps, actor: Actor, expertId: number, tenderId: number, reportSha256: string) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    assertStatus(row.status, ['report_confirmation'], 'NOT_AWAITING_CONFIRMATION');
    if (reportSha256 !== row.report_sha256) throw new ConflictError('REPORT_CHANGED', 'The report you confirm is not the current report', { current: row.report_sha256 });
    const member = await tx('tender_committee').where({ tender_id: tenderId, expert_id: expertId }).first();
    if (member.report_confirmed_at) throw new ConflictError('ALREADY_CONFIRMED', 'You have already confirmed the report');
    const now = deps.clock.now();
    await tx('tender_committee').where({ tender_id: tenderId, expert_id: expertId }).update({ report_confirmed_at: toDbTime(now) });
    await record(tx, actor, { action: 'tender.evaluation.report_confirmed', entityType: 'tender', entityId: tenderId, after: { expertId, reportSha256, at: now.toISOString() } });
    const pending = await tx('tender_committee').where({ tender_id: tenderId }).whereNull('report_confirmed_at').count({ n: '*' }).first();
    if (Number(pending?.n ?? 0) === 0) {
      const status = transition(row.status, 'confirmReport');
      await tx('tenders').where({ id: tenderId }).update({ status, updated_at: toDbTime(now) });
      await record(tx, actor, { action: 'tender.evaluation.report_final', entityType: 'tender', entityId: tenderId, before: { status: row.status }, after: { status, reportSha256 } });
      announce(deps, tx, tenderId, status);
    }
    return { confirmedAt: now.toISOString() };
  });
}

/** The session's event log: every evaluation event on the tender, in order. */
export async function evaluationLog(deps: TenderingDeps, tenderId: number) {
  await findTender(deps.db, tenderId);
  const rows = await deps.db('audit_events').where({ entity_type: 'tender', entity_id: String(tenderId) }).where((w) => w.where('action', 'like', 'tender.evaluation.%').orWhereIn('action', ['bid.disqualified', 'tender.committee.linked'])).orderBy('seq');
  return rows.map((r: any) => ({ seq: Number(r.seq), at: isoFromDb(r.occurred_at), action: r.action, actorId: r.actor_id, actorRole: r.actor_role, before: r.before_json ? JSON.parse(r.before_json) : null, after: r.after_json ? JSON.parse(r.after_json) : null, hash: r.hash }));
}
