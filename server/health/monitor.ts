// The platform's own view of its dependencies, for readiness, for the operators' screens and
// for the auction sequencer (which sheds bids and suspends competitions when the database is
// gone). Every check has a short time limit and never leaves a connection behind: a probe that
// does not answer breaks its connection, so a stalled database cannot drain the pool.
import type { Db } from '../db/knex';
import { abortRawConnection, abortTransaction } from '../db/knex';
import { withTx } from '../db/tx';
import { toDbTime, type Clock } from '../db/time';
import type { Logger } from '../http/log';
import type { Limits } from '../config';
import { DbTimeoutError, isDbUnavailable, withTimeout } from '../db/faults';

export type DependencyState = 'ok' | 'slow' | 'down';

export interface DependencyCheck {
  status: DependencyState;
  latencyMs: number | null;
  error?: string;
}

export interface PlatformStatus {
  status: 'ready' | 'unavailable';
  checkedAt: string;
  /** Names of the dependencies that are down or slow, with why. */
  problems: string[];
  database: DependencyCheck & { dialect: string };
  /** A write transaction through the audit chain head's lock, committed: what every state change needs. */
  commit: DependencyCheck;
  /** What the registered sources report (the bid sequencer: queue, batch in commit, refusals). */
  sources: Record<string, SourceReport>;
  /** Since when the database has been unreachable (null: it is reachable). */
  outage: { since: string; ms: number } | null;
}

export interface SourceReport {
  status: DependencyState;
  reason?: string;
  [k: string]: unknown;
}

type Listener = (s: PlatformStatus) => void;

export class HealthMonitor {
  private sources = new Map<string, () => SourceReport>();
  private listeners = new Set<Listener>();
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<PlatformStatus> | null = null;
  private last: PlatformStatus | null = null;
  private lastAt = 0;
  /** performance.now() of the first failed probe of the current outage. */
  private downSince: number | null = null;
  private downSinceWall: Date | null = null;
  private lastConnectError: { at: number; err: unknown } | null = null;

  constructor(private deps: { db: Db; clock: Clock; log: Logger; limits: Pick<Limits, 'healthTimeoutMs' | 'commitSlowMs'> }) {}

  /** A part of the platform that reports its own state (e.g. 'bids' from the auction sequencer). */
  addSource(name: string, report: () => SourceReport): void {
    this.sources.set(name, report);
  }

