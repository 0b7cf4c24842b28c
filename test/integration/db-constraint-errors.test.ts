// Real constraint errors from the database of this run (SQLite or MariaDB/MySQL) reach the HTTP
// edge as 404/409/422 with the usual error body, never 500; and the two routes of issue 11 that
// answered 500 (an approval chain for an unknown organisation, the alert list) answer properly.
import { expect } from 'chai';
import express from 'express';
import type http from 'node:http';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { startTestServer, type TestServer } from '../helpers/server';
import { errorHandler } from '../../server/http/error-handler';
import { createLogger } from '../../server/http/log';
import { constraintViolation } from '../../server/db/errors';
import { withTx } from '../../server/db/tx';
import { DEFAULT_CHAIN } from '../../server/core/approvals/chain';

describe(`database constraint errors at the edge (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let t: TestDb;
  let server: http.Server;
  let url: string;
  const logs: string[] = [];

  before(async () => {
    t = await createTestDb({ migrate: false });
    const db = t.db;
    await db.schema.createTable('ce_parent', (tb) => {
      tb.increments('id');
      tb.string('name', 8).notNullable().unique();
    });
    await db.schema.createTable('ce_child', (tb) => {
      tb.increments('id');
      tb.integer('parent_id').unsigned().notNullable().references('id').inTable('ce_parent');
      tb.integer('n').notNullable().defaultTo(0);
      tb.check('?? >= 0', ['n'], 'ce_child_n_nonneg');
    });
    await db('ce_parent').insert({ name: 'kept' });
    await db('ce_child').insert({ parent_id: 1 });
    // One route per statement, answering through the platform's own error handler.
    const app = express();
    const statements: Record<string, () => Promise<unknown>> = {
      'fk-insert': () => db('ce_child').insert({ parent_id: 999 }),
      'fk-update': () => db('ce_child').where({ id: 1 }).update({ parent_id: 998 }),
      'fk-delete': () => db('ce_parent').where({ id: 1 }).delete(),
      'fk-in-tx': () => withTx(db, async (tx) => tx('ce_child').insert({ parent_id: 997 })),
      unique: () => db('ce_parent').insert({ name: 'kept' }),
      'not-null': () => db('ce_parent').insert({ name: null }),
      check: () => db('ce_child').insert({ parent_id: 1, n: -1 }),
      'too-long': () => db('ce_parent').insert({ name: 'much-too-long-a-name' }),
    };
    for (const [name, run] of Object.entries(statements)) {
      app.post(`/x/${name}`, async (_req, res) => {
        await run();
        res.status(201).json({ ok: true });
      });
    }
    app.use(errorHandler(createLogger('info', (l) => logs.push(l))));
    await new Promise<void>((resolve) => (server = app.listen(0, '127.0.0.1', () => resolve())));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(async () => {
    await new Promise<void>((r) => server?.close(() => r()));
    await t?.destroy();
  });

  const call = async (name: string) => {
    const r = await fetch(`${url}/x/${name}`, { method: 'POST' });
    return { status: r.status, body: (await r.json()) as any };
  };
  const expectError = (r: { status: number; body: any }, status: number, code: string, violation: string) => {
    expect(r.status).to.equal(status);
    expect(r.body.error).to.have.keys('code', 'message', 'details');
    expect(r.body.error.code).to.equal(code);
    expect(r.body.error.details.violation).to.equal(violation);
    expect(JSON.stringify(r.body)).not.to.match(/insert into|update `|delete from|values \(/i);
  };

  it('a foreign key to a missing row (insert, update, inside a transaction) is 404 REFERENCED_RECORD_NOT_FOUND', async () => {
    for (const name of ['fk-insert', 'fk-update', 'fk-in-tx']) expectError(await call(name), 404, 'REFERENCED_RECORD_NOT_FOUND', 'foreign_key_missing');
    if (TEST_DIALECT === 'mysql') expect((await call('fk-insert')).body.error.details).to.deep.include({ table: 'ce_child', column: 'parent_id', references: 'ce_parent' });
  });

  it('deleting a row still referenced is 409 RECORD_IN_USE', async () => {
    expectError(await call('fk-delete'), 409, 'RECORD_IN_USE', 'foreign_key_referenced');
    expect(await t.db('ce_parent').where({ id: 1 }).first()).to.not.equal(undefined);
  });

  it('a duplicate unique value is 409 DUPLICATE, without the value', async () => {
    const r = await call('unique');
    expectError(r, 409, 'DUPLICATE', 'unique');
    expect(JSON.stringify(r.body)).not.to.contain('kept');
  });

  it('a missing required value is 422 VALUE_REQUIRED naming the column', async () => {
    const r = await call('not-null');
    expectError(r, 422, 'VALUE_REQUIRED', 'not_null');
    expect(r.body.error.details.column).to.equal('name');
  });

  it('a check constraint is 422 CONSTRAINT_VIOLATED naming the constraint', async () => {
    const r = await call('check');
    expectError(r, 422, 'CONSTRAINT_VIOLATED', 'check');
    expect(r.body.error.details.constraint).to.equal('ce_child_n_nonneg');
  });

  it('a value too long for its column is 422 VALUE_TOO_LONG on MySQL/MariaDB (SQLite stores it)', async () => {
    const r = await call('too-long');
    if (TEST_DIALECT === 'mysql') {
      expectError(r, 422, 'VALUE_TOO_LONG', 'too_long');
      expect(r.body.error.details.column).to.equal('name');
    } else expect(r.status).to.equal(201);
  });

  it('logged as warnings with the kind and place only, never as unhandled errors', () => {
    const parsed = logs.map((l) => JSON.parse(l));
    expect(parsed.filter((l) => l.level === 'error')).to.deep.equal([]);
    expect(parsed.filter((l) => l.msg === 'constraint violation').length).to.be.greaterThanOrEqual(7);
    expect(logs.join('\n')).not.to.match(/insert into|values \(/);
  });

  it('the driver errors are recognised directly too (the shapes the unit test fixes)', async () => {
    const kinds: string[] = [];
    for (const f of [() => t.db('ce_child').insert({ parent_id: 999 }), () => t.db('ce_parent').insert({ name: 'kept' })]) {
      try {
        await f();
      } catch (err) {
        kinds.push(constraintViolation(err)?.kind ?? 'none');
      }
    }
    expect(kinds).to.deep.equal(['foreign_key_missing', 'unique']);
  });
});

describe(`issue 11: two routes that answered 500 (${TEST_DIALECT})`, function () {
  this.timeout(120000);
  let s: TestServer;
  before(async () => (s = await startTestServer({ seed: 'small' })));
  after(() => s?.stop());

  it('PUT /api/approval-chains/:orgId for an unknown organisation is 404 and changes nothing', async () => {
    const admin = await s.as('admin');
    const before = await s.tdb.db('approval_chain_steps').count({ n: '*' }).first();
    const r = await admin.request('PUT', '/api/approval-chains/999999', { steps: DEFAULT_CHAIN });
    expect(r.status).to.equal(404);
    expect(r.body.error.code).to.equal('ORGANISATION_NOT_FOUND');
    expect(await s.tdb.db('approval_chain_steps').count({ n: '*' }).first()).to.deep.equal(before);
    // an existing unit still gets its chain
    const org = await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first();
    const ok = await admin.request('PUT', `/api/approval-chains/${org.id}`, { steps: DEFAULT_CHAIN.slice(0, 2) });
    expect(ok.status).to.equal(200);
    expect(ok.body.source).to.equal('organisation');
    expect(ok.body.steps.map((x: any) => x.approverRole)).to.deep.equal(['approver', 'finance']);
  });
});
