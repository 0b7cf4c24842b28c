// The online opening. At the opening time (a durable job) the session starts and each bidder
// hands in its own key within the decryption window. The server checks the stored envelope
// against the receipt, the key against the envelope, and the plaintext against the digest;
// a wrong key is refused and may be corrected within the window (bounded attempts); a tampered or
// damaged envelope makes that bid invalid with the reason. A bid that opens stays sealed (under the
// seal key, never in clear, never announced): until every bid is resolved or the window closes
// nobody (bidders, operators, the unit, supervisors, the public, a database dump) sees any
// price, only how many bids are resolved and pending, and each bidder its own status. Then the
// opening record is published in one step, every price at once, as a real opening reads them
// out, and the tender goes on to evaluation, or fails with fewer than 3 valid bids.
import crypto from 'node:crypto';
import { withTx, type Tx } from '../../../db/tx';
import { toDbTime, fromDbTime, isoFromDb } from '../../../db/time';
import { record, recordMany } from '../../../supervision/audit/audit';
import { systemActor, type Actor } from '../../../http/actor';
import { ConflictError, NotFoundError, RuleError } from '../../../http/errors';
import { openBid } from '../../../../client/src/views/tendering/sealing';
import { bidsWithSupplier, lockTender, openingLine, openingProgress, type BidRow, type TenderRow } from '../repository';
import { transition } from '../state-machine';
import { loadLegal } from '../legal';
import { abnormallyLowBids } from '../evaluation/scoring';
import { closeJobKey, JOB_CLOSE_DECRYPTION, JOB_OPEN, tenderChannel, type TenderingDeps } from '../deps';
import { failTender } from './failure';
import { announce } from '../documents/service';
import { invalidReasonText, toPortal } from '../documents/portal';
import { yuanText } from '../documents/file';
import { noticeTime } from '../../../core/notices/notice-time';
import { handOpeningToWorkflow } from '../award/workflow-link';
import { createSealer } from '../../draws/seal';

const SMALL_SIZES = ['micro', 'small'];

/** The opened bid, sealed to its row until the opening record. */
export const openedCtx = (bidId: number) => `tender-bid:${bidId}:opened`;

/** Reads a bid's own sealed price back for its own bidder (the caller checks whose bid it is). */
export function ownSealedPrice(sealKey: string): (sealed: string, bidId: number) => number | null {
  const sealer = createSealer(sealKey);
  return (sealed, bidId) => (JSON.parse(sealer.open<string>(sealed, openedCtx(bidId))) as { priceFen: number }).priceFen;
}

/** Job: the opening time has come. */
export async function startOpening(deps: TenderingDeps, tenderId: number): Promise<void> {
  const actor = systemActor(JOB_OPEN, deps.clock);
  await withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    if (row.status !== 'published') return; // cancelled, or already opened (job re-run)
    const now = deps.clock.now();
    const openingAt = fromDbTime(row.opening_at)!;
    if (now < openingAt) {
      // The opening moved (amendment) after this job was claimed: run again at the new time.
      await deps.scheduler.schedule(tx, { kind: JOB_OPEN, key: `tender:${tenderId}:open`, runAt: openingAt, payload: { tenderId } });
      return;
    }
    const sealed = await tx('tender_bids').where({ tender_id: tenderId, status: 'sealed' }).count({ n: '*' }).first();
    const bids = Number(sealed?.n ?? 0);
    const legal = await loadLegal(tx, row);
    if (bids < legal.minValidBids.value) {
      await failTender(deps, tx, actor, row, 'TOO_FEW_BIDS', { bids, validBids: 0 });
      return;
    }
    const status = transition(row.status, 'open');
    // The window runs from when the session actually starts (a restart may start it late).
    const endsAt = new Date(Math.max(now.getTime(), openingAt.getTime()) + row.decryption_minutes * 60_000);
    await tx('tenders').where({ id: tenderId }).update({ status, decryption_ends_at: toDbTime(endsAt), updated_at: toDbTime(now) });
    await deps.scheduler.schedule(tx, { kind: JOB_CLOSE_DECRYPTION, key: closeJobKey(tenderId), runAt: endsAt, payload: { tenderId } });
    await handOpeningToWorkflow(tx, actor, tenderId, row.project_id, bids, row.procedure);
    await record(tx, actor, { action: 'tender.opened', entityType: 'tender', entityId: tenderId, before: { status: row.status }, after: { status, openedAt: now.toISOString(), bids, decryptionEndsAt: endsAt.toISOString() } });
    announce(deps, tx, tenderId, status, { decryptionEndsAt: endsAt.toISOString() });
    // Each bidder is told on its own channel that it is time to hand in its key.
    const bidders = await tx('users').whereIn('supplier_id', tx('tender_bids').select('supplier_id').where({ tender_id: tenderId, status: 'sealed' })).select('id');
    tx.afterCommit(() => {
      for (const u of bidders) deps.realtime.publish(`user:${u.id}`, { type: 'tender.decrypt_now', tenderId, reference: row.reference, decryptionEndsAt: endsAt.toISOString() });
    });
  });
}

