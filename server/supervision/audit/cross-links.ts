// Cross-links (issue 17): the streams' chains woven into the global chain. Each run appends one
// global event listing every stream head that moved since the last cross-link
// (`{stream, from, seq, hash}`), and hands that event's hash to each listed stream as its next
// event's `anchor`. Rewriting a stream's events after they were listed breaks the listing;
// rewriting the listing breaks the global chain, which the signed checkpoints sign. Runs every
// AUDIT_CROSS_LINK_SECONDS (durable job) and before each signed checkpoint.
import type { Db } from '../../db/knex';
import { forUpdate } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime, type Clock } from '../../db/time';
import { systemActor } from '../../http/actor';
import { CROSS_LINK_ACTION, insertNumbered, type AuditEvent } from './audit';
import { canonicalJson, eventHash, GLOBAL_STREAM, type ChainedFields } from './chain';

export const CROSS_LINK_JOB = 'audit.cross-link';
/** Most streams one cross-link lists (the next run lists the rest). */
export const MAX_STREAMS_PER_CROSS_LINK = 2_000;

export interface CrossLinkHead {
  stream: string;
  /** First event of the stream this listing covers (the previous listing's seq + 1). */
  from: number;
  seq: number;
  hash: string;
}

export interface CrossLink {
  globalSeq: number;
  hash: string;
  heads: CrossLinkHead[];
}

/**
 * Appends one cross-link if any stream moved; null when none did. The global event and its
 * listings commit under the global head's lock only; each listed head then gets the anchor in a
 * statement of its own, so a cross-link waiting for one stream's long transaction (a bulk action
 * on `platform`) never holds other streams' heads meanwhile.
 */
export async function crossLink(db: Db, clock: Clock): Promise<CrossLink | null> {
  const actor = systemActor('audit-cross-link', clock);
  const link = await withTx(db, async (tx): Promise<CrossLink | null> => {
    const head = await forUpdate(tx, tx('audit_chain_head').where({ id: 1 })).first();
    if (!head) throw new Error('audit chain head missing: migrations not applied');
    // `linked_seq` is a hint (set after the commit); the listings themselves say what is listed.
    const candidates: any[] = await tx('audit_stream_heads').whereRaw('last_seq > linked_seq').orderBy('stream').limit(MAX_STREAMS_PER_CROSS_LINK).select('stream', 'last_seq', 'last_hash', 'linked_seq');
    if (candidates.length === 0) return null;
    const listedUpTo = new Map<string, number>();
    for (let i = 0; i < candidates.length; i += 500) {
      const part = candidates.slice(i, i + 500).map((c) => c.stream);
      for (const r of await tx('audit_cross_links').whereIn('stream', part).groupBy('stream').select('stream', tx.raw('MAX(stream_seq) as m'))) listedUpTo.set(String(r.stream), Number(r.m));
    }
    const heads: CrossLinkHead[] = candidates
      .map((h) => ({ stream: String(h.stream), from: (listedUpTo.get(String(h.stream)) ?? 0) + 1, seq: Number(h.last_seq), hash: String(h.last_hash) }))
      .filter((h) => h.seq >= h.from);
    if (heads.length === 0) return null;
    const globalSeq = Number(head.last_seq) + 1;
    const fields: ChainedFields = {
      seq: 0,
      hash_v: 2,
      stream: GLOBAL_STREAM,
      stream_seq: globalSeq,
      anchor: null,
      occurred_at: toDbTime(clock.now()),
      actor_id: actor.userId,
      actor_role: actor.role,
      action: CROSS_LINK_ACTION,
      entity_type: 'audit_chain',
      entity_id: String(globalSeq),
      before_json: null,
      after_json: canonicalJson({ heads }),
      request_id: null,
      ip: null,
    };
    const hash = eventHash(String(head.last_hash), fields);
    const row: Omit<AuditEvent, 'id'> = { ...fields, prev_hash: String(head.last_hash), hash };
    await insertNumbered(tx, [row]);
    await tx('audit_chain_head').where({ id: 1 }).update({ last_seq: globalSeq, last_hash: hash });
    for (let i = 0; i < heads.length; i += 500) {
      await tx('audit_cross_links').insert(heads.slice(i, i + 500).map((h) => ({ stream: h.stream, stream_seq: h.seq, global_seq: globalSeq, hash: h.hash })));
    }
    return { globalSeq, hash, heads };
  });
  // The event number allocator's used rows (the last thousand are kept, so the counter survives any restart).
  const top = await db('audit_seq_alloc').max({ m: 'id' }).first();
  if (Number(top?.m ?? 0) > 2000) await db('audit_seq_alloc').where('id', '<', Number(top!.m) - 1000).delete();
  if (!link) return null;
  // Each listed stream's next event carries this hash. Never moved backwards (a later cross-link may already be there).
  // A stream whose head stays locked past the lock wait limit keeps its previous anchor: the listing is what proves it.
  if (db.dialect === 'mysql') await anchorFreeHeads(db, link);
  else for (const h of link.heads) await db('audit_stream_heads').where({ stream: h.stream }).where('linked_seq', '<', h.seq).update({ anchor: link.hash, linked_seq: h.seq }).catch(() => undefined);
  return link;
}

