// Timed workflow work goes through the durable scheduler (scheduled_jobs), written inside the
// transaction that creates the deadline. Services take only (tx, actor), so the execution wing
// can call them from its own transactions; the handlers are registered in module.ts.
import type { Tx } from '../../db/tx';
import type { Clock } from '../../db/time';
import { Scheduler } from '../../scheduler/scheduler';
import { createLogger } from '../../http/log';

export const JOB = {
  advance: 'workflow.project_advance', // a period ended: move the project on (if still in that stage)
  stageDue: 'workflow.stage_due', // a stage's time limit passed: step.overdue if still in it
  approvalDue: 'workflow.approval_due', // an approval step's time limit passed
  challengeDue: 'workflow.challenge_reply_due', // a challenge's reply is late
  financeDeliver: 'finance.outbox_deliver',
} as const;

const silent = createLogger('silent');

export async function scheduleJob(tx: Tx, clock: Clock, job: { kind: string; key: string; runAt: Date; payload: unknown }): Promise<void> {
  // schedule() only writes the row (created_at from this clock); the platform's scheduler runs it.
  await new Scheduler({ db: tx as never, clock, log: silent }).schedule(tx, job);
}

export async function cancelJob(tx: Tx, clock: Clock, key: string): Promise<void> {
  await new Scheduler({ db: tx as never, clock, log: silent }).cancel(tx, key);
}