export type DecryptionOutcome = { status: 'decrypted'; priceFen: number } | { status: 'invalid'; reason: string };

/** A key refused without deciding the bid: the bidder may try again while attempts and the window last. */
type KeyRefusal = { refused: 'WRONG_KEY' | 'KEY_ATTEMPTS_EXHAUSTED'; attemptsUsed: number; attemptsLeft: number; maxAttempts: number; decryptionEndsAt: string | null };

/**
 * A bidder hands in the key of its own bid. A wrong key (the envelope's key check fails) is refused
 * with 422 WRONG_KEY and the bid stays sealed: the bidder may try again until the window closes,
 * up to the rule book's tenderMaxKeyAttempts (then 422 KEY_ATTEMPTS_EXHAUSTED), so a passphrase
 * cannot be guessed through the platform. The right key opens the bid; a tampered or damaged
 * envelope makes it invalid at once. Every attempt is audited (never the key), and the refusal
 * is committed before it is answered.
 */
export async function submitKey(deps: TenderingDeps, actor: Actor, supplierId: number, tenderId: number, keyHex: string): Promise<DecryptionOutcome & { bidId: number; receiptNo: string; attempt: number }> {
  const r = await withTx(deps.db, async (tx): Promise<(DecryptionOutcome & { bidId: number; receiptNo: string; attempt: number }) | KeyRefusal> => {
    const row = await lockTender(tx, tenderId);
    const now = deps.clock.now();
    if (row.status !== 'opening') throw new ConflictError('NOT_IN_OPENING', `The tender is ${row.status}; keys are accepted only during the opening session`, { status: row.status });
    if (now >= fromDbTime(row.decryption_ends_at)!) throw new ConflictError('DECRYPTION_WINDOW_CLOSED', 'The decryption window has closed', { decryptionEndsAt: isoFromDb(row.decryption_ends_at) });
    const bid: BidRow | undefined = await tx('tender_bids').where({ tender_id: tenderId, supplier_id: supplierId }).whereIn('status', ['sealed', 'decrypted', 'invalid']).first();
    if (!bid) throw new NotFoundError('You have no bid in this tender', null, 'NO_BID');
    if (bid.status !== 'sealed') throw new ConflictError('ALREADY_RESOLVED', `Your bid is already ${bid.status}`, { status: bid.status });
    const maxAttempts = (await loadLegal(tx)).maxKeyAttempts.value;
    const used = Number(bid.key_attempts ?? 0);
    const facts = { tenderId, bidId: bid.id, supplierId, receiptNo: bid.receipt_no, at: now.toISOString(), ip: actor.ip };
    const own = (await tx('users').where({ supplier_id: supplierId }).select('id')).map((u: { id: number }) => Number(u.id));
    const refuse = async (refused: KeyRefusal['refused'], attemptsUsed: number): Promise<KeyRefusal> => {
      const attemptsLeft = Math.max(0, maxAttempts - attemptsUsed);
      await record(tx, actor, { action: 'bid.key_rejected', entityType: 'tender', entityId: tenderId, before: { bidId: bid.id, status: 'sealed', keyAttempts: used }, after: { ...facts, status: 'sealed', reason: refused, attemptsUsed, attemptsLeft, maxAttempts } });
      // Not announced: the bid's status has not changed, and the page that handed the key in shows
      // the refusal and the attempts left itself (a reload would wipe that message).
      return { refused, attemptsUsed, attemptsLeft, maxAttempts, decryptionEndsAt: isoFromDb(row.decryption_ends_at) };
    };
    if (used >= maxAttempts) return refuse('KEY_ATTEMPTS_EXHAUSTED', used);
    const outcome = decrypt(bid, keyHex, tenderId, supplierId);
    const attempt = used + 1;
    if (outcome.status === 'invalid' && outcome.reason === 'WRONG_KEY') {
      await tx('tender_bids').where({ id: bid.id }).update({ key_attempts: attempt });
      return refuse('WRONG_KEY', attempt);
    }
    if (outcome.status === 'decrypted') {
      // Opened, and sealed again under the seal key: the price is read out with all the others.
      const opened = createSealer(deps.config.secrets.sealKey).seal(outcome.plaintext, openedCtx(bid.id));
      await tx('tender_bids').where({ id: bid.id }).update({ status: 'decrypted', decrypted_at: toDbTime(now), opened_sealed: opened });
    } else {
      await tx('tender_bids').where({ id: bid.id }).update({ status: 'invalid', decrypted_at: toDbTime(now), invalid_reason: outcome.reason, invalid_detail: outcome.detail });
    }
    // Audited without the price: the audit trail is read (by supervisors) while the window is open.
    await record(tx, actor, {
      action: outcome.status === 'decrypted' ? 'bid.decrypted' : 'bid.invalidated',
      entityType: 'tender',
      entityId: tenderId,
      before: { bidId: bid.id, status: 'sealed' },
      after: { tenderId, bidId: bid.id, supplierId, receiptNo: bid.receipt_no, status: outcome.status, ...(outcome.status === 'decrypted' ? {} : { reason: outcome.reason }), attempt, at: now.toISOString(), ip: actor.ip },
    });
    const progress = await openingProgress(tx, tenderId);
    // Counts for everyone watching; the bidder's own status to the bidder's own accounts.
    tx.afterCommit(() => {
      deps.realtime.publish(tenderChannel(tenderId), { type: 'tender.opening_progress', tenderId, ...progress });
      for (const u of own) deps.realtime.publish(`user:${u}`, { type: 'tender.my_bid', tenderId, bidId: bid.id, status: outcome.status });
    });
    if (progress.pending === 0) await closeOpeningIn(deps, tx, systemActor(JOB_CLOSE_DECRYPTION, deps.clock), await lockTender(tx, tenderId));
    const result: DecryptionOutcome = outcome.status === 'decrypted' ? { status: 'decrypted', priceFen: outcome.priceFen } : { status: 'invalid', reason: outcome.reason };
    return { ...result, bidId: bid.id, receiptNo: bid.receipt_no, attempt };
  });
  if ('refused' in r) {
    const { refused, ...details } = r;
    throw refused === 'WRONG_KEY'
      ? new RuleError('WRONG_KEY', `The key does not open your bid; the bid stays sealed (${details.attemptsLeft} of ${details.maxAttempts} attempts left)`, details)
      : new RuleError('KEY_ATTEMPTS_EXHAUSTED', `All ${details.maxAttempts} attempts to hand in a key for this bid are used; it stays sealed until the window closes`, details);
  }
  return r;
}

