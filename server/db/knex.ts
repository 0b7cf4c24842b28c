// Opens the database for either dialect. Every dialect-specific setting lives here.
import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import type { Config, DbClient } from '../config';

export type Db = Knex & { dialect: DbClient };

export function openDb(cfg: Pick<Config, 'dbClient' | 'databaseUrl' | 'dataDir'>, opts: { sqliteFile?: string; poolMax?: number } = {}): Db {
  let db: Knex;
  if (cfg.dbClient === 'sqlite') {
    const file = opts.sqliteFile ?? path.join(cfg.dataDir, 'sunshine.sqlite');
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    db = knexFactory({
      client: 'better-sqlite3',
      connection: { filename: file },
      useNullAsDefault: true,
      // One connection: SQLite has one writer; knex queues transactions behind it.
      pool: {
        min: 1,
        max: 1,
        afterCreate: (conn: { pragma: (s: string) => unknown }, done: (err: Error | null, c: unknown) => void) => {
          conn.pragma('journal_mode = WAL');
          conn.pragma('synchronous = FULL'); // an acknowledged bid survives power loss
          conn.pragma('foreign_keys = ON');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  } else {
    const url = new URL(cfg.databaseUrl ?? 'mysql://root@127.0.0.1:3306/test');
    db = knexFactory({
      client: 'mysql2',
      connection: {
        host: url.hostname,
        port: Number(url.port || 3306),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.replace(/^\//, '') || 'test',
        charset: 'utf8mb4',
        timezone: 'Z',
        dateStrings: true,
        supportBigNumbers: true,
        bigNumberStrings: false,
        decimalNumbers: true,
      },
      pool: {
        min: 0,
        max: opts.poolMax ?? 10,
        afterCreate: (conn: { query: (s: string, cb: (err: Error | null) => void) => void }, done: (err: Error | null, c: unknown) => void) => {
          conn.query("SET time_zone = '+00:00'", (err) => done(err, conn));
        },
      },
    });
  }
  return Object.assign(db, { dialect: cfg.dbClient });
}

/** SELECT ... FOR UPDATE where the dialect has it; SQLite's single writer already serialises. */
export function forUpdate<T extends Knex.QueryBuilder>(db: { dialect: DbClient }, qb: T): T {
  return db.dialect === 'mysql' ? (qb.forUpdate() as T) : qb;
}

/** SELECT ... FOR SHARE (a locking read: on MySQL it does not start the transaction's snapshot). */
export function forShare<T extends Knex.QueryBuilder>(db: { dialect: DbClient }, qb: T): T {
  return db.dialect === 'mysql' ? (qb.forShare() as T) : qb;
}

/** Aggregates come back as DECIMAL strings on MySQL; fen are integers, so coerce once here. */
export function toInt(v: unknown): number {
  if (v === null || v === undefined) return 0;
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`not a safe integer: ${String(v)}`);
  return n;
}
