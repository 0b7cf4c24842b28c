// The demo city on first start, all or nothing: the master data and then every module's demo
// data, step by step, with the progress kept in demo_seed_runs. A start that finds a run that
// never completed (a failure, or a process killed halfway) clears the partial demo city by
// dropping every table and migrating afresh, and seeds again; so the next start always yields the whole
// city. Data that was not made by the demo seed is never touched.
import type { Db } from '../../server/db/knex';
import type { Clock } from '../../server/db/time';
import { toDbTime } from '../../server/db/time';
import type { Logger } from '../../server/http/log';
import { migrateLatest } from '../../server/db/migrate';
import { dropAllTables } from '../../server/db/reset';
import { isEmpty, seedDemo, type SeedSummary } from './demo';

export type DemoSeedState = 'empty' | 'complete' | 'incomplete' | 'not_demo';

export class DemoSeedError extends Error {
  constructor(
    public step: string,
    cause: Error,
  ) {
    super(`demo seed failed at step "${step}": ${cause.message} (the next start clears the partial demo data and seeds again)`, { cause });
  }
}

/** What a start finds: nothing yet, a finished demo city, a demo seed that never finished, or other data. */
export async function demoSeedState(db: Db): Promise<DemoSeedState> {
  return (await lastRun(db)).state;
}

async function lastRun(db: Db): Promise<{ state: DemoSeedState; step: string | null; status: string | null }> {
  const last = await db('demo_seed_runs').orderBy('id', 'desc').first();
  if (last) return { state: last.status === 'complete' ? 'complete' : 'incomplete', step: last.step, status: last.status };
  return { state: (await isEmpty(db)) ? 'empty' : 'not_demo', step: null, status: null };
}

/** The platform's part: each module's demo seed, in module order. */
export interface SeedablePlatform {
  modules: Array<{ name: string; seedDemo?: () => Promise<void> }>;
}

/**
 * Seeds the demo city if this database needs it. Returns the summary when it seeded, null when
 * there was nothing to do. Throws DemoSeedError naming the failed step.
 */
export async function ensureDemoCity(db: Db, clock: Clock, platform: SeedablePlatform, log: Logger): Promise<SeedSummary | null> {
  const last = await lastRun(db);
  if (last.state === 'complete' || last.state === 'not_demo') return null;
  if (last.state === 'incomplete') {
    log.warn('an earlier demo seed did not finish; clearing its partial data and seeding again', { step: last.step, status: last.status });
    await dropAllTables(db);
    await migrateLatest(db);
  }
  const [runId] = await db('demo_seed_runs').insert({ status: 'running', step: 'master_data', started_at: toDbTime(clock.now()) });
  const id = Number(runId);
  let step = 'master_data';
  try {
    const summary = await seedDemo(db, clock);
    for (const m of platform.modules) {
      if (!m.seedDemo) continue;
      step = m.name;
      await db('demo_seed_runs').where({ id }).update({ step });
      await m.seedDemo();
    }
    await db('demo_seed_runs').where({ id }).update({ status: 'complete', step: null, finished_at: toDbTime(clock.now()) });
    return summary;
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    // Best effort: a database that is down cannot take the note, and the 'running' row says enough.
    await db('demo_seed_runs')
      .where({ id })
      .update({ status: 'failed', step, error: e.message.slice(0, 1000), finished_at: toDbTime(clock.now()) })
      .catch(() => undefined);
    throw new DemoSeedError(step, e);
  }
}
