// SQL for tenders and bids, and the one place rows become API objects.
import type { Knex } from 'knex';
import { forUpdate } from '../../db/knex';
import type { Tx } from '../../db/tx';
import { isoFromDb } from '../../db/time';
import { NotFoundError } from '../../http/errors';
import { ocdsBidStatus, ocdsTenderStatus } from './state-machine';
import type { Criterion } from './rules';
import type { Qualification, Requirement } from './templates';

export interface TenderRow {
  id: number;
  reference: string;
  project_id: number | null;
  title: string;
  kind: 'goods' | 'services' | 'works';
  category_code: string;
  purchasing_org_id: number | null;
  budget_fen: number | string;
  method: 'comprehensive' | 'lowest_price';
  price_weight: number;
  sme_deduction_pct: number;
  abnormal_low_pct: number;
  decryption_minutes: number;
  description: string;
  requirements_json: string;
  qualifications_json: string;
  criteria_json: string;
  status: string;
  published_at: string | null;
  bid_deadline: string;
  opening_at: string;
  decryption_ends_at: string | null;
  evaluation_started_at: string | null;
  report_at: string | null;
  report_json: string | null;
  report_sha256: string | null;
  awarded_bid_id: number | null;
  award_amount_fen: number | string | null;
  awarded_at: string | null;
  challenge_ends_at: string | null;
  failed_at: string | null;
  failure_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
  /** public_tender, or competitive_consultation for a consultation's final quotations. */
  procedure: string;
  consultation_id: number | null;
  min_valid_bids: number | null;
}

export const terms = (r: TenderRow) => ({
  requirements: JSON.parse(r.requirements_json) as Requirement[],
  qualifications: JSON.parse(r.qualifications_json) as Qualification[],
  criteria: JSON.parse(r.criteria_json) as Criterion[],
});

export function tenderFromRow(r: TenderRow) {
  return {
    id: r.id,
    reference: r.reference,
    procedure: r.procedure ?? 'public_tender',
    consultationId: r.consultation_id ?? null,
    projectId: r.project_id,
    title: r.title,
    kind: r.kind,
    categoryCode: r.category_code,
    purchasingOrgId: r.purchasing_org_id,
    budgetFen: Number(r.budget_fen),
    method: r.method,
    priceWeight: r.price_weight,
    smeDeductionPct: r.sme_deduction_pct,
    abnormalLowPct: r.abnormal_low_pct,
    decryptionMinutes: r.decryption_minutes,
    description: r.description,
    ...terms(r),
    status: r.status,
    ocdsStatus: ocdsTenderStatus(r.status),
    publishedAt: isoFromDb(r.published_at),
    tenderPeriod: { startDate: isoFromDb(r.published_at), endDate: isoFromDb(r.bid_deadline) },
    bidDeadline: isoFromDb(r.bid_deadline),
    openingAt: isoFromDb(r.opening_at),
    decryptionEndsAt: isoFromDb(r.decryption_ends_at),
    evaluationStartedAt: isoFromDb(r.evaluation_started_at),
    reportAt: isoFromDb(r.report_at),
    awardedBidId: r.awarded_bid_id,
    awardAmountFen: r.award_amount_fen === null ? null : Number(r.award_amount_fen),
    awardedAt: isoFromDb(r.awarded_at),
    challengeEndsAt: isoFromDb(r.challenge_ends_at),
    failedAt: isoFromDb(r.failed_at),
    failureReason: r.failure_reason,
    createdAt: isoFromDb(r.created_at),
    updatedAt: isoFromDb(r.updated_at),
  };
}
export type Tender = ReturnType<typeof tenderFromRow>;

export async function findTender(db: Knex, id: number): Promise<TenderRow> {
  const row = await db('tenders').where({ id }).first();
  if (!row) throw new NotFoundError(`Tender ${id} not found`, null, 'TENDER_NOT_FOUND');
  return row;
}

/** The tender row locked for the rest of the transaction: steps on one tender run one at a time. */
export async function lockTender(tx: Tx, id: number): Promise<TenderRow> {
  const row = await forUpdate(tx, tx('tenders').where({ id })).first();
  if (!row) throw new NotFoundError(`Tender ${id} not found`, null, 'TENDER_NOT_FOUND');
  return row;
}

export interface BidRow {
  id: number;
  tender_id: number;
  supplier_id: number;
  receipt_no: string;
  status: string;
  envelope: string | null;
  envelope_sha256: string;
  plaintext_sha256: string;
  submitted_at: string;
  submitted_ip: string | null;
  replaced_by_bid_id: number | null;
  withdrawn_at: string | null;
  decrypted_at: string | null;
  invalid_reason: string | null;
  invalid_detail: string | null;
  price_fen: number | string | null;
  small_business: number | boolean | null;
  opened_json: string | null;
  evaluated_price_fen: number | string | null;
  price_score_milli: number | null;
  tech_score_milli: number | null;
  total_score_milli: number | null;
  bid_rank: number | null;
  recommended: number | boolean;
  abnormal_status: string | null;
  abnormal_explanation: string | null;
  key_attempts?: number | string;
}

/** Bids that took part: the last one of each bidder, not replaced or withdrawn. */
export const CURRENT_BID_STATUSES = ['sealed', 'decrypted', 'invalid', 'disqualified'];

export function currentBids(db: Knex, tenderId: number): Knex.QueryBuilder {
  return db('tender_bids').where({ tender_id: tenderId }).whereIn('status', CURRENT_BID_STATUSES).orderBy('id');
}

