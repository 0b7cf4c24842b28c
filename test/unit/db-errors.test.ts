// Database constraint errors of both drivers → the kind of violation → 404/409/422 with the usual
// body. The error shapes are the ones better-sqlite3 (through knex) and mysql2 against MariaDB
// 10.11 actually throw (captured from test/integration/db-constraint-errors.test.ts).
import { expect } from 'chai';
import { constraintViolation, isDeadlock, isForeignKeyViolation, isUniqueViolation } from '../../server/db/errors';
import { constraintError, errorHandler } from '../../server/http/error-handler';
import { createLogger } from '../../server/http/log';

const sqlite = (code: string, message: string) => Object.assign(new Error(message), { code });
const mysql = (code: string, errno: number, sqlState: string, sqlMessage: string, sql = 'insert into `t` (`a`) values (1)') => Object.assign(new Error(`${sql} - ${sqlMessage}`), { code, errno, sqlState, sqlMessage, sql });

const FK_TAIL = "a foreign key constraint fails (`sp`.`approval_chain_steps`, CONSTRAINT `approval_chain_steps_org_id_foreign` FOREIGN KEY (`org_id`) REFERENCES `organisations` (`id`))";

const CASES: Array<{ name: string; err: Error; kind: string; status: number; code: string; details?: Record<string, unknown> }> = [
  // better-sqlite3
  { name: 'sqlite FK on insert', err: sqlite('SQLITE_CONSTRAINT_FOREIGNKEY', 'insert into `p_child` (`parent_id`) values (99) - FOREIGN KEY constraint failed'), kind: 'foreign_key_missing', status: 404, code: 'REFERENCED_RECORD_NOT_FOUND' },
  { name: 'sqlite FK on update', err: sqlite('SQLITE_CONSTRAINT_FOREIGNKEY', 'update `p_child` set `parent_id` = 77 - FOREIGN KEY constraint failed'), kind: 'foreign_key_missing', status: 404, code: 'REFERENCED_RECORD_NOT_FOUND' },
  { name: 'sqlite FK on delete', err: sqlite('SQLITE_CONSTRAINT_FOREIGNKEY', 'delete from `p_parent` where `id` = 1 - FOREIGN KEY constraint failed'), kind: 'foreign_key_referenced', status: 409, code: 'RECORD_IN_USE' },
  { name: 'sqlite unique', err: sqlite('SQLITE_CONSTRAINT_UNIQUE', "insert into `p_parent` (`name`) values ('a') - UNIQUE constraint failed: p_parent.name"), kind: 'unique', status: 409, code: 'DUPLICATE', details: { table: 'p_parent', column: 'name' } },
  { name: 'sqlite primary key', err: sqlite('SQLITE_CONSTRAINT_PRIMARYKEY', 'insert into `t` (`id`) values (1) - UNIQUE constraint failed: t.id'), kind: 'unique', status: 409, code: 'DUPLICATE' },
  { name: 'sqlite generic code, unique words', err: sqlite('SQLITE_CONSTRAINT', 'UNIQUE constraint failed: t.a, t.b'), kind: 'unique', status: 409, code: 'DUPLICATE', details: { table: 't', column: 'a' } },
  { name: 'sqlite not null', err: sqlite('SQLITE_CONSTRAINT_NOTNULL', 'insert into `p_parent` (`name`) values (NULL) - NOT NULL constraint failed: p_parent.name'), kind: 'not_null', status: 422, code: 'VALUE_REQUIRED', details: { table: 'p_parent', column: 'name' } },
  { name: 'sqlite check', err: sqlite('SQLITE_CONSTRAINT_CHECK', 'insert into `p_child` (`n`, `parent_id`) values (-1, 1) - CHECK constraint failed: p_child_n_nonneg'), kind: 'check', status: 422, code: 'CONSTRAINT_VIOLATED', details: { constraint: 'p_child_n_nonneg' } },
  // mysql2 (MariaDB and MySQL)
  { name: 'mysql ER_NO_REFERENCED_ROW_2', err: mysql('ER_NO_REFERENCED_ROW_2', 1452, '23000', `Cannot add or update a child row: ${FK_TAIL}`), kind: 'foreign_key_missing', status: 404, code: 'REFERENCED_RECORD_NOT_FOUND', details: { table: 'approval_chain_steps', column: 'org_id', references: 'organisations', constraint: 'approval_chain_steps_org_id_foreign' } },
  { name: 'mysql ER_ROW_IS_REFERENCED_2', err: mysql('ER_ROW_IS_REFERENCED_2', 1451, '23000', `Cannot delete or update a parent row: ${FK_TAIL}`, 'delete from `organisations` where `id` = 1'), kind: 'foreign_key_referenced', status: 409, code: 'RECORD_IN_USE', details: { table: 'approval_chain_steps', references: 'organisations' } },
  { name: 'mysql ER_NO_REFERENCED_ROW (old)', err: mysql('ER_NO_REFERENCED_ROW', 1216, '23000', 'Cannot add or update a child row: a foreign key constraint fails'), kind: 'foreign_key_missing', status: 404, code: 'REFERENCED_RECORD_NOT_FOUND' },
  { name: 'mysql ER_ROW_IS_REFERENCED (old)', err: mysql('ER_ROW_IS_REFERENCED', 1217, '23000', 'Cannot delete or update a parent row: a foreign key constraint fails'), kind: 'foreign_key_referenced', status: 409, code: 'RECORD_IN_USE' },
  { name: 'mysql ER_DUP_ENTRY (MariaDB)', err: mysql('ER_DUP_ENTRY', 1062, '23000', "Duplicate entry 'secret@example.com' for key 'users_email_unique'"), kind: 'unique', status: 409, code: 'DUPLICATE', details: { constraint: 'users_email_unique' } },
  { name: 'mysql ER_DUP_ENTRY (MySQL 8)', err: mysql('ER_DUP_ENTRY', 1062, '23000', "Duplicate entry 'a' for key 'users.users_email_unique'"), kind: 'unique', status: 409, code: 'DUPLICATE', details: { constraint: 'users_email_unique' } },
  { name: 'mysql ER_BAD_NULL_ERROR', err: mysql('ER_BAD_NULL_ERROR', 1048, '23000', "Column 'name' cannot be null"), kind: 'not_null', status: 422, code: 'VALUE_REQUIRED', details: { column: 'name' } },
  { name: 'mysql ER_NO_DEFAULT_FOR_FIELD', err: mysql('ER_NO_DEFAULT_FOR_FIELD', 1364, 'HY000', "Field 'parent_id' doesn't have a default value"), kind: 'not_null', status: 422, code: 'VALUE_REQUIRED', details: { column: 'parent_id' } },
  // MariaDB's check failure is errno 4025, which mysql2 names after MySQL's 4025
  { name: 'MariaDB check (4025)', err: mysql('ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE', 4025, '23000', 'CONSTRAINT `p_child_n_nonneg` failed for `sp`.`p_child`'), kind: 'check', status: 422, code: 'CONSTRAINT_VIOLATED', details: { constraint: 'p_child_n_nonneg', table: 'p_child' } },
  { name: 'MySQL 8 check (3819)', err: mysql('ER_CHECK_CONSTRAINT_VIOLATED', 3819, 'HY000', "Check constraint 'p_child_n_nonneg' is violated."), kind: 'check', status: 422, code: 'CONSTRAINT_VIOLATED', details: { constraint: 'p_child_n_nonneg' } },
  { name: 'mysql ER_DATA_TOO_LONG', err: mysql('ER_DATA_TOO_LONG', 1406, '22001', "Data too long for column 'name' at row 1"), kind: 'too_long', status: 422, code: 'VALUE_TOO_LONG', details: { column: 'name' } },
  { name: 'mysql ER_WARN_DATA_OUT_OF_RANGE', err: mysql('ER_WARN_DATA_OUT_OF_RANGE', 1264, '22003', "Out of range value for column 'n' at row 1"), kind: 'out_of_range', status: 422, code: 'VALUE_OUT_OF_RANGE', details: { column: 'n' } },
  { name: 'mysql ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', err: mysql('ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', 1366, 'HY000', "Incorrect integer value: 'x' for column `sp`.`t`.`n` at row 1"), kind: 'invalid_value', status: 422, code: 'INVALID_VALUE' },
];

