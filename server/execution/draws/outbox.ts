// Delivery of the sealed notification outbox (SMS, e-mail). The row holds only ciphertext; the
// message is opened in memory and handed to the transport, and nothing of it is logged.
import type { Db } from '../../db/knex';
import { toDbTime, type Clock } from '../../db/time';
import type { Sealer } from './seal';

export interface OutboxMessage {
  channel: 'sms' | 'email';
  to: string;
  subject: string | null;
  body: string;
}

/** An SMS gateway or SMTP client; throws to have the message retried. */
export interface OutboxTransport {
  send(message: OutboxMessage): Promise<void>;
}

const MAX_ATTEMPTS = 5;
export const OUTBOX_JOB = 'draw.outbox.deliver';
export const OUTBOX_KEY = 'draw-outbox';
export const OUTBOX_RETRY_MS = 60_000;

let registered: OutboxTransport | null = null;
/** The deployment plugs its SMS gateway / SMTP client in here at start-up; until then messages wait. */
export function registerOutboxTransport(t: OutboxTransport | null): void {
  registered = t;
}
export function outboxTransport(): OutboxTransport | null {
  return registered;
}

export async function deliverOutbox(db: Db, sealer: Sealer, transport: OutboxTransport, clock: Clock, limit = 50): Promise<{ sent: number; failed: number }> {
  const rows = await db('draw_notification_outbox').where({ status: 'pending' }).orderBy('id').limit(limit);
  let sent = 0;
  let failed = 0;
  for (const row of rows) {
    // Claim the row so two workers never send the same message.
    const claimed = await db('draw_notification_outbox').where({ id: row.id, status: 'pending', attempts: row.attempts }).update({ attempts: row.attempts + 1 });
    if (claimed !== 1) continue;
    try {
      await transport.send(sealer.open<OutboxMessage>(row.payload_sealed, 'draw-outbox'));
      await db('draw_notification_outbox').where({ id: row.id }).update({ status: 'sent', sent_at: toDbTime(clock.now()), last_error: null });
      sent++;
    } catch (err) {
      failed++;
      const giveUp = row.attempts + 1 >= MAX_ATTEMPTS;
      // The error text is the transport's, never the message.
      await db('draw_notification_outbox').where({ id: row.id }).update({ status: giveUp ? 'failed' : 'pending', last_error: String((err as Error).message).slice(0, 500) });
    }
  }
  return { sent, failed };
}