type Decrypted = { status: 'decrypted'; priceFen: number; plaintext: string } | { status: 'invalid'; reason: string; detail: string };

function decrypt(bid: BidRow, keyHex: string, tenderId: number, supplierId: number): Decrypted {
  if (!bid.envelope) return { status: 'invalid', reason: 'CIPHERTEXT_MISSING', detail: 'The sealed envelope is not on record' };
  // The stored envelope must be byte for byte the one the receipt was issued for.
  const stored = crypto.createHash('sha256').update(bid.envelope, 'utf8').digest('hex');
  if (stored !== bid.envelope_sha256) return { status: 'invalid', reason: 'CIPHERTEXT_TAMPERED', detail: 'The stored ciphertext does not match the digest in the receipt' };
  const r = openBid(bid.envelope, keyHex.toLowerCase(), bid.plaintext_sha256);
  if (!r.ok) {
    const detail = {
      WRONG_KEY: 'The key does not open this bid',
      DIGEST_MISMATCH: 'The decrypted bid does not match the digest given at submission (ciphertext altered)',
      MALFORMED_ENVELOPE: 'The sealed envelope is damaged',
      UNREADABLE_PLAINTEXT: 'The decrypted bid is not a bid',
    }[r.reason];
    return { status: 'invalid', reason: r.reason === 'DIGEST_MISMATCH' ? 'CIPHERTEXT_TAMPERED' : r.reason, detail };
  }
  if (r.bid.tenderId !== tenderId || r.bid.supplierId !== supplierId) return { status: 'invalid', reason: 'BID_FOR_ANOTHER_TENDER', detail: 'The sealed bid names another tender or supplier' };
  return { status: 'decrypted', priceFen: r.bid.priceFen, plaintext: JSON.stringify(r.bid) };
}

