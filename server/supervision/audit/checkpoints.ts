// Signed checkpoints of the audit chain head (issue 16). At a fixed interval and at the end of
// each China day the platform signs the head (seq, hash, time) with its Ed25519 key (outside the
// database), keeps the checkpoint, publishes it on the portal and sends a copy to the finance
// bureau through the finance link's outbox. Whoever saved a checkpoint can later check the
// database's chain against it: a consistent rewrite (hashes and head recomputed) changes the
// hash of the first rewritten event, which the checkpoint's event hashes name.
import crypto from 'node:crypto';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { forUpdate } from '../../db/knex';
import { withTx } from '../../db/tx';
import type { Clock } from '../../db/time';
import { systemActor } from '../../http/actor';
import { enqueue } from '../../core/finance/outbox';
import type { Tx } from '../../db/tx';
import { CROSS_LINK_ACTION, record, verifyChain } from './audit';
import { GLOBAL_STREAM } from './chain';
import { crossLinkAll } from './cross-links';
import { checkpointProblem, keyIdOf, signCheckpoint, signingKeyFromSeed, type Checkpoint, type PublicKeyInfo, type SigningKey } from './checkpoint-format';

export const CHECKPOINT_JOB = 'audit.checkpoint';
export const CHECKPOINT_EVENT = 'audit.checkpoint';
/** Events that only follow a checkpoint (its own record, its delivery): no new interval checkpoint for them alone. */
const HOUSEKEEPING = new Set(['audit.checkpoint_signed', 'finance.webhook_delivered', 'finance.webhook_failed', 'finance.webhook_waiting']);

/** The platform's checkpoint key: AUDIT_SIGNING_KEY (or DATA_DIR/secrets.json); a Config built in code derives one from the seal key. */
export function auditSigningKey(config: Pick<Config, 'secrets'>): SigningKey {
  const seed = config.secrets.auditSigningKey ?? Buffer.from(crypto.hkdfSync('sha256', Buffer.from(config.secrets.sealKey, 'hex'), Buffer.alloc(0), 'sunshine/audit-checkpoint-ed25519/v1', 32)).toString('hex');
  return signingKeyFromSeed(seed);
}

export function checkpointFromRow(r: any, withHashes = true): Checkpoint {
  const all = String(r.event_hashes ?? '');
  return {
    seq: Number(r.seq),
    hash: r.hash,
    fromSeq: Number(r.from_seq),
    eventHashes: withHashes ? (all.match(/.{64}/g) ?? []) : [],
    signedAt: r.signed_at,
    reason: r.reason,
    keyId: r.key_id,
    signature: r.signature,
  };
}

/** Most events one checkpoint covers: a longer stretch is signed as several checkpoints, each a prefix of the chain. */
export const MAX_EVENTS_PER_CHECKPOINT = 5_000;
/** Most checkpoints one run signs (the next run continues). */
const MAX_CHECKPOINTS_PER_RUN = 40;

/**
 * Signs the global chain's head, after a cross-link so it covers every stream's head as of now.
 * Returns the last checkpoint signed, or null when there is nothing new to sign (an empty chain,
 * the head already signed, or for an interval checkpoint only the last checkpoint's own events).
 * More than MAX_EVENTS_PER_CHECKPOINT new global events are signed as several checkpoints (a
 * chain's prefix ends at any event, whose hash is that prefix's head). Checkpoint positions
 * (`seq`, `fromSeq`) are positions in the global chain (its `stream_seq`), which for the events
 * before streams existed are their seq.
 */
