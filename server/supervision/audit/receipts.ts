// Receipts that point into the audit chain (issue 16): a proof links an event (by seq) to the
// next signed checkpoint, and a supplier downloads its own bid receipts with their proofs.
import type { Db } from '../../db/knex';
import { NotFoundError } from '../../http/errors';
import { checkpointFromRow } from './checkpoints';
import type { Checkpoint, PublicKeyInfo } from './checkpoint-format';

export interface Proof {
  seq: number;
  /** The first signed checkpoint covering `seq`, with the hashes of every event it covers. */
  checkpoint: Checkpoint;
  publicKey: PublicKeyInfo;
  /** The events from `seq` up to the checkpoint as the platform holds them now: hashes only. */
  events: Array<{ seq: number; prevHash: string; hash: string }>;
}

export async function proofFor(db: Db, publicKey: PublicKeyInfo, seq: number): Promise<Proof> {
  const cp = await db('audit_checkpoints').where('seq', '>=', seq).orderBy('seq').first();
  if (!cp) throw new NotFoundError(`No signed checkpoint covers event ${seq} yet: checkpoints are made every few minutes`, { seq }, 'NOT_YET_CHECKPOINTED');
  const rows = await db('audit_events').where('seq', '>=', seq).where('seq', '<=', cp.seq).orderBy('seq').select('seq', 'prev_hash', 'hash');
  return { seq, checkpoint: checkpointFromRow(cp), publicKey, events: rows.map((r: any) => ({ seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash })) };
}

/** The stored fields of an event, exactly as hashed (server/supervision/audit/chain.ts). */
const eventFields = (r: any) => ({
  seq: Number(r.seq),
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
});

export interface AuditReceipt {
  kind: 'tender_bid' | 'auction_bid';
  ref: string;
  processId: number;
  amountFen: number | null;
  at: string;
  audit: { seq: number; hash: string; index?: number };
  /** The whole event when it holds nothing of another supplier's (so its hash can be recomputed); else null. */
  event: ReturnType<typeof eventFields> | null;
  proof: Proof | null;
}

/** A supplier's bid receipts (sealed tender bids, auction bids), newest first, each with its proof when one exists. */
export async function supplierReceipts(db: Db, publicKey: PublicKeyInfo, supplierId: number, limit = 200): Promise<AuditReceipt[]> {
  const needle = `%"supplierId":${supplierId},%`;
  const rows = await db('audit_events').whereIn('action', ['bid.submitted', 'auction.bids_accepted']).where('after_json', 'like', needle).orderBy('seq', 'desc').limit(limit);
  const out: AuditReceipt[] = [];
  const lastCp = await db('audit_checkpoints').max({ m: 'seq' }).first();
  const covered = Number(lastCp?.m ?? 0);
  for (const r of rows) {
    const after = JSON.parse(r.after_json);
    const proof = Number(r.seq) <= covered ? await proofFor(db, publicKey, Number(r.seq)) : null;
    if (r.action === 'bid.submitted') {
      if (after.supplierId !== supplierId) continue;
      out.push({ kind: 'tender_bid', ref: after.receiptNo, processId: after.tenderId, amountFen: null, at: after.submittedAt, audit: { seq: Number(r.seq), hash: r.hash }, event: eventFields(r), proof });
    } else {
      const bids: any[] = after.bids ?? [];
      const onlyMine = bids.every((b) => b.supplierId === supplierId);
      bids.forEach((b, index) => {
        if (b.supplierId !== supplierId) return;
        out.push({ kind: 'auction_bid', ref: b.clientBidId, processId: after.auctionId, amountFen: b.amountFen, at: new Date(String(r.occurred_at).replace(' ', 'T') + 'Z').toISOString(), audit: { seq: Number(r.seq), hash: r.hash, index }, event: onlyMine ? eventFields(r) : null, proof });
      });
    }
  }
  return out;
}
