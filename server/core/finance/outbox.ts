// Messages to the finance bureau: written in the transaction that causes them (nothing rolled
// back is ever sent), delivered by a scheduled job to the finance system's webhook, retried with
// exponential backoff until it answers 2xx. A finance system that is down loses nothing: the
// message waits in the outbox, and the same data can always be pulled (GET /api/finance/v1/...).
import crypto from 'node:crypto';
import type { Db } from '../../db/knex';
import { withTx, type Tx } from '../../db/tx';
import { toDbTime, isoFromDb, type Clock } from '../../db/time';
import type { Actor } from '../../http/actor';
import { record } from '../../supervision/audit/audit';
import { JOB, scheduleJob } from '../workflow/jobs';
import { signedHeaders } from './signature';

export const RETRY_BASE_MS = 30_000;
export const RETRY_MAX_MS = 60 * 60_000;
export const DELIVERY_TIMEOUT_MS = 5_000;

export function backoffMs(attempts: number): number {
  return Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

export async function enqueue(tx: Tx, actor: Actor, type: string, data: unknown): Promise<string> {
  const eventId = crypto.randomUUID();
  const now = actor.clock.now();
  const [id] = await tx('finance_outbox').insert({ event_id: eventId, event_type: type, payload_json: JSON.stringify(data), status: 'pending', attempts: 0, next_attempt_at: toDbTime(now), created_at: toDbTime(now) });
  await scheduleJob(tx, actor.clock, { kind: JOB.financeDeliver, key: `finance-outbox:${id}`, runAt: now, payload: { outboxId: Number(id) } });
  return eventId;
}

export async function webhookUrl(db: Db | Tx): Promise<string | null> {
  const r = await db('finance_settings').where({ setting_key: 'webhook_url' }).first();
  return r?.value ?? null;
}

/** The delivery job: one attempt; on failure the same job is rescheduled with backoff. */
export async function deliver(deps: { db: Db; clock: Clock; secret: string }, outboxId: number, actor: Actor): Promise<'delivered' | 'retry' | 'gone'> {
  const { db, clock } = deps;
  const row = await db('finance_outbox').where({ id: outboxId }).first();
  if (!row || row.status === 'delivered') return 'gone';
  const url = await webhookUrl(db);
  const body = { eventId: row.event_id, type: row.event_type, occurredAt: isoFromDb(row.created_at), data: JSON.parse(row.payload_json) };
  if (!url) {
    // Nothing to push to: the message waits for a pull, or for a webhook registration (which
    // schedules every pending message again).
    await withTx(db, async (tx) => {
      await tx('finance_outbox').where({ id: row.id }).update({ last_error: 'no webhook registered', next_attempt_at: null });
      await record(tx, actor, { action: 'finance.webhook_waiting', entityType: 'finance_outbox', entityId: row.id, after: { eventId: row.event_id, reason: 'no webhook registered' } });
    });
    return 'retry';
  }
  let error: string | null = null;
  {
    try {
      // Outside any transaction: a slow finance system must not hold database locks.
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(deps.secret, row.event_id, body, clock.now()) }, body: JSON.stringify(body), signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS) });
      if (!res.ok) error = `HTTP ${res.status}`;
      await res.body?.cancel().catch(() => {});
    } catch (e) {
      error = (e as Error).message.slice(0, 200);
    }
  }
  const attempts = Number(row.attempts) + 1;
  return withTx(db, async (tx) => {
    const now = clock.now();
    if (!error) {
      await tx('finance_outbox').where({ id: row.id, status: 'pending' }).update({ status: 'delivered', attempts, delivered_at: toDbTime(now), last_error: null });
      await record(tx, actor, { action: 'finance.webhook_delivered', entityType: 'finance_outbox', entityId: row.id, after: { eventId: row.event_id, type: row.event_type, attempts } });
      return 'delivered';
    }
    const next = new Date(now.getTime() + backoffMs(attempts));
    await tx('finance_outbox').where({ id: row.id }).update({ attempts, last_error: error, next_attempt_at: toDbTime(next) });
    await record(tx, actor, { action: 'finance.webhook_failed', entityType: 'finance_outbox', entityId: row.id, after: { eventId: row.event_id, attempts, error, nextAttemptAt: next.toISOString() } });
    await scheduleJob(tx, clock, { kind: JOB.financeDeliver, key: `finance-outbox:${row.id}`, runAt: next, payload: { outboxId: row.id } });
    return 'retry';
  });
}

/** A webhook was registered: every waiting message is scheduled for delivery now. */
export async function rescheduleAll(tx: Tx, clock: Clock): Promise<number> {
  const rows = await tx('finance_outbox').where({ status: 'pending' }).select('id');
  for (const r of rows) await scheduleJob(tx, clock, { kind: JOB.financeDeliver, key: `finance-outbox:${r.id}`, runAt: clock.now(), payload: { outboxId: Number(r.id) } });
  return rows.length;
}