const num = (v: number | string | null) => (v === null ? null : Number(v));

/**
 * A bid as its own bidder sees it: the receipt, and after the opening its own contents. While the
 * decryption window is open its price is kept sealed on the server; `openOwn` (given the seal
 * key by the caller) reads it back for its own bidder only.
 */
export function ownBidFromRow(r: BidRow & { opened_sealed?: string | null }, openOwn?: (sealed: string, bidId: number) => number | null) {
  const price = r.price_fen === null && r.opened_sealed && openOwn ? openOwn(r.opened_sealed, r.id) : num(r.price_fen);
  return {
    id: r.id,
    tenderId: r.tender_id,
    receiptNo: r.receipt_no,
    status: r.status,
    ocdsStatus: ocdsBidStatus(r.status),
    digest: r.plaintext_sha256,
    envelopeDigest: r.envelope_sha256,
    submittedAt: isoFromDb(r.submitted_at),
    withdrawnAt: isoFromDb(r.withdrawn_at),
    decryptedAt: isoFromDb(r.decrypted_at),
    invalidReason: r.invalid_reason,
    priceFen: price,
    abnormalStatus: r.abnormal_status,
    /** Keys handed in and refused as wrong (the bid stays sealed). */
    keyAttempts: Number(r.key_attempts ?? 0),
    // The envelope is the bidder's own ciphertext: it needs its kdf parameters to derive the key again.
    envelope: r.status === 'sealed' ? r.envelope : null,
  };
}

/**
 * What anyone may know while the decryption window is open: how many bids, how many resolved
 * (opened or invalid: not which), how many still wait for their key.
 */
export async function openingProgress(db: Knex, tenderId: number): Promise<{ bids: number; resolved: number; pending: number }> {
  const rows = (await db('tender_bids').where({ tender_id: tenderId }).whereIn('status', ['sealed', 'decrypted', 'invalid']).groupBy('status').select('status').count({ n: '*' })) as Array<{ status: string; n: number | string }>;
  const by = Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  const pending = by.sealed ?? 0;
  const resolved = (by.decrypted ?? 0) + (by.invalid ?? 0);
  return { bids: pending + resolved, resolved, pending };
}

/** The opening record line of a bid: public once the opening record is (all bids resolved or the window closed). */
export function openingLine(r: BidRow & { supplier_name?: string }) {
  return {
    bidId: r.id,
    supplierId: r.supplier_id,
    supplierName: r.supplier_name ?? null,
    receiptNo: r.receipt_no,
    submittedAt: isoFromDb(r.submitted_at),
    decryptionStatus: r.status === 'sealed' ? 'pending' : r.status === 'invalid' ? 'invalid' : 'decrypted',
    decryptedAt: isoFromDb(r.decrypted_at),
    priceFen: r.status === 'sealed' || r.status === 'invalid' ? null : num(r.price_fen),
    invalidReason: r.status === 'invalid' ? r.invalid_reason : null,
    status: ocdsBidStatus(r.status),
  };
}

/** A bid's evaluation line (committee, operator, supervisor; everybody after the award). */
export function evaluationLine(r: BidRow & { supplier_name?: string }) {
  return {
    ...openingLine(r),
    smallBusiness: r.small_business === null ? null : Boolean(r.small_business),
    evaluatedPriceFen: num(r.evaluated_price_fen),
    priceScore: r.price_score_milli === null ? null : r.price_score_milli / 1000,
    techScore: r.tech_score_milli === null ? null : r.tech_score_milli / 1000,
    totalScore: r.total_score_milli === null ? null : r.total_score_milli / 1000,
    rank: r.bid_rank,
    recommended: Boolean(r.recommended),
    abnormalStatus: r.abnormal_status,
    abnormalExplanation: r.abnormal_explanation,
    disqualifiedReason: r.status === 'disqualified' ? r.invalid_reason : null,
    disqualifiedDetail: r.status === 'disqualified' ? r.invalid_detail : null,
  };
}

// Every column but the ciphertext (and, unless asked for, the opened contents): listings stay light.
const LINE_COLUMNS = ['id', 'tender_id', 'supplier_id', 'receipt_no', 'status', 'envelope_sha256', 'plaintext_sha256', 'submitted_at', 'submitted_ip', 'replaced_by_bid_id', 'withdrawn_at', 'decrypted_at', 'invalid_reason', 'invalid_detail', 'price_fen', 'small_business', 'evaluated_price_fen', 'price_score_milli', 'tech_score_milli', 'total_score_milli', 'bid_rank', 'recommended', 'abnormal_status', 'abnormal_explanation'];

export async function bidsWithSupplier(db: Knex, tenderId: number, opts: { contents?: boolean } = {}): Promise<Array<BidRow & { supplier_name: string }>> {
  return db('tender_bids as b')
    .join('suppliers as s', 's.id', 'b.supplier_id')
    .where('b.tender_id', tenderId)
    .whereIn('b.status', CURRENT_BID_STATUSES)
    .orderBy('b.id')
    // One array: knex's select(array, more) silently drops every argument after an array.
    .select([...[...LINE_COLUMNS, ...(opts.contents ? ['opened_json'] : [])].map((c) => `b.${c}`), 's.name as supplier_name']);
}

export async function committeeExpertIdForUser(db: Knex, tenderId: number, userId: number): Promise<number | null> {
  const row = await db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where({ 'c.tender_id': tenderId, 'e.user_id': userId }).first('c.expert_id');
  return row ? Number(row.expert_id) : null;
}
