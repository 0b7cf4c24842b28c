// Receipts that point into the audit chain (issue 16): a proof links an event (by seq) to the
// next signed checkpoint (through its stream's chain and the cross-link that listed it, for an
// event of a stream), and a supplier downloads its own bid receipts with their proofs.
import type { Db } from '../../db/knex';
import { NotFoundError } from '../../http/errors';
import { checkpointFromRow, globalEvents } from './checkpoints';
import { GLOBAL_STREAM } from './chain';
import type { Checkpoint, PublicKeyInfo } from './checkpoint-format';

export interface ProofEvent {
  /** The event's number. */
  seq: number;
  /** Its position in its stream's chain. */
  streamSeq: number;
  prevHash: string;
  hash: string;
}

export interface Proof {
  seq: number;
  stream: string;
  streamSeq: number;
  /** The first signed checkpoint of the global chain covering the event (directly, or through the cross-link below). */
  checkpoint: Checkpoint;
  publicKey: PublicKeyInfo;
  /**
   * Hashes only, as the platform holds them now: for an event of a stream, the stream's events
   * from it up to the head the cross-link listed; for an event of the global chain, the global
   * events from it up to the checkpoint.
   */
  events: ProofEvent[];
  /**
   * For an event of a stream: the global event that listed the stream's head at or after it,
   * whole (its hash can be recomputed and its listing read), and its position in the global chain,
   * which the checkpoint's event hashes cover.
   */
  crossLink: { position: number; hash: string; event: ReturnType<typeof eventFields> } | null;
}

const notYet = (seq: number) => new NotFoundError(`No signed checkpoint covers event ${seq} yet: checkpoints are made every few minutes`, { seq }, 'NOT_YET_CHECKPOINTED');

export async function proofFor(db: Db, publicKey: PublicKeyInfo, seq: number): Promise<Proof> {
  const ev = await db('audit_events').where({ seq }).first();
  if (!ev) throw notYet(seq);
  const stream = String(ev.stream);
  const streamSeq = Number(ev.stream_seq);
  const toEvent = (r: any): ProofEvent => ({ seq: Number(r.seq), streamSeq: Number(r.stream_seq), prevHash: r.prev_hash, hash: r.hash });
  if (stream === GLOBAL_STREAM) {
    const cp = await db('audit_checkpoints').where('seq', '>=', streamSeq).orderBy('seq').first();
    if (!cp) throw notYet(seq);
    const rows = await globalEvents(db, streamSeq, Number(cp.seq)).select('seq', 'stream_seq', 'prev_hash', 'hash');
    return { seq, stream, streamSeq, checkpoint: checkpointFromRow(cp), publicKey, events: rows.map(toEvent), crossLink: null };
  }
  const link = await db('audit_cross_links').where({ stream }).where('stream_seq', '>=', streamSeq).orderBy('stream_seq').first();
  if (!link) throw notYet(seq);
  const cp = await db('audit_checkpoints').where('seq', '>=', Number(link.global_seq)).orderBy('seq').first();
  if (!cp) throw notYet(seq);
  const [rows, global] = await Promise.all([
    db('audit_events').where({ stream }).whereBetween('stream_seq', [streamSeq, Number(link.stream_seq)]).orderBy('stream_seq').select('seq', 'stream_seq', 'prev_hash', 'hash'),
    db('audit_events').where({ stream: GLOBAL_STREAM, stream_seq: Number(link.global_seq) }).first(),
  ]);
  return { seq, stream, streamSeq, checkpoint: checkpointFromRow(cp), publicKey, events: rows.map(toEvent), crossLink: global ? { position: Number(link.global_seq), hash: global.hash, event: eventFields(global) } : null };
}

/** The stored fields of an event, exactly as hashed (server/supervision/audit/chain.ts). */
function eventFields(r: any) {
  return {
    seq: Number(r.seq),
    hash_v: Number(r.hash_v ?? 1),
    stream: r.stream,
    stream_seq: Number(r.stream_seq),
    anchor: r.anchor ?? null,
    occurred_at: r.occurred_at,
    actor_id: r.actor_id === null ? null : Number(r.actor_id),
    actor_role: r.actor_role,
    action: r.action,
    entity_type: r.entity_type,
    entity_id: r.entity_id,
    before_json: r.before_json,
    after_json: r.after_json,
    request_id: r.request_id,
    ip: r.ip,
    prev_hash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditReceipt {
  kind: 'tender_bid' | 'auction_bid';
  ref: string;
  processId: number;
  amountFen: number | null;
  at: string;
  audit: { seq: number; hash: string; stream: string; streamSeq: number; index?: number };
  /** The whole event when it holds nothing of another supplier's (so its hash can be recomputed); else null. */
  event: ReturnType<typeof eventFields> | null;
  proof: Proof | null;
}

/** A supplier's bid receipts (sealed tender bids, auction bids), newest first, each with its proof when one exists. */
export async function supplierReceipts(db: Db, publicKey: PublicKeyInfo, supplierId: number, limit = 200): Promise<AuditReceipt[]> {
  const needle = `%"supplierId":${supplierId},%`;
  const rows = await db('audit_events').whereIn('action', ['bid.submitted', 'auction.bids_accepted']).where('after_json', 'like', needle).orderBy('seq', 'desc').limit(limit);
  const out: AuditReceipt[] = [];
  for (const r of rows) {
    const after = JSON.parse(r.after_json);
    const proof = await proofFor(db, publicKey, Number(r.seq)).catch((err) => {
      if (err instanceof NotFoundError) return null;
      throw err;
    });
    const pointer = { seq: Number(r.seq), hash: r.hash as string, stream: String(r.stream), streamSeq: Number(r.stream_seq) };
    if (r.action === 'bid.submitted') {
      if (after.supplierId !== supplierId) continue;
      out.push({ kind: 'tender_bid', ref: after.receiptNo, processId: after.tenderId, amountFen: null, at: after.submittedAt, audit: pointer, event: eventFields(r), proof });
    } else {
      const bids: any[] = after.bids ?? [];
      const onlyMine = bids.every((b) => b.supplierId === supplierId);
      bids.forEach((b, index) => {
        if (b.supplierId !== supplierId) return;
        out.push({ kind: 'auction_bid', ref: b.clientBidId, processId: after.auctionId, amountFen: b.amountFen, at: new Date(String(r.occurred_at).replace(' ', 'T') + 'Z').toISOString(), audit: { ...pointer, index }, event: onlyMine ? eventFields(r) : null, proof });
      });
    }
  }
  return out;
}
