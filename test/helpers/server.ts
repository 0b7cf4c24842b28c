// Starts a whole platform on a fresh test database, on a random port, with a manual clock;
// or several, as the nodes of a cluster (startTestCluster).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, TEST_DIALECT, type TestDb } from './db';
import { createPlatform, type Platform } from '../../server/platform';
import { parseEnv, clusterNamespace, type Config } from '../../server/config';
import { openDb, type Db } from '../../server/db/knex';
import { createBus, type ClusterBus } from '../../server/realtime/bus';
import { ManualClock, systemClock, type Clock } from '../../server/db/time';
import { seedDemo } from '../../db/seeds/demo';
import { createLogger } from '../../server/http/log';
import { TestClient, signedIn } from './http';

export interface TestServer {
  url: string;
  platform: Platform;
  tdb: TestDb;
  config: Config;
  clock: Clock;
  logs: string[];
  client(): TestClient;
  as(username: string): Promise<TestClient>;
  stop(): Promise<void>;
}

/** seed: 'small' (default) a small city's master data; 'city' the whole demo city's master data; 'demo' that and every module's demo data. */
export async function startTestServer(opts: { seed?: 'demo' | 'city' | 'small' | 'none'; clock?: Clock; env?: Record<string, string> } = {}): Promise<TestServer> {
  const tdb = await createTestDb();
  const clock = opts.clock ?? systemClock;
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test', ...opts.env });
  const config: Config = {
    ...base,
    dbClient: tdb.db.dialect,
    databaseUrl: tdb.databaseUrl,
    dataDir: tdb.dataDir,
    secrets: { sessionSecret: 'test-session-secret-0123456789abcdef', sealKey: 'ab'.repeat(32), financeHmacSecret: 'test-finance-secret-0123456789abcdef' },
  };
  const seed = opts.seed ?? 'small';
  if (seed !== 'none') await seedDemo(tdb.db, clock instanceof ManualClock ? clock : systemClock, seed === 'small' ? { experts: 40, suppliers: 21 } : {});
  const logs: string[] = [];
  // With a manual clock the test drives the scheduler (platform.scheduler.runDue()).
  const platform = createPlatform({ config, db: tdb.db, clock, log: createLogger('info', (l) => logs.push(l)), autoStartScheduler: !(clock instanceof ManualClock) });
  if (opts.seed === 'demo') await platform.seedModules();
  const url = await platform.listen(0, '127.0.0.1');
  return {
    url,
    platform,
    tdb,
    config,
    clock,
    logs,
    client: () => new TestClient(url),
    as: (username: string) => signedIn(url, username),
    async stop() {
      await platform.close();
      await tdb.destroy();
    },
  };
}

export interface TestNode {
  url: string;
  platform: Platform;
  config: Config;
  bus: ClusterBus;
  /** This node's own connection pool to the shared database. */
  db: Db;
  logs: string[];
  client(): TestClient;
  as(username: string): Promise<TestClient>;
}

export interface TestCluster {
  nodes: TestNode[];
  tdb: TestDb;
  clock: Clock;
  stop(): Promise<void>;
}

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * n platforms in this process as the nodes of one cluster: the same MariaDB database (each node
 * its own connection pool), a RedisBus each, its own DATA_DIR (nothing shared through the disk).
 * MariaDB only: a SQLite file is one machine's, which cluster mode refuses.
 */
export async function startTestCluster(n = 3, opts: { seed?: 'city' | 'small' | 'none'; clock?: Clock } = {}): Promise<TestCluster> {
  if (TEST_DIALECT !== 'mysql') throw new Error('a test cluster needs the shared MariaDB database (DB_CLIENT=mysql)');
  const tdb = await createTestDb();
  const clock = opts.clock ?? systemClock;
  const seed = opts.seed ?? 'small';
  if (seed !== 'none') await seedDemo(tdb.db, clock instanceof ManualClock ? clock : systemClock, seed === 'small' ? { experts: 40, suppliers: 21 } : {});
  const nodes: TestNode[] = [];
  const extra: Array<{ db: Db; dir: string }> = [];
  try {
    for (let i = 0; i < n; i++) {
      const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test', DATABASE_URL: tdb.databaseUrl!, REDIS_URL: TEST_REDIS_URL, NODE_ID: `node-${i + 1}` });
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sp-node${i + 1}-`));
      const config: Config = { ...base, dataDir, secrets: { sessionSecret: 'test-session-secret-0123456789abcdef', sealKey: 'ab'.repeat(32), financeHmacSecret: 'test-finance-secret-0123456789abcdef' } };
      const db = i === 0 ? tdb.db : openDb(config);
      extra.push({ db, dir: dataDir });
      const logs: string[] = [];
      const log = createLogger('info', (l) => logs.push(l));
      const bus = await createBus({ redisUrl: config.redisUrl, nodeId: config.nodeId, log, namespace: clusterNamespace(config) });
      const platform = createPlatform({ config, db, clock, log, bus, autoStartScheduler: !(clock instanceof ManualClock) });
      const url = await platform.listen(0, '127.0.0.1');
      nodes.push({ url, platform, config, bus, db, logs, client: () => new TestClient(url), as: (username: string) => signedIn(url, username) });
    }
  } catch (err) {
    for (const node of nodes) await node.platform.close().then(() => node.bus.close());
    await tdb.destroy();
    throw err;
  }
  return {
    nodes,
    tdb,
    clock,
    async stop() {
      for (const node of nodes) {
        await node.platform.close();
        await node.bus.close();
      }
      for (const [i, e] of extra.entries()) {
        if (i > 0) await e.db.destroy();
        fs.rmSync(e.dir, { recursive: true, force: true });
      }
      await tdb.destroy();
    },
  };
}
