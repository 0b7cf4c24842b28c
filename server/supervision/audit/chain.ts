// Pure hash-chain rules, shared by the writer and the verifier.
import crypto from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

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

export function eventHash(prevHash: string, e: ChainedFields): string {
  const content = canonicalJson({
    seq: Number(e.seq),
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
  });
  return crypto.createHash('sha256').update(prevHash).update('\n').update(content).digest('hex');
}