describe('database constraint errors', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.kind} → ${c.status} ${c.code}`, () => {
      const v = constraintViolation(c.err);
      expect(v?.kind).to.equal(c.kind);
      const mapped = constraintError(v!);
      expect(mapped.status).to.equal(c.status);
      expect(mapped.code).to.equal(c.code);
      expect(mapped.details).to.deep.include({ violation: c.kind, ...(c.details ?? {}) });
      // never the values (a duplicate e-mail, the statement's bindings) in what the caller sees
      expect(JSON.stringify({ m: mapped.message, d: mapped.details })).not.to.match(/secret@example|values \(|Duplicate entry/);
    });
  }

  it('looks through a wrapping error’s cause', () => {
    const wrapped = new Error('seed step failed', { cause: CASES[0].err });
    expect(constraintViolation(wrapped)?.kind).to.equal('foreign_key_missing');
    expect(isForeignKeyViolation(wrapped)).to.equal(true);
  });

  it('leaves other errors alone', () => {
    for (const e of [new Error('boom'), Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', errno: -111 }), mysql('ER_LOCK_DEADLOCK', 1213, '40001', 'Deadlock found'), sqlite('SQLITE_BUSY', 'database is locked'), mysql('ER_PARSE_ERROR', 1064, '42000', 'You have an error in your SQL syntax'), null, undefined, 'text']) {
      expect(constraintViolation(e), String((e as Error)?.message ?? e)).to.equal(null);
    }
    // 4025 is only a check failure with MariaDB's words
    expect(constraintViolation(mysql('ER_INNODB_AUTOEXTEND_SIZE_OUT_OF_RANGE', 4025, 'HY000', 'AUTOEXTEND_SIZE value 7 is out of range'))).to.equal(null);
  });

  it('isUniqueViolation answers for unique and primary keys of both dialects only', () => {
    expect(CASES.filter((c) => isUniqueViolation(c.err)).map((c) => c.kind)).to.deep.equal(CASES.filter((c) => c.kind === 'unique').map((c) => c.kind));
  });

  it('the edge answers {error:{code,message,details}} with the mapped status and logs a warning, not an error', () => {
    const lines: string[] = [];
    const handler = errorHandler(createLogger('info', (l) => lines.push(l)));
    for (const c of CASES) {
      let status = 0;
      let sent: any;
      const res = { headersSent: false, setHeader() {}, status(s: number) { status = s; return this; }, json(b: unknown) { sent = b; return this; } };
      handler(c.err, { method: 'POST', path: '/api/x', id: 'r1' } as any, res as any, () => {});
      expect(status, c.name).to.equal(c.status);
      expect(sent.error).to.have.keys('code', 'message', 'details');
      expect(sent.error.code).to.equal(c.code);
    }
    expect(lines.map((l) => JSON.parse(l).level)).to.deep.equal(CASES.map(() => 'warn'));
    expect(lines.join('\n')).not.to.contain('secret@example.com');
  });
});

describe('transaction conflicts withTx runs again', () => {
  it('deadlocks and lock-wait timeouts (MariaDB/MySQL), a busy SQLite, and TiDB\'s write conflicts; nothing else', () => {
    for (const e of [{ code: 'ER_LOCK_DEADLOCK', errno: 1213 }, { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 }, { code: 'SQLITE_BUSY' }, { code: 'ER_UNKNOWN_ERROR', errno: 9007 }, { errno: 8002 }, { errno: 8022 }]) expect(isDeadlock(e), JSON.stringify(e)).to.equal(true);
    for (const e of [{ code: 'ER_DUP_ENTRY', errno: 1062 }, { errno: 9001 }, new Error('x'), null]) expect(isDeadlock(e), JSON.stringify(e)).to.equal(false);
  });
});
