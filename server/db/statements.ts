// Several statements of one transaction in one round trip to MySQL/MariaDB (a multi-statement
// query). On a busy machine each round trip is a socket write that wakes the database and a read
// that wakes the node: a bid batch's nine statements were nine of each. Only for statements whose
// text does not depend on an earlier one's answer; the server stops at the first that fails, so a
// failure leaves the rest unrun and the caller's transaction rolls back as after any error.
import type { Knex } from 'knex';
import type { Tx } from './tx';

/** One statement, its placeholders `?` bound by the driver. */
export interface Statement {
  sql: string;
  bindings: readonly unknown[];
}

/** The statement a knex query builder (or raw) would send. */
export function statementOf(q: Knex.QueryBuilder | Knex.Raw): Statement {
  const n = q.toSQL().toNative();
  return { sql: n.sql, bindings: n.bindings };
}

/**
 * Sends the statements in one round trip (MySQL only) and answers each one's result in order:
 * rows for a SELECT, the driver's result header (insertId, affectedRows) for a write.
 */
export async function sendTogether(tx: Tx, statements: Statement[]): Promise<any[]> {
  if (tx.dialect !== 'mysql') throw new Error('sendTogether: MySQL only');
  if (!statements.length) return [];
  const [results] = await tx.raw(statements.map((s) => s.sql).join(';\n'), statements.flatMap((s) => s.bindings) as Knex.RawBinding[]);
  // mysql2 answers an array of results for several statements, the result itself for one.
  return statements.length === 1 ? [results] : (results as any[]);
}