export async function makeCheckpoint(db: Db, key: SigningKey, clock: Clock, reason: 'interval' | 'day_end' | 'manual', opts: { maxEventsPerCheckpoint?: number } = {}): Promise<Checkpoint | null> {
  const maxEvents = opts.maxEventsPerCheckpoint ?? MAX_EVENTS_PER_CHECKPOINT;
  const actor = systemActor('audit-checkpoint', clock);
  await crossLinkAll(db, clock);
  return withTx(db, async (tx) => {
    const head = await forUpdate(tx, tx('audit_chain_head').where({ id: 1 })).first();
    const headSeq = Number(head?.last_seq ?? 0);
    if (headSeq === 0) return null;
    const last = await tx('audit_checkpoints').orderBy('seq', 'desc').first();
    let fromSeq = last ? Number(last.seq) + 1 : 1;
    if (fromSeq > headSeq) return null;
    if (reason === 'interval' && last && headSeq - fromSeq < 20 && (await onlyHousekeeping(tx, fromSeq))) return null;
    let made: Checkpoint | null = null;
    for (let n = 0; n < MAX_CHECKPOINTS_PER_RUN && fromSeq <= headSeq; n++) {
      const toSeq = Math.min(headSeq, fromSeq + maxEvents - 1);
      const rows: Array<{ hash: string }> = await globalEvents(tx, fromSeq, toSeq).select('hash');
      if (rows.length !== toSeq - fromSeq + 1 || (toSeq === headSeq && rows[rows.length - 1].hash !== head.last_hash)) throw new Error(`audit chain does not match its head at ${toSeq}: run npm run audit:verify`);
      const cp = signCheckpoint(key, { seq: toSeq, hash: rows[rows.length - 1].hash, fromSeq, eventHashes: rows.map((r) => r.hash), signedAt: clock.now().toISOString(), reason });
      const [id] = await tx('audit_checkpoints').insert({ seq: cp.seq, hash: cp.hash, from_seq: cp.fromSeq, event_hashes: cp.eventHashes.join(''), signed_at: cp.signedAt, reason: cp.reason, key_id: cp.keyId, signature: cp.signature });
      const { eventHashes: _h, ...summary } = cp;
      await record(tx, actor, { action: 'audit.checkpoint_signed', entityType: 'audit_checkpoint', entityId: Number(id), after: { ...summary, events: cp.eventHashes.length } });
      // A second institution keeps a copy: the finance bureau's system, through the outbox.
      await enqueue(tx, actor, CHECKPOINT_EVENT, { checkpoint: cp, publicKey: key.publicKey });
      made = cp;
      fromSeq = toSeq + 1;
    }
    return made;
  });
}

/** The global chain's events at positions from..to, in order. */
export function globalEvents(db: Db | Tx, fromSeq: number, toSeq: number) {
  return db('audit_events').where({ stream: GLOBAL_STREAM }).where('stream_seq', '>=', fromSeq).where('stream_seq', '<=', toSeq).orderBy('stream_seq');
}

/** True when the global events from `fromSeq` on record only what follows a checkpoint (its own record, its delivery). */
async function onlyHousekeeping(tx: Tx, fromSeq: number): Promise<boolean> {
  const rows: any[] = await tx('audit_events').where({ stream: GLOBAL_STREAM }).where('stream_seq', '>=', fromSeq).select('action', 'after_json');
  for (const r of rows) {
    if (r.action !== CROSS_LINK_ACTION) {
      if (!HOUSEKEEPING.has(r.action)) return false;
      continue;
    }
    for (const h of (JSON.parse(r.after_json).heads ?? []) as Array<{ stream: string; from: number; seq: number }>) {
      const actions: Array<{ action: string }> = await tx('audit_events').where({ stream: h.stream }).whereBetween('stream_seq', [h.from, h.seq]).select('action');
      if (!actions.every((a) => HOUSEKEEPING.has(a.action))) return false;
    }
  }
  return true;
}

export interface CheckpointFile {
  publicKey?: Partial<PublicKeyInfo> & { hex?: string };
  items?: Checkpoint[];
  checkpoints?: Checkpoint[];
}

export interface CheckpointCheck {
  intact: boolean;
  /** Checkpoints whose signature verified and whose events all match the database. */
  checkpointsMatched: number;
  checkpoints: number;
  chain: Awaited<ReturnType<typeof verifyChain>>;
  /** The first event whose hash differs from what a signed checkpoint recorded (or that is missing). */
  firstRewritten?: {
    /** Position in the global chain. */
    seq: number;
    id: number | null;
    action: string | null;
    entityType: string | null;
    entityId: string | null;
    checkpointSeq: number;
    signedAt: string;
    expectedHash: string;
    actualHash: string | null;
    /** When it is a cross-link: the streams' events it lists (as it reads now); the rewritten event is among them or in the cross-link itself. */
    lists?: Array<{ stream: string; from: number; seq: number }>;
  };
  problems: string[];
}

/** Reads checkpoints from what the API, the finance simulator or a saved file holds. */
export function checkpointsOf(file: CheckpointFile | Checkpoint[]): { publicKeyHex: string | null; checkpoints: Checkpoint[] } {
  if (Array.isArray(file)) return { publicKeyHex: null, checkpoints: file };
  return { publicKeyHex: file.publicKey?.hex ?? null, checkpoints: file.items ?? file.checkpoints ?? [] };
}

