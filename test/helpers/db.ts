// A fresh, migrated database per test file, in the dialect the run asks for
// (DB_CLIENT=mysql runs against MariaDB at DATABASE_URL, default mysql://root@127.0.0.1:3306/test).
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { openDb, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import type { DbClient } from '../../server/config';
import { withTx, type Tx } from '../../server/db/tx';

export const TEST_DIALECT: DbClient = process.env.DB_CLIENT === 'mysql' || process.env.DATABASE_URL?.startsWith('mysql') ? 'mysql' : 'sqlite';
const MYSQL_URL = process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
let counter = 0;

export interface TestDb {
  db: Db;
  dataDir: string;
  databaseUrl: string | null;
  sqliteFile: string | null;
  destroy(): Promise<void>;
}

export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-test-'));
  let db: Db;
  let databaseUrl: string | null = null;
  let sqliteFile: string | null = null;
  let dropDb = async () => {};
  if (TEST_DIALECT === 'mysql') {
    const name = `sp_t_${process.pid}_${++counter}`;
    const base = new URL(MYSQL_URL);
    const admin = knexFactory({ client: 'mysql2', connection: { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) } });
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    base.pathname = `/${name}`;
    databaseUrl = base.toString();
    db = openDb({ dbClient: 'mysql', databaseUrl, dataDir });
    dropDb = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    };
  } else {
    sqliteFile = path.join(dataDir, 'sunshine.sqlite'); // the default path, so scripts given DATA_DIR open it
    db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir }, { sqliteFile });
  }
  if (opts.migrate !== false) await migrateLatest(db);
  return {
    db,
    dataDir,
    databaseUrl,
    sqliteFile,
    async destroy() {
      await db.destroy();
      await dropDb();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `work` in a transaction and keeps that transaction open, its locks held, until `release()`
 * (a slow batch or bulk action that another transaction meets). Resolves once `work` has run;
 * `done` settles when the transaction has ended.
 */
export async function holdOpen(db: Db, work: (tx: Tx) => Promise<unknown>): Promise<{ release(): void; done: Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let ready!: () => void;
  let failed!: (err: unknown) => void;
  const workDone = new Promise<void>((r, j) => ((ready = r), (failed = j)));
  const done = withTx(db, async (tx) => {
    await work(tx);
    ready();
    await held;
  });
  done.catch(failed);
  await workDone;
  return { release, done };
}
