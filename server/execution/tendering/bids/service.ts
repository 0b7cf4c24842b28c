// Sealed bids. The server receives the sealed envelope and the bidder's digest of the plaintext,
// and answers with a receipt; it cannot read a bid before its bidder hands in the key at the
// opening. A bid can be replaced or withdrawn until the deadline (server time), never after.
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { invitationalProjectOf } from '../award/workflow-link';
import { invitationsOf } from '../documents/service';
import { withTx } from '../../../db/tx';
import { toDbTime, fromDbTime, isoFromDb } from '../../../db/time';
import { record, recordMany, type AuditInput } from '../../../supervision/audit/audit';
import type { Actor } from '../../../http/actor';
import { ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../../http/errors';
import { assertSupplierMayAct } from '../../suppliers/eligibility';
import { parseEnvelope } from '../../../../client/src/views/tendering/sealing';
import { lockTender, ownBidFromRow, type BidRow } from '../repository';
import { assertStatus } from '../state-machine';
import type { TenderingDeps } from '../deps';
import { ownSealedPrice } from '../opening/service';
import { hooksFor } from '../procedures';

export interface Receipt {
  bidId: number;
  tenderId: number;
  receiptNo: string;
  digest: string;
  envelopeDigest: string;
  serverTime: string;
  replacedReceiptNo: string | null;
  /** The earlier bid this one replaced (its receipt, when it was received, its digest): never opened. */
  replaced: { receiptNo: string; submittedAt: string; digest: string } | null;
  /** The audit event that recorded this bid (its seq and hash): proof at GET /api/public/audit/proof?seq=. */
  audit: { seq: number; hash: string; stream: string; streamSeq: number };
}

export function supplierOf(supplierId: number | null | undefined): number {
  if (!supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER_ACCOUNT');
  return supplierId;
}

async function assertBiddingOpen(deps: TenderingDeps, row: { status: string; bid_deadline: string }, now: Date): Promise<void> {
  assertStatus(row.status, ['published'], 'BIDDING_CLOSED');
  if (now >= fromDbTime(row.bid_deadline)!) throw new RuleError('BID_DEADLINE_PASSED', 'The bid deadline has passed (server time); nothing more is accepted', { bidDeadline: fromDbTime(row.bid_deadline)!.toISOString(), serverTime: now.toISOString() });
}

/** An invitational tender takes bids from its invited suppliers only (found by the supplier's own tag). */
export async function assertInvited(deps: TenderingDeps, db: Knex, projectId: number | null, supplierId: number): Promise<void> {
  const invited = await invitationalProjectOf(db, projectId);
  if (invited && !(await invitationsOf(deps).isInvited(db, { type: 'project', id: invited.id }, supplierId))) throw new ForbiddenError('This tender takes bids from its invited suppliers only', null, 'NOT_INVITED');
}

/** Stores a sealed bid (replacing the supplier's previous one) and returns the receipt. */
export async function submitBid(deps: TenderingDeps, actor: Actor, supplierId: number, tenderId: number, input: { envelope: string; digest: string; deviceId?: string }): Promise<Receipt> {
  const deviceId = input.deviceId ?? null;
  if (!parseEnvelope(input.envelope)) throw new ValidationError('The sealed envelope is not in the expected form', null, 'MALFORMED_ENVELOPE');
  return withTx(deps.db, async (tx) => {
    const tender = await lockTender(tx, tenderId);
    // Server time at the moment the tender row is locked is the time that counts.
    const now = deps.clock.now();
    await assertBiddingOpen(deps, tender, now);
    await assertSupplierMayAct(tx, supplierId, now, 'submit_bid');
    await assertInvited(deps, tx, tender.project_id, supplierId);
    // A consultation's final quotations: only its remaining suppliers quote.
    await hooksFor(tender)?.assertMayBid(tx, tender, supplierId);
    const previous: BidRow | undefined = await tx('tender_bids').where({ tender_id: tenderId, supplier_id: supplierId, status: 'sealed' }).first();
    const receiptNo = `${tender.reference}-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
    const envelopeDigest = crypto.createHash('sha256').update(input.envelope, 'utf8').digest('hex');
    const [id] = await tx('tender_bids').insert({
      tender_id: tenderId,
      supplier_id: supplierId,
      receipt_no: receiptNo,
      status: 'sealed',
      envelope: input.envelope,
      envelope_sha256: envelopeDigest,
      plaintext_sha256: input.digest,
      submitted_at: toDbTime(now),
      submitted_ip: actor.ip,
      submitted_device: deviceId,
      recommended: false,
    });
    const bidId = Number(id);
    if (previous) {
      // The replaced ciphertext will never be opened: it is not kept.
      await tx('tender_bids').where({ id: previous.id }).update({ status: 'replaced', envelope: null, replaced_by_bid_id: bidId, withdrawn_at: toDbTime(now) });
    }
    // Facts for supervision: who, when, from where (IP and device). Never the price or the responses.
    const events: AuditInput[] = [];
    if (previous) events.push({ action: 'bid.withdrawn', entityType: 'tender', entityId: tenderId, before: { status: 'sealed' }, after: { tenderId, bidId: previous.id, supplierId, receiptNo: previous.receipt_no, reason: 'replaced', replacedByBidId: bidId, at: now.toISOString(), ip: actor.ip } });
    events.push({ action: 'bid.submitted', entityType: 'tender', entityId: tenderId, after: { tenderId, bidId, supplierId, receiptNo, digest: input.digest, envelopeDigest, submittedAt: now.toISOString(), ip: actor.ip, deviceId } });
    const recorded = await recordMany(tx, actor, events);
    const last = recorded[recorded.length - 1];
    const audit = { seq: last.seq, hash: last.hash, stream: last.stream!, streamSeq: last.stream_seq! };
    return { bidId, tenderId, receiptNo, digest: input.digest, envelopeDigest, serverTime: now.toISOString(), replacedReceiptNo: previous?.receipt_no ?? null, replaced: previous ? { receiptNo: previous.receipt_no, submittedAt: isoFromDb(previous.submitted_at)!, digest: previous.plaintext_sha256 } : null, audit };
  });
}

export async function withdrawBid(deps: TenderingDeps, actor: Actor, supplierId: number, tenderId: number) {
  return withTx(deps.db, async (tx) => {
    const tender = await lockTender(tx, tenderId);
    const now = deps.clock.now();
    await assertBiddingOpen(deps, tender, now);
    const bid: BidRow | undefined = await tx('tender_bids').where({ tender_id: tenderId, supplier_id: supplierId, status: 'sealed' }).first();
    if (!bid) throw new NotFoundError('You have no sealed bid in this tender', null, 'NO_BID');
    await tx('tender_bids').where({ id: bid.id }).update({ status: 'withdrawn', envelope: null, withdrawn_at: toDbTime(now) });
    await record(tx, actor, { action: 'bid.withdrawn', entityType: 'tender', entityId: tenderId, before: { status: 'sealed' }, after: { tenderId, bidId: bid.id, supplierId, receiptNo: bid.receipt_no, at: now.toISOString(), ip: actor.ip } });
    return ownBidFromRow({ ...bid, status: 'withdrawn', envelope: null, withdrawn_at: toDbTime(now) });
  });
}

/** The supplier's own submissions in a tender, newest first (receipts, statuses). */
export async function myBids(deps: TenderingDeps, supplierId: number, tenderId: number) {
  const rows: BidRow[] = await deps.db('tender_bids').where({ tender_id: tenderId, supplier_id: supplierId }).orderBy('id', 'desc');
  const openOwn = ownSealedPrice(deps.config.secrets.sealKey);
  return rows.map((r) => ownBidFromRow(r, openOwn));
}
