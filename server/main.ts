// Entry point: config → database (migrate, seed when empty) → platform → listen.
import { loadConfig, ConfigError, clusterNamespace } from './config';
import { createBus } from './realtime/bus';
import { openDb } from './db/knex';
import { migrateLatest } from './db/migrate';
import { createPlatform } from './platform';
import { createLogger } from './http/log';
import { systemClock } from './db/time';
import { ensureDemoCity } from '../db/seeds/first-start';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  const db = openDb(config);
  const applied = await migrateLatest(db);
  if (applied.length) log.info('migrations applied', { migrations: applied });
  // Cluster mode: the nodes sharing this database share a bus (REDIS_URL); else an in-process one.
  const bus = await createBus({ redisUrl: config.redisUrl, nodeId: config.nodeId, log, namespace: clusterNamespace(config) });
  if (bus.clustered) log.info('cluster mode', { nodeId: config.nodeId, namespace: clusterNamespace(config) });
  const platform = createPlatform({ config, db, log, bus });
  if (config.seedDemo) {
    // All or nothing: a seed that fails names its step, and the next start seeds again.
    const summary = await ensureDemoCity(db, systemClock, platform, log);
    if (summary) log.info('demo data loaded', { ...summary });
  }
  const url = await platform.listen();
  log.info(`Sunshine Procurement listening on ${url.replace('127.0.0.1', config.host === '0.0.0.0' ? 'localhost' : config.host)} (db: ${config.dbClient})`);

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal: sig });
    await platform.close();
    await bus.close();
    await db.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error(`Start-up failed: ${(err as Error).message}`);
  process.exit(1);
});
