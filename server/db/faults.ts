// Which database errors mean "the database cannot serve us now" (down, cut, stalled, busy past
// its limit) as opposed to an answer about the data. The bid path answers the first kind with
// SERVICE_UNAVAILABLE and a retry hint, and readiness reports it.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_CONNECTION_ABORTED',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_QUERY_INTERRUPTED',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_IOERR',
  'SQLITE_FULL',
  'DB_TIMEOUT',
]);

export function isDbUnavailable(err: unknown): boolean {
  const e = err as { code?: string; name?: string; fatal?: boolean; message?: string } | null;
  if (!e) return false;
  if (e.code && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR'))) return true;
  if (e.name === 'KnexTimeoutError') return true; // no connection from the pool in time
  if (e.fatal) return true; // mysql2: the connection is broken
  return /closed state|Connection lost|connection is closed|Pool is closed/i.test(e.message ?? '');
}

export class DbTimeoutError extends Error {
  code = 'DB_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`${what} gave no answer within ${ms} ms`);
  }
}

/** Resolves or rejects like `p`, or rejects with DbTimeoutError after `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DbTimeoutError(what, ms)), ms);
      timer.unref?.();
    }),
  ]);
}
