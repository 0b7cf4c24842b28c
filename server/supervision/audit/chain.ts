// Pure hash-chain rules, shared by the writer and the verifier.
//
// Two event formats (column hash_v):
//   1  the single global chain (before 2026-12-04): the hash covers `seq`, the chain position;
//   2  one chain per stream: the hash covers `stream`, `stream_seq` and `anchor` (a global
//      cross-link hash woven into the stream) and not `seq`, which is the event's number
//      (its row id), given after the insert.
import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
/** The global chain: the pre-stream history and the cross-link events that list every stream's head. */
export const GLOBAL_STREAM = 'global';
export const PLATFORM_STREAM = 'platform';

export interface ChainedFields {
  seq: number;
  occurred_at: string;
  actor_id: number | null;
  actor_role: string;
  action: string;
  entity_type: string;
  entity_id: string;
  before_json: string | null;
  after_json: string | null;
  request_id: string | null;
  ip: string | null;
  /** 2 for per-stream events; absent or 1 for the pre-stream chain. */
  hash_v?: number;
  stream?: string;
  stream_seq?: number;
  anchor?: string | null;
}

/** Deterministic JSON: keys sorted at every level, so the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(',')}}`;
}

/**
 * The stream an event belongs to: each competition, tender, project and expert draw has its own
 * chain (and head row), everything else shares `platform`. Derived only from the entity, so the
 * verifier and any reader can recompute it.
 */
export function streamOf(entityType: string, entityId: string | number): string {
  switch (entityType) {
    case 'auction':
    case 'tender':
    case 'project':
    case 'draw':
      return `${entityType}:${entityId}`;
    default:
      return PLATFORM_STREAM;
  }
}

export function eventHash(prevHash: string, e: ChainedFields): string {
  const common = {
    occurred_at: e.occurred_at,
    actor_id: e.actor_id === null ? null : Number(e.actor_id),
    actor_role: e.actor_role,
    action: e.action,
    entity_type: e.entity_type,
    entity_id: String(e.entity_id),
    before_json: e.before_json,
    after_json: e.after_json,
    request_id: e.request_id,
    ip: e.ip,
  };
  const content = Number(e.hash_v ?? 1) === 2 ? canonicalJson({ v: 2, stream: e.stream, stream_seq: Number(e.stream_seq), anchor: e.anchor ?? null, ...common }) : canonicalJson({ seq: Number(e.seq), ...common });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
