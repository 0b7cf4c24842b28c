// Dialect differences in driver errors live here and nowhere else.
//
// constraintViolation() recognises a broken database constraint in an error from either driver
// (better-sqlite3 through knex; mysql2 against MySQL or MariaDB) and says which kind it is; the
// HTTP edge (server/http/error-handler.ts) turns it into 404/409/422, never 500. It reads codes,
// errno and the constraint's own words, never the values: MySQL's "Duplicate entry 'x'" and the
// SQL text knex puts in front of every message may carry personal data.

export type ConstraintKind =
  /** a foreign key names a row that does not exist (insert or update of the referencing row) */
  | 'foreign_key_missing'
  /** a row cannot be deleted (or its key changed) while other rows refer to it */
  | 'foreign_key_referenced'
  | 'unique'
  | 'not_null'
  | 'check'
  /** a string longer than its column (MySQL/MariaDB; SQLite does not enforce lengths) */
  | 'too_long'
  /** a number outside its column's range, or a value the column's type cannot hold (MySQL/MariaDB) */
  | 'out_of_range'
  | 'invalid_value';

export interface ConstraintViolation {
  kind: ConstraintKind;
  /** the table whose constraint failed (for foreign keys: the referencing table), where the driver says */
  table?: string;
  column?: string;
  /** the constraint's or unique key's name, where the driver says */
  constraint?: string;
  /** for foreign keys: the referenced table */
  references?: string;
}

interface DriverError {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  message?: string;
  sql?: string;
  cause?: unknown;
}

// MySQL / MariaDB server error numbers (the code names mysql2 gives them follow MySQL's list,
// which is why MariaDB's check failure 4025 arrives named ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE).
const MYSQL: Record<number, ConstraintKind> = {
  1062: 'unique', // ER_DUP_ENTRY
  1586: 'unique', // ER_DUP_ENTRY_WITH_KEY_NAME
  1022: 'unique', // ER_DUP_KEY
  1452: 'foreign_key_missing', // ER_NO_REFERENCED_ROW_2
  1216: 'foreign_key_missing', // ER_NO_REFERENCED_ROW
  1451: 'foreign_key_referenced', // ER_ROW_IS_REFERENCED_2
  1217: 'foreign_key_referenced', // ER_ROW_IS_REFERENCED
  1048: 'not_null', // ER_BAD_NULL_ERROR
  1364: 'not_null', // ER_NO_DEFAULT_FOR_FIELD
  3819: 'check', // ER_CHECK_CONSTRAINT_VIOLATED (MySQL 8)
  4025: 'check', // ER_CONSTRAINT_FAILED (MariaDB)
  1406: 'too_long', // ER_DATA_TOO_LONG
  1264: 'out_of_range', // ER_WARN_DATA_OUT_OF_RANGE
  1690: 'out_of_range', // ER_DATA_OUT_OF_RANGE
  1366: 'invalid_value', // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
  1292: 'invalid_value', // ER_TRUNCATED_WRONG_VALUE
  1265: 'invalid_value', // WARN_DATA_TRUNCATED
};
const MYSQL_CODES: Record<string, ConstraintKind> = {
  ER_DUP_ENTRY: 'unique',
  ER_DUP_ENTRY_WITH_KEY_NAME: 'unique',
  ER_DUP_KEY: 'unique',
  ER_NO_REFERENCED_ROW_2: 'foreign_key_missing',
  ER_NO_REFERENCED_ROW: 'foreign_key_missing',
  ER_ROW_IS_REFERENCED_2: 'foreign_key_referenced',
  ER_ROW_IS_REFERENCED: 'foreign_key_referenced',
  ER_BAD_NULL_ERROR: 'not_null',
  ER_NO_DEFAULT_FOR_FIELD: 'not_null',
  ER_CHECK_CONSTRAINT_VIOLATED: 'check',
  ER_CONSTRAINT_FAILED: 'check',
  ER_DATA_TOO_LONG: 'too_long',
  ER_WARN_DATA_OUT_OF_RANGE: 'out_of_range',
  ER_DATA_OUT_OF_RANGE: 'out_of_range',
  ER_TRUNCATED_WRONG_VALUE_FOR_FIELD: 'invalid_value',
  ER_TRUNCATED_WRONG_VALUE: 'invalid_value',
  WARN_DATA_TRUNCATED: 'invalid_value',
};

function mysqlKind(e: DriverError): ConstraintKind | null {
  // errno first: the code name of 4025 is MySQL's, not MariaDB's
  if (typeof e.errno === 'number' && MYSQL[e.errno] && (e.sqlState || e.sqlMessage !== undefined)) {
    if (e.errno === 4025 && !/^CONSTRAINT /.test(e.sqlMessage ?? '')) return null;
    return MYSQL[e.errno];
  }
  return (e.code && MYSQL_CODES[e.code]) || null;
}

