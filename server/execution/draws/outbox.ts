// Delivery of the sealed notification outbox (SMS, e-mail). The row holds only ciphertext; the
// message is opened in memory and handed to the transport, and nothing of it is logged.
import type { Db } from '../../db/knex';
import { toDbTime, type Clock } from '../../db/time';
import { withTx, type Tx } from '../../db/tx';
import { systemActor } from '../../http/actor';
import { record } from '../../supervision/audit/audit';
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
    const attempts = row.attempts + 1;
    // Audited with the outbox row's id and the attempt count only: the row is not linked to a
    // draw or an expert, and the audit must not be either while the draw is sealed.
    const outcome = (tx: Tx, status: 'sent' | 'retry' | 'failed') => record(tx, systemActor('draw-outbox', clock), { action: `draw.notification_${status}`, entityType: 'draw_notification', entityId: row.id, after: { channel: row.channel, attempts } });
    try {
      await transport.send(sealer.open<OutboxMessage>(row.payload_sealed, 'draw-outbox'));
      await withTx(db, async (tx) => {
        await tx('draw_notification_outbox').where({ id: row.id }).update({ status: 'sent', sent_at: toDbTime(clock.now()), last_error: null });
        await outcome(tx, 'sent');
      });
      sent++;
    } catch (err) {
      failed++;
      const giveUp = attempts >= MAX_ATTEMPTS;
      // The error text is the transport's, never the message (and it stays out of the audit).
      await withTx(db, async (tx) => {
        await tx('draw_notification_outbox').where({ id: row.id }).update({ status: giveUp ? 'failed' : 'pending', last_error: String((err as Error).message).slice(0, 500) });
        await outcome(tx, giveUp ? 'failed' : 'retry');
      });
    }
  }
  return { sent, failed };
}