/**
 * MySQL: anchors the listed heads that no transaction holds now (SKIP LOCKED), all in one short
 * transaction, and tries the busy ones twice more. Waiting for each head in turn queued every
 * running competition's next bid batch behind the anchoring (lock queues are first come, first
 * served): a stall of all bidding once a second. A head still busy after that keeps its previous
 * anchor and `linked_seq`, so the next cross-link lists the stream again and anchors it then.
 */
async function anchorFreeHeads(db: Db, link: CrossLink): Promise<void> {
  let pending = link.heads;
  for (let attempt = 0; attempt < 3 && pending.length; attempt++) {
    if (attempt) await new Promise((r) => setTimeout(r, 25));
    const done = new Set<string>();
    await withTx(db, async (tx) => {
      const free: CrossLinkHead[] = [];
      for (let i = 0; i < pending.length; i += 200) {
        const part = pending.slice(i, i + 200);
        const bySeq = new Map(part.map((h) => [h.stream, h]));
        // Point lookups by primary key (see audit.ts lockStreamHeads: an IN list could scan and lock every head).
        const [rows] = await tx.raw(part.map(() => '(SELECT stream, linked_seq FROM audit_stream_heads WHERE stream = ? FOR UPDATE SKIP LOCKED)').join(' UNION ALL '), part.map((h) => h.stream));
        for (const r of rows as Array<{ stream: string; linked_seq: number | string }>) {
          const h = bySeq.get(String(r.stream))!;
          done.add(h.stream);
          if (Number(r.linked_seq) < h.seq) free.push(h);
        }
      }
      // Rows this transaction holds: the upsert's duplicate keys take no lock it waits for.
      for (let i = 0; i < free.length; i += 500) {
        await tx('audit_stream_heads')
          .insert(free.slice(i, i + 500).map((h) => ({ stream: h.stream, last_seq: h.seq, last_hash: h.hash, anchor: link.hash, linked_seq: h.seq })))
          .onConflict('stream')
          .merge(['anchor', 'linked_seq']);
      }
    }).catch(() => undefined);
    pending = pending.filter((h) => !done.has(h.stream));
  }
}

/** Cross-links until no stream is left unlisted (a few runs at most). */
export async function crossLinkAll(db: Db, clock: Clock): Promise<number> {
  let n = 0;
  for (let i = 0; i < 50; i++) {
    const link = await crossLink(db, clock);
    if (!link) break;
    n++;
    if (link.heads.length < MAX_STREAMS_PER_CROSS_LINK) break;
  }
  return n;
}