  /** Called with every fresh status (periodic checks and on-demand ones). */
  onStatus(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** The last status (null before the first check). */
  get current(): PlatformStatus | null {
    return this.last;
  }

  /** The database is known to be unreachable now. */
  get dbDown(): boolean {
    return this.downSince !== null;
  }

  /** How long the current outage has lasted (0 when there is none). */
  get outageMs(): number {
    return this.downSince === null ? 0 : performance.now() - this.downSince;
  }

  get outageStartedAt(): Date | null {
    return this.downSinceWall;
  }

  /**
   * A caller saw the database fail (e.g. a bid batch): check now rather than at the next tick,
   * so shedding starts within one probe.
   */
  reportFailure(err: unknown): void {
    if (!isDbUnavailable(err)) return;
    void this.check().catch(() => undefined);
  }

  start(intervalMs = 1000): void {
    if (this.timer) return;
    const tick = () => {
      void this.check()
        .catch((e) => this.deps.log.error('health check failed', { error: (e as Error).message }))
        .finally(() => {
          if (this.timer) {
            this.timer = setTimeout(tick, intervalMs);
            this.timer.unref();
          }
        });
    };
    this.timer = setTimeout(tick, 0);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** A fresh status (checks running at the same time share one probe; one under 200 ms old is reused). */
  check(maxAgeMs = 200): Promise<PlatformStatus> {
    if (this.inflight) return this.inflight;
    if (this.last && performance.now() - this.lastAt < maxAgeMs) return Promise.resolve(this.last);
    this.inflight = this.run().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async run(): Promise<PlatformStatus> {
    const { db, clock, limits } = this.deps;
    const database = { ...(await this.probeDatabase()), dialect: db.dialect };
    // No commit probe against a database that does not answer at all.
    const commit: DependencyCheck = database.status === 'down' ? { status: 'down', latencyMs: null, error: 'database unreachable' } : await this.probeCommit();
    const now = performance.now();
    if (database.status === 'down') {
      if (this.downSince === null) {
        this.downSince = now;
        this.downSinceWall = clock.now();
        this.deps.log.warn('database unreachable', { error: database.error });
      }
    } else if (this.downSince !== null) {
      this.deps.log.warn('database reachable again', { outageMs: Math.round(now - this.downSince) });
      this.downSince = null;
      this.downSinceWall = null;
    }
    const sources: Record<string, SourceReport> = {};
    for (const [name, report] of this.sources) {
      try {
        sources[name] = report();
      } catch (e) {
        sources[name] = { status: 'down', reason: (e as Error).message };
      }
    }
    const problems: string[] = [];
    if (database.status !== 'ok') problems.push(`database ${database.status}${database.error ? `: ${database.error}` : ''}`);
    if (commit.status !== 'ok' && database.status !== 'down') problems.push(`commit ${commit.status}${commit.error ? `: ${commit.error}` : commit.latencyMs !== null ? ` (${commit.latencyMs} ms > ${limits.commitSlowMs} ms)` : ''}`);
    for (const [name, s] of Object.entries(sources)) if (s.status !== 'ok') problems.push(`${name} ${s.status}${s.reason ? `: ${s.reason}` : ''}`);
    const status: PlatformStatus = {
      status: problems.length ? 'unavailable' : 'ready',
      checkedAt: clock.now().toISOString(),
      problems,
      database,
      commit,
      sources,
      outage: this.downSince === null ? null : { since: this.downSinceWall!.toISOString(), ms: Math.round(now - this.downSince) },
    };
    this.last = status;
    this.lastAt = performance.now();
    for (const l of this.listeners) {
      try {
        l(status);
      } catch (e) {
        this.deps.log.error('health listener failed', { error: (e as Error).message });
      }
    }
    return status;
  }

  /**
   * SELECT 1 on a connection of its own, within the time limit. A connection that takes the
   * query and does not answer is broken (the database stalled: down); no free connection in
   * time is "slow" unless opening connections has been failing (down).
   */
  private async probeDatabase(): Promise<DependencyCheck> {
    const { db, limits } = this.deps;
    const ms = limits.healthTimeoutMs;
    const t0 = performance.now();
    const client = db.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<unknown> };
    let conn: unknown = null;
    let settled = false;
    const work = (async () => {
      let acquired: unknown;
      try {
        acquired = await client.acquireConnection();
      } catch (err) {
        if (isDbUnavailable(err)) this.lastConnectError = { at: performance.now(), err };
        throw err;
      }
      this.lastConnectError = null;
      if (settled) {
        // Too late: the caller has moved on. Hand the connection back unused.
        await client.releaseConnection(acquired);
        return;
      }
      conn = acquired;
      try {
        await db.raw('select 1').connection(acquired);
      } finally {
        await client.releaseConnection(acquired);
      }
    })();
    try {
      await withTimeout(work, ms, 'database check');
      return { status: 'ok', latencyMs: Math.round(performance.now() - t0) };
    } catch (err) {
      settled = true;
      work.catch(() => undefined);
      if (err instanceof DbTimeoutError) {
        if (conn) {
          // SQLite runs in this process: a busy file is slow, never unreachable.
          if (db.dialect === 'sqlite') return { status: 'slow', latencyMs: null, error: `no answer within ${ms} ms` };
          abortRawConnection(conn, 'health check timed out');
          return { status: 'down', latencyMs: null, error: `the database took the query and gave no answer within ${ms} ms` };
        }
        const recent = this.lastConnectError && performance.now() - this.lastConnectError.at < 10_000 ? this.lastConnectError.err : null;
        if (recent) return { status: 'down', latencyMs: null, error: describe(recent) };
        return { status: 'slow', latencyMs: null, error: `no free database connection within ${ms} ms` };
      }
      return { status: isDbUnavailable(err) || db.dialect === 'mysql' ? 'down' : 'slow', latencyMs: null, error: describe(err) };
    }
  }

  /**
   * One small write transaction, committed: the database's commit latency (a stalled server, a slow
   * disk). It takes no audit stream head: since the audit trail has one chain per stream, a lock
   * held on one stream (a long bulk action on `platform`, one competition) stalls only that
   * stream's writers, and must not make the load balancer drain a node whose bids still commit.
   */
  private async probeCommit(): Promise<DependencyCheck> {
    const { db, clock, limits } = this.deps;
    const ms = Math.max(limits.healthTimeoutMs, limits.commitSlowMs * 2);
    const t0 = performance.now();
    let abandoned = false;
    let txRef: import('knex').Knex.Transaction | null = null;
    const work = withTx(
      db,
      async (tx) => {
        if (abandoned) throw new DbTimeoutError('commit probe', ms);
        txRef = tx;
        await tx('platform_probe').where({ id: 1 }).update({ probes: tx.raw('probes + 1'), probed_at: toDbTime(clock.now()) });
      },
      { retries: 0 },
    );
    try {
      await withTimeout(work, ms, 'commit probe');
      const latencyMs = Math.round(performance.now() - t0);
      return { status: latencyMs > limits.commitSlowMs ? 'slow' : 'ok', latencyMs };
    } catch (err) {
      abandoned = true;
      work.catch(() => undefined);
      if (err instanceof DbTimeoutError) {
        if (txRef) await abortTransaction(txRef).catch(() => undefined);
        return { status: 'slow', latencyMs: Math.round(performance.now() - t0), error: `no commit within ${ms} ms (a lock held, or the database stalled)` };
      }
      return { status: isDbUnavailable(err) ? 'down' : 'slow', latencyMs: null, error: describe(err) };
    }
  }
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return `${e?.code ? `${e.code}: ` : ''}${(e?.message ?? String(err)).slice(0, 160)}`;
}
