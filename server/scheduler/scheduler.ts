// The scheduler: jobs live in scheduled_jobs; node-cron ticks every second and runs what is due.
// Because due jobs are found in the database, a job whose time passed while the server was
// down runs at the next start (catch-up). A job is claimed with a conditional UPDATE, so two
// nodes never run the same job at once. A claim is a lease: the claiming process (`locked_by`)
// renews `locked_at` while the handler runs; a job whose lease lapsed (its process died or
// stalled) is claimed again by whichever process ticks next, within seconds.
import os from 'node:os';
import crypto from 'node:crypto';
import cron from 'node-cron';
import type { Db } from '../db/knex';
import type { Tx } from '../db/tx';
import { toDbTime, fromDbTime, type Clock } from '../db/time';
import type { Logger } from '../http/log';

export interface Job<P = any> {
  id: number;
  kind: string;
  key: string;
  runAt: Date;
  payload: P;
  attempts: number;
}

export type JobHandler<P = any> = (job: Job<P>) => Promise<void>;

const MAX_ATTEMPTS = 8;
/** A claim not renewed for this long is taken over (the holder renews every LEASE_RENEW_MS). */
// Short, so a close or opening left by a dead node runs elsewhere within seconds of its time.
export const JOB_LEASE_MS = 4_000;
const LEASE_RENEW_MS = 1_000;

/** This process, as it signs its job claims: host, pid and a random part (a restart is a new holder). */
export const processId = () => `${os.hostname().slice(0, 40)}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;

export class Scheduler {
  private handlers = new Map<string, JobHandler>();
  private task: { stop(): void } | null = null;
  private running = false;
  /** Jobs this process holds now, renewed by the lease timer. */
  private held = new Set<number>();
  private renewTimer: NodeJS.Timeout | null = null;
  readonly holder: string;

  constructor(private deps: { db: Db; clock: Clock; log: Logger; holder?: string }) {
    this.holder = deps.holder ?? processId();
  }

  /** Register the handler for a job kind (at module construction). */
  define<P>(kind: string, handler: JobHandler<P>): void {
    this.handlers.set(kind, handler as JobHandler);
  }

  /** Schedule (or move) the job with this key, inside the caller's transaction. */
  async schedule(tx: Tx | Db, job: { kind: string; key: string; runAt: Date; payload?: unknown }): Promise<void> {
    const now = toDbTime(this.deps.clock.now());
    const row = { kind: job.kind, run_at: toDbTime(job.runAt), payload_json: JSON.stringify(job.payload ?? {}), status: 'pending', attempts: 0, last_error: null, locked_at: null, locked_by: null, finished_at: null };
    // One statement (insert, or update the job of that key): nodes starting together schedule
    // the same jobs at once, and a look-up then an insert let the second fail on the key.
    await tx('scheduled_jobs')
      .insert({ ...row, job_key: job.key, created_at: now })
      .onConflict('job_key')
      .merge(Object.keys(row));
  }

  async cancel(tx: Tx | Db, key: string): Promise<void> {
    await tx('scheduled_jobs').where({ job_key: key }).whereIn('status', ['pending', 'failed']).update({ status: 'cancelled', finished_at: toDbTime(this.deps.clock.now()) });
  }

  async pending(kind?: string): Promise<Job[]> {
    const q = this.deps.db('scheduled_jobs').where({ status: 'pending' }).orderBy('run_at');
    if (kind) q.where({ kind });
    return (await q).map(fromRow);
  }

  /** Runs every due job once; returns how many ran. Tests call this after moving the clock. */
  async runDue(limit = 100): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let ran = 0;
    try {
      const { db, clock, log } = this.deps;
      const now = clock.now();
      // Jobs whose holder stopped renewing (a crashed or stalled process) are released.
      await db('scheduled_jobs').where({ status: 'running' }).where('locked_at', '<', toDbTime(now.getTime() - JOB_LEASE_MS)).update({ status: 'pending', locked_at: null, locked_by: null });
      const due = await db('scheduled_jobs').where({ status: 'pending' }).where('run_at', '<=', toDbTime(now)).orderBy('run_at').orderBy('id').limit(limit);
      for (const row of due) {
        const claimed = await db('scheduled_jobs').where({ id: row.id, status: 'pending' }).update({ status: 'running', locked_at: toDbTime(clock.now()), locked_by: this.holder, attempts: row.attempts + 1 });
        if (claimed !== 1) continue;
        this.held.add(Number(row.id));
        const handler = this.handlers.get(row.kind);
        const job = fromRow({ ...row, attempts: row.attempts + 1 });
        try {
          if (!handler) throw new Error(`no handler for job kind ${row.kind}`);
          await handler(job);
          // The handler may have rescheduled the same key, and a lapsed lease may have passed the
          // job to another process: only finish it if it is still ours.
          await db('scheduled_jobs').where({ id: row.id, status: 'running', locked_by: this.holder }).update({ status: 'done', finished_at: toDbTime(clock.now()), last_error: null, locked_by: null });
          ran++;
        } catch (err) {
          const attempts = row.attempts + 1;
          const giveUp = attempts >= MAX_ATTEMPTS;
          const backoffMs = Math.min(10 * 60_000, 1000 * 2 ** attempts);
          log.warn('scheduled job failed', { kind: row.kind, key: row.job_key, attempts, error: (err as Error).message });
          await db('scheduled_jobs')
            .where({ id: row.id, status: 'running', locked_by: this.holder })
            .update({ status: giveUp ? 'failed' : 'pending', run_at: giveUp ? row.run_at : toDbTime(clock.now().getTime() + backoffMs), last_error: String((err as Error).message).slice(0, 2000), locked_at: null, locked_by: null });
        } finally {
          this.held.delete(Number(row.id));
        }
      }
    } finally {
      this.running = false;
    }
    return ran;
  }

  /** Renews the lease of every job this process is running (the timer calls it; tests may too). */
  async renewLeases(): Promise<void> {
    if (!this.held.size) return;
    await this.deps.db('scheduled_jobs').whereIn('id', [...this.held]).where({ status: 'running', locked_by: this.holder }).update({ locked_at: toDbTime(this.deps.clock.now()) });
  }

  /** Starts the once-a-second tick and the lease renewal, and catches up on anything missed while down. */
  async start(): Promise<void> {
    this.renewTimer = setInterval(() => void this.renewLeases().catch((e) => this.deps.log.warn('job lease renewal failed', { error: (e as Error).message })), LEASE_RENEW_MS);
    this.renewTimer.unref?.();
    await this.catchUp();
    this.task = cron.schedule('* * * * * *', () => void this.runDue().catch((e) => this.deps.log.error('scheduler tick failed', { error: (e as Error).message })), { noOverlap: true });
  }

  /**
   * Runs what fell due while the platform was down, until nothing is due: a step run late may
   * schedule the next one already due (a period that ended during the downtime is followed by the
   * next period, counted from when the first legally ended), and each would otherwise wait for
   * another tick, the state moving under the first users' feet for several seconds. Bounded.
   */
  async catchUp(maxRounds = 20): Promise<number> {
    let ran = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runDue();
      ran += n;
      if (n === 0) break;
    }
    return ran;
  }

  stop(): void {
    this.task?.stop();
    this.task = null;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
  }
}

function fromRow(r: any): Job {
  return { id: Number(r.id), kind: r.kind, key: r.job_key, runAt: fromDbTime(r.run_at)!, payload: JSON.parse(r.payload_json), attempts: r.attempts };
}
