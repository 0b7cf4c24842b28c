// Starts a whole platform on a fresh test database, on a random port, with a manual clock.
import { createTestDb, type TestDb } from './db';
import { createPlatform, type Platform } from '../../server/platform';
import { parseEnv, type Config } from '../../server/config';
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
