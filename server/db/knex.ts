// Opens the database for either dialect. Every dialect-specific setting lives here.
import path from 'node:path';
import fs from 'node:fs';
import knexFactory, { type Knex } from 'knex';
import { DEFAULT_LIMITS, type Config, type DbClient, type Limits } from '../config';

export type Db = Knex & { dialect: DbClient };

/**
 * The connection pool behind a knex instance or one of its transactions (a transaction's client
 * shares its pool's config object): a key for what is kept per database in memory.
 */
export const poolOf = (db: Knex): object => (db as unknown as { client: { config: object } }).client.config;

/**
 * Where and as whom to reach the MySQL/MariaDB server a DATABASE_URL names, no database chosen:
 * TCP host and port, or the server's Unix socket with `?socket=/path/to/mysqld.sock` (a database
 * on the same machine: every statement costs less CPU on both sides than over loopback TCP).
 */
export function mysqlServer(databaseUrl: string | URL): { host?: string; port?: number; socketPath?: string; user: string; password: string } {
  const url = new URL(databaseUrl);
  const socket = url.searchParams.get('socket');
  return {
    ...(socket ? { socketPath: socket } : { host: url.hostname, port: Number(url.port || 3306) }),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  };
}

/** The mysql2 connection settings for DATABASE_URL (also used by the lease keeper's own connection). */
export function mysqlConnection(cfg: Pick<Config, 'databaseUrl'>) {
  const url = new URL(cfg.databaseUrl ?? 'mysql://root@127.0.0.1:3306/test');
  return {
    ...mysqlServer(url),
    database: url.pathname.replace(/^\//, '') || 'test',
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    // A database that does not answer the handshake is down: fail in seconds, not 10.
    connectTimeout: 3000,
    // BEGIN travels with a transaction's first statement (withLazyBegin), and a bid batch sends
    // its statements in two round trips (server/db/statements.ts). Every value
    // still travels as a bound parameter escaped by the driver; no SQL is built from input.
    multipleStatements: true,
  };
}

export function openDb(cfg: Pick<Config, 'dbClient' | 'databaseUrl' | 'dataDir'> & { limits?: Partial<Limits>; redisUrl?: string | null }, opts: { sqliteFile?: string; poolMax?: number } = {}): Db {
  const limits = { ...DEFAULT_LIMITS, ...cfg.limits };
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
    db = knexFactory({
      client: 'mysql2',
      connection: mysqlConnection(cfg),
      // Waiting for a free connection is bounded too (knex's default is 60 s).
      acquireConnectionTimeout: 10_000,
      // While the database is down knex warns on every failed connection: once per kind per 10 s.
      log: quietLog(),
      pool: {
        min: 0,
        max: opts.poolMax ?? 10,
        afterCreate: (conn: MysqlConnection, done: (err: Error | null, c: unknown) => void) => {
          // Session scope only (the server's global settings are not ours to change): a lock
          // wait gives up in seconds and a statement is stopped at its limit.
          const q = (sql: string) => new Promise<void>((resolve, reject) => conn.query(sql, (err: Error | null) => (err ? reject(err) : resolve())));
          q(`SET time_zone = '+00:00'`)
            .then(() => q(`SET SESSION innodb_lock_wait_timeout = ${limits.dbLockWaitTimeoutSec}`))
            // max_statement_time is MariaDB's (seconds); MySQL has no equivalent for writes, so an
            // unknown variable is not an error there: the client-side deadline still applies.
            .then(() => (limits.dbStatementTimeoutMs ? q(`SET SESSION max_statement_time = ${limits.dbStatementTimeoutMs / 1000}`).catch(() => undefined) : undefined))
            // Cluster mode: a transaction left idle with writes (its process paused or cut off) is
            // ended by the server, so its locks (a competition's lease row, which a takeover must
            // wait for) never outlive the lease. MariaDB's; MySQL ignores it (its lock wait limit applies).
            .then(() => (cfg.redisUrl ? q(`SET SESSION idle_write_transaction_timeout = ${Math.max(1, Math.ceil(limits.ownerLeaseMs / 1000))}`).catch(() => undefined) : undefined))
            .then(
              () => done(null, withClientDeadline(withLazyBegin(conn), limits.dbStatementTimeoutMs ? limits.dbStatementTimeoutMs + 2000 : 0)),
              (err: Error) => done(err, conn),
            );
        },
      },
    });
  }
  return Object.assign(db, { dialect: cfg.dbClient });
}