/**
 * Checks the database's chain against saved checkpoints: each checkpoint's signature (under the
 * given key, or the file's), then each covered event's hash in the database.
 */
export async function verifyAgainstCheckpoints(db: Db, file: CheckpointFile | Checkpoint[], opts: { publicKeyHex?: string } = {}): Promise<CheckpointCheck> {
  const { publicKeyHex: fileKey, checkpoints } = checkpointsOf(file);
  const keyHex = opts.publicKeyHex ?? fileKey;
  const problems: string[] = [];
  if (!keyHex) problems.push('no public key: give --public-key or a file with publicKey.hex');
  if (opts.publicKeyHex && fileKey && opts.publicKeyHex.toLowerCase() !== fileKey.toLowerCase()) problems.push(`the file's public key ${keyIdOf(fileKey)} is not the one given (${keyIdOf(opts.publicKeyHex)})`);
  const chain = await verifyChain(db);
  const result: CheckpointCheck = { intact: false, checkpointsMatched: 0, checkpoints: checkpoints.length, chain, problems };
  const sorted = [...checkpoints].sort((a, b) => a.seq - b.seq);
  for (const cp of sorted) {
    const bad = keyHex ? checkpointProblem(keyHex, cp) : 'no key';
    if (bad) {
      problems.push(`checkpoint at ${cp.seq} (${cp.signedAt}) is not usable: ${bad}`);
      continue;
    }
    const rows: any[] = await globalEvents(db, cp.fromSeq, cp.seq).select('id', 'stream_seq', 'hash', 'action', 'entity_type', 'entity_id', 'after_json');
    const bySeq = new Map(rows.map((r) => [Number(r.stream_seq), r]));
    let mismatch: CheckpointCheck['firstRewritten'] | undefined;
    for (let i = 0; i < cp.eventHashes.length; i++) {
      const seq = cp.fromSeq + i;
      const r = bySeq.get(seq);
      if (!r || r.hash !== cp.eventHashes[i]) {
        mismatch = { seq, id: r ? Number(r.id) : null, action: r?.action ?? null, entityType: r?.entity_type ?? null, entityId: r?.entity_id ?? null, checkpointSeq: cp.seq, signedAt: cp.signedAt, expectedHash: cp.eventHashes[i], actualHash: r?.hash ?? null };
        if (r?.action === CROSS_LINK_ACTION) mismatch.lists = (JSON.parse(r.after_json).heads ?? []).map((h: any) => ({ stream: h.stream, from: Number(h.from), seq: Number(h.seq) }));
        break;
      }
    }
    if (mismatch) {
      if (!result.firstRewritten || mismatch.seq < result.firstRewritten.seq) result.firstRewritten = mismatch;
    } else result.checkpointsMatched++;
  }
  result.intact = chain.intact && !result.firstRewritten && problems.length === 0;
  return result;
}

/** Schedules the interval and end-of-day checkpoint jobs if they are not pending already. */
export async function ensureCheckpointJobs(deps: { db: Db; clock: Clock; scheduler: { schedule: (tx: any, job: { kind: string; key: string; runAt: Date; payload?: unknown }) => Promise<void>; pending: (kind?: string) => Promise<Array<{ key: string; runAt: Date }>> }; minutes: number; nextDayEnd: (t: Date) => Date }): Promise<void> {
  const { db, clock, scheduler, minutes } = deps;
  if (minutes <= 0) return;
  const pending = await scheduler.pending(CHECKPOINT_JOB);
  const now = clock.now();
  const interval = pending.find((j) => j.key === 'audit-checkpoint:interval');
  if (!interval || interval.runAt.getTime() > now.getTime() + minutes * 60_000) {
    await scheduler.schedule(db, { kind: CHECKPOINT_JOB, key: 'audit-checkpoint:interval', runAt: new Date(now.getTime() + minutes * 60_000), payload: { reason: 'interval' } });
  }
  if (!pending.some((j) => j.key === 'audit-checkpoint:day-end')) {
    await scheduler.schedule(db, { kind: CHECKPOINT_JOB, key: 'audit-checkpoint:day-end', runAt: deps.nextDayEnd(now), payload: { reason: 'day_end' } });
  }
}
