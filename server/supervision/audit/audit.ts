// The one audit module. Every state change calls record() inside the transaction that makes
// the change, so the audit row and the change commit or roll back together.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import { forUpdate } from '../../db/knex';
import { toDbTime } from '../../db/time';
import { canonicalJson, eventHash, type ChainedFields } from './chain';
import type { Actor } from '../../http/actor';

export interface AuditInput {
  action: string; // domain verb, e.g. 'requisition.submitted'
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  /** Who acted, when a batch carries several actors (e.g. bids of many suppliers in one commit). */
  actor?: Actor;
}

export interface AuditEvent extends ChainedFields {
  id: number;
  prev_hash: string;
  hash: string;
}

type Listener = (events: AuditEvent[]) => void;
const listeners = new Set<Listener>();

/** Supervision subscribes here to evaluate red flags on live events (after commit only). */
export function onAuditEvents(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export async function record(tx: Tx, actor: Actor, input: AuditInput, at?: Date): Promise<AuditEvent> {
  const [e] = await recordMany(tx, actor, [input], at);
  return e;
}

/** Appends several events in one chain step (bulk seeding, batch jobs). */
export async function recordMany(tx: Tx, actor: Actor, inputs: AuditInput[], at?: Date): Promise<AuditEvent[]> {
  if (inputs.length === 0) return [];
  const head = await forUpdate(tx, tx('audit_chain_head').where({ id: 1 })).first();
  if (!head) throw new Error('audit chain head missing: migrations not applied');
  let seq = Number(head.last_seq);
  let prev = String(head.last_hash);
  const occurred = toDbTime(at ?? actor.clock.now());
  const rows: Array<Omit<AuditEvent, 'id'>> = [];
  for (const input of inputs) {
    seq += 1;
    const who = input.actor ?? actor;
    const fields: ChainedFields = {
      seq,
      occurred_at: occurred,
      actor_id: who.userId,
      actor_role: who.role,
      action: input.action,
      entity_type: input.entityType,
      entity_id: String(input.entityId),
      before_json: input.before === undefined ? null : canonicalJson(input.before),
      after_json: input.after === undefined ? null : canonicalJson(input.after),
      request_id: who.requestId,
      ip: who.ip,
    };
    const hash = eventHash(prev, fields);
    rows.push({ ...fields, prev_hash: prev, hash });
    prev = hash;
  }
  for (let i = 0; i < rows.length; i += 500) await tx('audit_events').insert(rows.slice(i, i + 500));
  await tx('audit_chain_head').where({ id: 1 }).update({ last_seq: seq, last_hash: prev });
  const events = rows.map((r) => ({ ...r, id: 0 })) as AuditEvent[];
  if (listeners.size) tx.afterCommit(() => listeners.forEach((l) => l(events)));
  return events;
}

export interface VerifyResult {
  intact: boolean;
  events: number;
  brokenAt?: { seq: number; id: number; reason: string };
}

/** Walks the whole chain in seq order, in pages, and reports the first broken link. */
export async function verifyChain(db: Knex, pageSize = 5000): Promise<VerifyResult> {
  let prev = '0'.repeat(64);
  let expectSeq = 1;
  let count = 0;
  for (;;) {
    const rows: AuditEvent[] = await db('audit_events').where('seq', '>=', expectSeq).orderBy('seq').limit(pageSize);
    if (rows.length === 0) break;
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== expectSeq) return { intact: false, events: count, brokenAt: { seq: expectSeq, id: Number(r.id), reason: `event ${expectSeq} is missing (next is ${seq})` } };
      if (r.prev_hash !== prev) return { intact: false, events: count, brokenAt: { seq, id: Number(r.id), reason: 'prev_hash does not match the previous event' } };
      const h = eventHash(prev, r);
      if (h !== r.hash) return { intact: false, events: count, brokenAt: { seq, id: Number(r.id), reason: 'content does not match its hash (event altered)' } };
      prev = r.hash;
      expectSeq++;
      count++;
    }
  }
  const head = await db('audit_chain_head').where({ id: 1 }).first();
  if (head && (Number(head.last_seq) !== count || head.last_hash !== prev)) {
    return { intact: false, events: count, brokenAt: { seq: count + 1, id: 0, reason: 'chain head does not match the last event (events removed from the end)' } };
  }
  return { intact: true, events: count };
}