function quietLog() {
  const last = new Map<string, number>();
  const say = (level: 'warn' | 'error') => (msg: unknown) => {
    const text = String((msg as Error)?.message ?? msg);
    const key = `${level}:${text.slice(0, 60)}`;
    const now = Date.now();
    if (now - (last.get(key) ?? 0) < 10_000) return;
    last.set(key, now);
    console[level](`knex: ${text.split('\n')[0]}`);
  };
  return { warn: say('warn'), error: say('error'), deprecate: (m: unknown) => console.warn(`knex: ${String(m)}`), debug: () => undefined };
}

interface MysqlConnection {
  query: (...args: any[]) => unknown;
  stream?: { destroy(err?: Error): void };
}

/**
 * A transaction's BEGIN travels with its first statement (one multi-statement query), as
 * PostgreSQL's JDBC driver sends it: one round trip less per transaction. BEGIN itself takes no
 * lock and starts no snapshot (InnoDB starts it at the first read), so nothing a transaction sees
 * changes; if BEGIN failed the server runs nothing after it and the statement's caller gets the error.
 */
function withLazyBegin(conn: MysqlConnection): MysqlConnection {
  const query = conn.query.bind(conn);
  let pending = false;
  conn.query = (...args: any[]) => {
    const cb = args[args.length - 1];
    const opts = typeof args[0] === 'string' ? { sql: args[0] } : args[0];
    if (typeof cb === 'function' && /^\s*BEGIN;?\s*$/i.test(opts?.sql ?? '')) {
      pending = true;
      cb(null, { affectedRows: 0, insertId: 0, warningStatus: 0 }, undefined);
      return undefined;
    }
    if (!pending) return query(...args);
    pending = false;
    if (typeof cb !== 'function') {
      // A stream: its statement cannot share a query; BEGIN goes first on its own (queued in order).
      query('BEGIN', (err: Error | null) => err && abortRawConnection(conn, `BEGIN failed: ${err.message}`));
      return query(...args);
    }
    args[0] = { ...opts, sql: `BEGIN;\n${opts.sql}` };
    args[args.length - 1] = (err: Error | null, results: any, fields: any) => {
      if (err) return cb(err, results, fields);
      // [BEGIN's answer, the statement's] or, for several statements, [BEGIN's, each one's].
      return results.length === 2 ? cb(null, results[1], fields?.[1]) : cb(null, results.slice(1), fields?.slice(1));
    };
    return query(...args);
  };
  return conn;
}

/**
 * A client-side deadline on every statement of a connection: a statement with no answer after
 * `ms` (the network stalled, the server hung) breaks the connection, so its caller gets an
 * error and the pool drops it instead of waiting forever. Server-side limits cannot see a stall.
 */
function withClientDeadline(conn: MysqlConnection, ms: number): MysqlConnection {
  if (!ms) return conn;
  const query = conn.query.bind(conn);
  conn.query = (...args: unknown[]) => {
    const cb = args[args.length - 1];
    if (typeof cb !== 'function') return query(...args); // streams: no deadline
    const timer = setTimeout(() => abortRawConnection(conn, `statement gave no answer within ${ms} ms`), ms);
    timer.unref?.();
    args[args.length - 1] = (...res: unknown[]) => {
      clearTimeout(timer);
      (cb as (...r: unknown[]) => void)(...res);
    };
    return query(...args);
  };
  return conn;
}

/** Breaks a raw mysql2 connection as a network failure would: its pending statements fail at once. */
export function abortRawConnection(conn: unknown, reason: string): void {
  const c = conn as MysqlConnection;
  if (!c?.stream) return;
  c.stream.destroy(Object.assign(new Error(reason), { code: 'PROTOCOL_CONNECTION_ABORTED' }));
}

/**
 * Breaks the connection a transaction runs on (MySQL only; SQLite has no network to stall),
 * for a caller that gives up on a transaction which has not answered within its limit.
 */
export async function abortTransaction(tx: Knex.Transaction): Promise<void> {
  const client = (tx as unknown as { client?: { acquireConnection?: () => Promise<unknown> } }).client;
  if (!client?.acquireConnection) return;
  abortRawConnection(await client.acquireConnection(), 'transaction abandoned after its time limit');
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
