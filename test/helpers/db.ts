// A fresh, migrated database per test file, in the dialect the run asks for
// (DB_CLIENT=mysql runs against MariaDB at DATABASE_URL, default mysql://root@127.0.0.1:3306/test).
// Migrating costs 1.2-1.4 s on MariaDB (the DDL: about 40 migrations, 95 tables) and about 150 test
// files ask for a database, so the migrations run once into a template database named by a hash of
// the migration files, and each test database is a copy of it (its tables' own CREATE statements
// and rows, about 0.25 s). On SQLite the template is a file, copied. A test that migrates by itself
// (`migrate: false`) gets an empty database as before.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import knexFactory, { type Knex } from 'knex';
import { openDb, mysqlServer, type Db } from '../../server/db/knex';
import { migrateLatest, MIGRATIONS_DIR } from '../../server/db/migrate';
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

/** The migrations' identity: a template made from other migration files is never used. */
const migrationsHash = (() => {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).sort()) h.update(f).update('\0').update(fs.readFileSync(path.join(MIGRATIONS_DIR, f))).update('\0');
  return h.digest('hex').slice(0, 16);
})();
const migrationCount = fs.readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{8}-\d{4}-[\w-]+\.ts$/.test(f)).length;

function mysqlAdmin(base: URL, database?: string): Knex {
  return knexFactory({
    client: 'mysql2',
    connection: { ...mysqlServer(base), database, multipleStatements: true },
    pool: { min: 0, max: 1 },
  });
}

/** What a copy of the MariaDB template runs: every table's CREATE statement, the template's rows, its triggers. */
let mysqlTemplate: Promise<{ name: string; script: string }> | null = null;
function mysqlTemplateScript(base: URL): Promise<{ name: string; script: string }> {
  mysqlTemplate ??= (async () => {
    const name = `sp_tpl_${migrationsHash}`;
    const admin = mysqlAdmin(base);
    try {
      // Several test processes (and developers' runs) may want the same template at once: one builds.
      await admin.raw('SELECT GET_LOCK(?, 120) AS got', [name]);
      try {
        const done = await admin.raw('SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [name, 'knex_migrations']);
        const complete = Number(done[0][0].n) > 0 && Number((await admin.raw(`SELECT COUNT(*) AS n FROM \`${name}\`.knex_migrations`))[0][0].n) === migrationCount;
        if (!complete) {
          await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
          await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
          const tpl = openDb({ dbClient: 'mysql', databaseUrl: Object.assign(new URL(base.toString()), { pathname: `/${name}` }).toString(), dataDir: os.tmpdir() });
          try {
            await migrateLatest(tpl);
          } finally {
            await tpl.destroy();
          }
        }
      } finally {
        await admin.raw('SELECT RELEASE_LOCK(?)', [name]);
      }
      const tables: string[] = (await admin.raw("SELECT TABLE_NAME AS t FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME", [name]))[0].map((r: { t: string }) => r.t);
      const statements: string[] = ['SET FOREIGN_KEY_CHECKS = 0'];
      const copies: string[] = [];
      for (const t of tables) {
        statements.push((await admin.raw(`SHOW CREATE TABLE \`${name}\`.\`${t}\``))[0][0]['Create Table']);
        const rows = Number((await admin.raw(`SELECT COUNT(*) AS n FROM \`${name}\`.\`${t}\``))[0][0].n);
        if (rows > 0) copies.push(`INSERT INTO \`${t}\` SELECT * FROM \`${name}\`.\`${t}\``);
      }
      const triggers: string[] = (await admin.raw('SELECT TRIGGER_NAME AS t FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? ORDER BY TRIGGER_NAME', [name]))[0].map((r: { t: string }) => r.t);
      for (const t of triggers) copies.push((await admin.raw(`SHOW CREATE TRIGGER \`${name}\`.\`${t}\``))[0][0]['SQL Original Statement']);
      return { name, script: [...statements, ...copies, 'SET FOREIGN_KEY_CHECKS = 1'].join(';\n') };
    } finally {
      await admin.destroy();
    }
  })();
  mysqlTemplate.catch(() => (mysqlTemplate = null));
  return mysqlTemplate;
}

let copyChecked: Promise<void> | null = null;
async function schemaObjects(admin: Knex, schema: string): Promise<Record<string, number>> {
  const kinds: Record<string, string> = {
    tables: 'SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?',
    columns: 'SELECT COUNT(*) AS n FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?',
    indexColumns: 'SELECT COUNT(*) AS n FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?',
    foreignKeys: 'SELECT COUNT(*) AS n FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?',
    checks: 'SELECT COUNT(*) AS n FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ?',
    triggers: 'SELECT COUNT(*) AS n FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?',
    routines: 'SELECT COUNT(*) AS n FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?',
    events: 'SELECT COUNT(*) AS n FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?',
  };
  const out: Record<string, number> = {};
  for (const [k, q] of Object.entries(kinds)) out[k] = Number((await admin.raw(q, [schema]))[0][0].n);
  return out;
}

/** The SQLite template: a migrated file in the temp directory, written whole (rename) by one process. */
let sqliteTemplate: Promise<string> | null = null;
function sqliteTemplateFile(): Promise<string> {
  sqliteTemplate ??= (async () => {
    const file = path.join(os.tmpdir(), `sp-template-${migrationsHash}.sqlite`);
    if (fs.existsSync(file)) return file;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-template-'));
    const building = path.join(dir, 'sunshine.sqlite');
    const db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir: dir }, { sqliteFile: building });
    try {
      await migrateLatest(db);
      await db.raw('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      await db.destroy();
    }
    fs.renameSync(building, file); // atomic: a reader sees the whole file or none
    fs.rmSync(dir, { recursive: true, force: true });
    return file;
  })();
  sqliteTemplate.catch(() => (sqliteTemplate = null));
  return sqliteTemplate;
}

export async function createTestDb(opts: { migrate?: boolean } = {}): Promise<TestDb> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-test-'));
  const migrate = opts.migrate !== false;
  let db: Db;
  let databaseUrl: string | null = null;
  let sqliteFile: string | null = null;
  let dropDb = async () => {};
  if (TEST_DIALECT === 'mysql') {
    const name = `sp_t_${process.pid}_${++counter}`;
    const base = new URL(MYSQL_URL);
    const template = migrate ? await mysqlTemplateScript(base) : null;
    const admin = mysqlAdmin(base);
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    if (template) {
      const copy = mysqlAdmin(base, name);
      try {
        await copy.raw(template.script);
      } finally {
        await copy.destroy();
      }
      // Once per process: the copy has every object the template has (a kind the script leaves out, a
      // trigger say, would otherwise go missing without a word).
      copyChecked ??= schemaObjects(admin, template.name).then(async (want) => {
        const got = await schemaObjects(admin, name);
        if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`test database copy differs from its template: ${JSON.stringify({ template: want, copy: got })}`);
      });
      await copyChecked;
    }
    base.pathname = `/${name}`;
    databaseUrl = base.toString();
    db = openDb({ dbClient: 'mysql', databaseUrl, dataDir });
    dropDb = async () => {
      await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
      await admin.destroy();
    };
  } else {
    sqliteFile = path.join(dataDir, 'sunshine.sqlite'); // the default path, so scripts given DATA_DIR open it
    if (migrate) fs.copyFileSync(await sqliteTemplateFile(), sqliteFile);
    db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir }, { sqliteFile });
  }
  // Nothing to apply on a copy of the template; kept so a copy that somehow lags is brought level.
  if (migrate) await migrateLatest(db);
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