function mysqlDetails(kind: ConstraintKind, msg: string): Omit<ConstraintViolation, 'kind'> {
  let m: RegExpMatchArray | null;
  if (kind === 'foreign_key_missing' || kind === 'foreign_key_referenced') {
    m = msg.match(/\(`[^`]*`\.`([^`]+)`, CONSTRAINT `([^`]+)` FOREIGN KEY \(`([^`]+)`\) REFERENCES `([^`]+)`/);
    return m ? { table: m[1], constraint: m[2], column: m[3], references: m[4] } : {};
  }
  if (kind === 'unique') {
    m = msg.match(/for key '([^']+)'\s*$/);
    return m ? { constraint: m[1].replace(/^[^.]*\./, '') } : {};
  }
  if (kind === 'check') {
    m = msg.match(/CONSTRAINT `([^`]+)` failed for `[^`]*`\.`([^`]+)`/) ?? msg.match(/Check constraint '([^']+)' is violated/);
    return m ? { constraint: m[1], ...(m[2] ? { table: m[2] } : {}) } : {};
  }
  m = msg.match(/(?:Column|Field|column) '([^']+)'/);
  return m ? { column: m[1] } : {};
}

const SQLITE_CODES: Record<string, ConstraintKind | 'foreign_key'> = {
  SQLITE_CONSTRAINT_UNIQUE: 'unique',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'unique',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreign_key',
  SQLITE_CONSTRAINT_NOTNULL: 'not_null',
  SQLITE_CONSTRAINT_CHECK: 'check',
};

function sqliteViolation(e: DriverError): ConstraintViolation | null {
  const msg = e.message ?? '';
  let kind = e.code ? SQLITE_CODES[e.code] : undefined;
  if (!kind && e.code === 'SQLITE_CONSTRAINT') {
    // older drivers: the extended code only in the words
    kind = /UNIQUE constraint|PRIMARY KEY/.test(msg) ? 'unique' : /FOREIGN KEY/.test(msg) ? 'foreign_key' : /NOT NULL/.test(msg) ? 'not_null' : /CHECK constraint/.test(msg) ? 'check' : undefined;
  }
  if (!kind) return null;
  // knex puts the statement in front of the driver's words: "delete from `t` … - FOREIGN KEY constraint failed"
  const statement = (e.sql ?? msg).trimStart().slice(0, 6).toLowerCase();
  if (kind === 'foreign_key') return { kind: statement === 'delete' ? 'foreign_key_referenced' : 'foreign_key_missing' };
  const tail = msg.match(/constraint failed: (.+)$/)?.[1];
  if (!tail) return { kind };
  if (kind === 'check') return { kind, constraint: tail.trim() };
  const first = tail.split(',')[0].trim().match(/^([^.\s]+)\.([^.\s]+)$/);
  return first ? { kind, table: first[1], column: first[2] } : { kind };
}

/** The broken constraint behind a database error (looking through `cause`), or null for anything else. */
export function constraintViolation(err: unknown): ConstraintViolation | null {
  for (let e = err as DriverError | undefined, depth = 0; e && typeof e === 'object' && depth < 5; e = e.cause as DriverError | undefined, depth++) {
    if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
      const v = sqliteViolation(e);
      if (v) return v;
      continue;
    }
    const kind = mysqlKind(e);
    if (kind) return { kind, ...mysqlDetails(kind, e.sqlMessage ?? e.message ?? '') };
  }
  return null;
}

export function isUniqueViolation(err: unknown): boolean {
  return constraintViolation(err)?.kind === 'unique';
}

export function isForeignKeyViolation(err: unknown): boolean {
  const k = constraintViolation(err)?.kind;
  return k === 'foreign_key_missing' || k === 'foreign_key_referenced';
}

export function isDeadlock(err: unknown): boolean {
  const e = err as { code?: string; errno?: number };
  return e?.code === 'ER_LOCK_DEADLOCK' || e?.code === 'ER_LOCK_WAIT_TIMEOUT' || e?.code === 'SQLITE_BUSY' || TIDB_RETRY_SAFE.has(e?.errno ?? 0);
}

/**
 * A MySQL-compatible distributed database (TiDB) reports a lost write conflict with its own codes:
 * 8002 (SELECT ... FOR UPDATE conflict), 8022 (commit failed, safe to retry), 9007 (write conflict).
 * The whole transaction runs again, as for a deadlock (README "Running as a cluster").
 */
const TIDB_RETRY_SAFE = new Set([8002, 8022, 9007]);