/** Job: the decryption window has closed. */
export async function closeOpening(deps: TenderingDeps, tenderId: number): Promise<void> {
  await withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    if (row.status !== 'opening') return;
    await closeOpeningIn(deps, tx, systemActor(JOB_CLOSE_DECRYPTION, deps.clock), row);
  });
}

async function closeOpeningIn(deps: TenderingDeps, tx: Tx, actor: Actor, row: TenderRow): Promise<void> {
  const now = deps.clock.now();
  // Every bid opened during the window comes out of its seal now, together.
  const sealer = createSealer(deps.config.secrets.sealKey);
  const openedRows: Array<{ id: number; supplier_id: number; opened_sealed: string }> = await tx('tender_bids').where({ tender_id: row.id, status: 'decrypted' }).whereNotNull('opened_sealed').select('id', 'supplier_id', 'opened_sealed');
  const sizes = new Map<number, string>(openedRows.length ? (await tx('suppliers').whereIn('id', openedRows.map((b) => b.supplier_id)).select('id', 'size')).map((x: { id: number; size: string }) => [Number(x.id), x.size]) : []);
  for (const b of openedRows) {
    const plaintext = sealer.open<string>(b.opened_sealed, openedCtx(b.id));
    const priceFen = (JSON.parse(plaintext) as { priceFen: number }).priceFen;
    await tx('tender_bids').where({ id: b.id }).update({ price_fen: priceFen, opened_json: plaintext, small_business: SMALL_SIZES.includes(sizes.get(Number(b.supplier_id)) ?? ''), opened_sealed: null });
  }
  const undecrypted: BidRow[] = await tx('tender_bids').where({ tender_id: row.id, status: 'sealed' });
  // A bid whose bidder handed in only wrong keys is invalid now, not at its first wrong key.
  for (const b of undecrypted) {
    const tries = Number(b.key_attempts ?? 0);
    await tx('tender_bids').where({ id: b.id }).update({ status: 'invalid', invalid_reason: 'NOT_DECRYPTED', invalid_detail: tries ? `No right key was handed in within the decryption window (${tries} wrong)` : 'No key was handed in within the decryption window', decrypted_at: null });
  }
  if (undecrypted.length) await recordMany(tx, actor, undecrypted.map((b) => ({ action: 'bid.invalidated', entityType: 'tender', entityId: row.id, before: { status: 'sealed' }, after: { tenderId: row.id, bidId: b.id, supplierId: b.supplier_id, receiptNo: b.receipt_no, status: 'invalid', reason: 'NOT_DECRYPTED', wrongKeys: Number(b.key_attempts ?? 0) } })));
  await deps.scheduler.cancel(tx, closeJobKey(row.id));
  const bids = await bidsWithSupplier(tx, row.id);
  const lines = bids.map(openingLine);
  const valid = bids.filter((b) => b.status === 'decrypted');
  const openingRecord = { reference: row.reference, openedAt: isoFromDb(row.opening_at), closedAt: now.toISOString(), bids: lines };
  await tx('tender_notices').insert({ tender_id: row.id, kind: 'opening_record', substantive: false, title: row.title, body: JSON.stringify(openingRecord), published_at: toDbTime(now), created_by: null });
  // The record as it is read out: every bidder by name, its price in yuan or why its bid is invalid.
  const line = (l: (typeof lines)[number], i: number, lang: 'zh' | 'en') => {
    const name = l.supplierName ?? (lang === 'zh' ? `投标人（回执 ${l.receiptNo}）` : `bidder (receipt ${l.receiptNo})`);
    if (lang === 'zh') return `${i + 1}. ${name}：${l.priceFen === null ? `无效投标（${invalidReasonText(l.invalidReason, 'zh')}）` : `投标报价 ${yuanText(l.priceFen)} 元`}`;
    return `${i + 1}. ${name}: ${l.priceFen === null ? `invalid (${invalidReasonText(l.invalidReason, 'en')})` : `CNY ${yuanText(l.priceFen)}`}`;
  };
  const openedAt = fromDbTime(row.opening_at)!;
  await toPortal(tx, actor, row, {
    kind: 'other',
    sourceType: 'tender_opening',
    sourceId: row.id,
    titleZh: `${row.title}（${row.reference}）开标记录`,
    titleEn: `Opening record ${row.reference}: ${row.title}`,
    bodyZh: `项目编号：${row.reference}\n开标时间：${noticeTime(openedAt, 'zh')}\n开标记录公布时间：${noticeTime(now, 'zh')}\n递交投标 ${lines.length} 份，有效 ${valid.length} 份。投标人及投标报价：\n${lines.map((l, i) => line(l, i, 'zh')).join('\n')}`,
    bodyEn: `Reference: ${row.reference}\nOpened: ${noticeTime(openedAt, 'en')}\nRecord published: ${noticeTime(now, 'en')}\n${lines.length} bids received, ${valid.length} valid. Bidders and prices:\n${lines.map((l, i) => line(l, i, 'en')).join('\n')}`,
  });
  await record(tx, actor, { action: 'tender.opening_record', entityType: 'tender', entityId: row.id, after: { ...openingRecord, bids: lines.map((l) => ({ supplierId: l.supplierId, receiptNo: l.receiptNo, priceFen: l.priceFen, decryptionStatus: l.decryptionStatus, reason: l.invalidReason, submittedAt: l.submittedAt, decryptedAt: l.decryptedAt })) } });
  tx.afterCommit(() => void deps.realtime.publish(tenderChannel(row.id), { type: 'tender.opening_record', tenderId: row.id, record: openingRecord }));
  if (valid.length < (await loadLegal(tx, row)).minValidBids.value) {
    await failTender(deps, tx, actor, row, 'TOO_FEW_VALID_BIDS', { bids: bids.length, validBids: valid.length });
    return;
  }
  const status = transition(row.status, 'startEvaluation');
  await tx('tenders').where({ id: row.id }).update({ status, evaluation_started_at: toDbTime(now), updated_at: toDbTime(now) });
  // Abnormally low prices are flagged for the committee to ask the bidder for an explanation.
  const low = abnormallyLowBids(valid.map((b) => ({ bidId: b.id, priceFen: Number(b.price_fen) })), row.abnormal_low_pct);
  if (low.size) await tx('tender_bids').whereIn('id', [...low]).update({ abnormal_status: 'flagged' });
  await recordMany(tx, actor, [
    { action: 'tender.evaluation.started', entityType: 'tender', entityId: row.id, before: { status: row.status }, after: { status, validBids: valid.length } },
    ...[...low].map((bidId) => ({ action: 'tender.evaluation.abnormally_low_flagged', entityType: 'tender', entityId: row.id, after: { bidId, supplierId: valid.find((b) => b.id === bidId)!.supplier_id, priceFen: Number(valid.find((b) => b.id === bidId)!.price_fen), thresholdPct: row.abnormal_low_pct } })),
  ]);
  announce(deps, tx, row.id, status);
}
