// Fewer round trips on MySQL: a transaction's BEGIN travels with its first statement, and a bid
// batch's statements travel together with the audit's (recordManyAlong). Each round trip on a busy
// machine is a write that wakes the database and a read that wakes the node; these tests count
// them (the packets the driver writes) and check that nothing a transaction means changes.
import { expect } from 'chai';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { openDb, type Db } from '../../server/db/knex';
import { withTx } from '../../server/db/tx';
import { sendTogether, statementOf } from '../../server/db/statements';
import { onAuditEvents, recordMany, recordManyAlong, verifyChain, type AuditEvent } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';
import { systemClock } from '../../server/db/time';

const actor = systemActor('test', systemClock);

/** Counts the packets a one-connection pool writes to the server (one per statement sent). */
async function packetCounter(db: Db): Promise<{ count(): number }> {
  const client = (db as unknown as { client: { acquireConnection(): Promise<any>; releaseConnection(c: unknown): Promise<void> } }).client;
  const conn = await client.acquireConnection();
  let n = 0;
  const write = conn.stream.write.bind(conn.stream);
  conn.stream.write = (...args: unknown[]) => (n++, write(...args));
  await client.releaseConnection(conn);
  return { count: () => n };
}

describe(`statements sent together (${TEST_DIALECT})`, () => {
  let t: TestDb;
  let one: Db | null = null;
  beforeEach(async () => {
    t = await createTestDb();
  });
  afterEach(async () => {
    await one?.destroy();
    one = null;
    await t.destroy();
  });

  const onePool = () => (one = openDb({ dbClient: 'mysql', databaseUrl: t.databaseUrl, dataDir: t.dataDir }, { poolMax: 1 }));

  it('a transaction of two statements is three round trips: BEGIN goes with the first', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    const db = onePool();
    const packets = await packetCounter(db);
    const before = packets.count();
    const rows = await withTx(db, async (tx) => {
      const first = await tx('audit_stream_heads').count({ n: '*' });
      await tx('audit_seq_alloc').insert({ id: null });
      return first;
    });
    expect(packets.count() - before).to.equal(3);
    // The first statement's answer is its own (not BEGIN's).
    expect(Number(rows[0].n)).to.be.a('number');
  });

  it('a transaction whose first statement fails leaves nothing, and the connection works after', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    const db = onePool();
    await db('audit_seq_alloc').insert({ id: 7 });
    const err = await withTx(db, async (tx) => {
      await tx('audit_seq_alloc').insert({ id: 7 }); // duplicate key
    }).catch((e: Error) => e);
    expect(err).to.be.instanceOf(Error);
    expect((err as { code?: string }).code).to.equal('ER_DUP_ENTRY');
    // BEGIN took effect before the failure: a later statement of that connection is still in a
    // transaction until it ends, and a new one begins cleanly.
    await withTx(db, async (tx) => {
      await tx('audit_seq_alloc').insert({ id: 8 });
      throw new Error('rolled back');
    }).catch(() => undefined);
    expect((await db('audit_seq_alloc').whereIn('id', [7, 8]).select('id')).map((r) => Number(r.id))).to.deep.equal([7]);
  });

  it('answers each statement sent together in order, and stops at the first that fails', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    const out = await withTx(t.db, (tx) => sendTogether(tx, [statementOf(tx('audit_seq_alloc').insert({ id: 21 })), { sql: 'SELECT ? AS x', bindings: [5] }, statementOf(tx('audit_seq_alloc').insert({ id: 22 }))]));
    expect(out).to.have.length(3);
    expect(out[0].insertId).to.equal(21);
    expect(out[1]).to.deep.equal([{ x: 5 }]);
    const err = await withTx(t.db, (tx) => sendTogether(tx, [statementOf(tx('audit_seq_alloc').insert({ id: 23 })), statementOf(tx('audit_seq_alloc').insert({ id: 21 })), statementOf(tx('audit_seq_alloc').insert({ id: 24 }))])).catch((e: Error) => e);
    expect((err as { code?: string }).code).to.equal('ER_DUP_ENTRY');
    expect((await t.db('audit_seq_alloc').whereIn('id', [21, 22, 23, 24]).orderBy('id').select('id')).map((r) => Number(r.id))).to.deep.equal([21, 22]);
  });

  it('records a batch along with the caller\'s statements in two round trips, chained as recordMany chains it', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    const db = onePool();
    // A stream head not yet known: nothing is sent, the caller goes the long way.
    const unknown = await withTx(db, (tx) => recordManyAlong(tx, actor, [{ action: 'auction.bids_accepted', entityType: 'auction', entityId: 501, after: { n: 0 } }], new Date(), [], []));
    expect(unknown).to.equal(null);
    await withTx(db, (tx) => recordMany(tx, actor, [{ action: 'auction.opened', entityType: 'auction', entityId: 501 }, { action: 'auction.opened', entityType: 'auction', entityId: 502 }]));
    const heard: AuditEvent[][] = [];
    const off = onAuditEvents((e) => heard.push(e));
    try {
      const packets = await packetCounter(db);
      const before = packets.count();
      const r = await withTx(db, async (tx) => {
        const along = await recordManyAlong(
          tx,
          actor,
          [
            { action: 'auction.bids_accepted', entityType: 'auction', entityId: 502, after: { n: 1 } },
            { action: 'auction.bids_accepted', entityType: 'auction', entityId: 501, after: { n: 2 } },
            { action: 'auction.extended', entityType: 'auction', entityId: 501, after: { n: 3 } },
          ],
          new Date(),
          [{ sql: 'SELECT ? AS x', bindings: [1] }, statementOf(tx('audit_seq_alloc').insert({ id: 900_001 }))],
          [{ sql: 'SELECT ? AS y', bindings: [2] }],
        );
        expect(heard).to.have.length(0); // not before the commit
        return along;
      });
      // BEGIN with the caller's and the audit's first statements; the rest; COMMIT.
      expect(packets.count() - before).to.equal(3);
      expect(r!.firstResults[0]).to.deep.equal([{ x: 1 }]);
      expect(r!.firstResults[1].insertId).to.equal(900_001);
      // Numbered in the caller's order, each in its own stream after that stream's head.
      const seqs = r!.events.map((e) => e.seq);
      expect(seqs[1]).to.equal(seqs[0] + 1);
      expect(seqs[2]).to.equal(seqs[1] + 1);
      expect(r!.events.map((e) => [e.stream, e.stream_seq])).to.deep.equal([['auction:502', 2], ['auction:501', 2], ['auction:501', 3]]);
      const rows = await db('audit_events').whereIn('seq', seqs).orderBy('seq');
      expect(rows.map((x: any) => [Number(x.seq), x.hash])).to.deep.equal(r!.events.map((e) => [e.seq, e.hash]));
      const heads = await db('audit_stream_heads').whereIn('stream', ['auction:501', 'auction:502']).orderBy('stream');
      expect(heads.map((h: any) => [h.stream, Number(h.last_seq), h.last_hash])).to.deep.equal([['auction:501', 3, r!.events[2].hash], ['auction:502', 2, r!.events[0].hash]]);
      expect(heard.flat().map((e) => e.seq)).to.deep.equal(seqs);
      expect(await verifyChain(db)).to.include({ intact: true });
    } finally {
      off();
    }
  });

  it('a failing statement of the caller\'s rolls the whole batch back: no event, heads unmoved', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    await withTx(t.db, (tx) => recordMany(tx, actor, [{ action: 'auction.opened', entityType: 'auction', entityId: 601 }]));
    await t.db('audit_seq_alloc').insert({ id: 800_001 });
    const head = await t.db('audit_stream_heads').where({ stream: 'auction:601' }).first();
    const count = Number((await t.db('audit_events').count({ n: '*' }))[0].n);
    const err = await withTx(t.db, (tx) => recordManyAlong(tx, actor, [{ action: 'auction.bids_accepted', entityType: 'auction', entityId: 601 }], new Date(), [statementOf(tx('audit_seq_alloc').insert({ id: 800_001 }))], [])).catch((e: Error) => e);
    expect((err as { code?: string }).code).to.equal('ER_DUP_ENTRY');
    expect(Number((await t.db('audit_events').count({ n: '*' }))[0].n)).to.equal(count);
    expect(await t.db('audit_stream_heads').where({ stream: 'auction:601' }).first()).to.deep.equal(head);
  });

  it('a check between the two round trips that throws stops the rest: the audit rows are never sent', async function () {
    if (TEST_DIALECT !== 'mysql') this.skip();
    const db = onePool();
    await withTx(db, (tx) => recordMany(tx, actor, [{ action: 'auction.opened', entityType: 'auction', entityId: 801 }]));
    const head = await db('audit_stream_heads').where({ stream: 'auction:801' }).first();
    const packets = await packetCounter(db);
    const before = packets.count();
    let seen: unknown = null;
    const err = await withTx(db, (tx) =>
      recordManyAlong(tx, actor, [{ action: 'auction.bids_accepted', entityType: 'auction', entityId: 801 }], new Date(), [{ sql: 'SELECT ? AS lease', bindings: [0] }], [], async (results) => {
        seen = results;
        throw new Error('lease lost');
      }),
    ).catch((e: Error) => e);
    expect((err as Error).message).to.equal('lease lost');
    expect(seen).to.deep.equal([[{ lease: 0 }]]);
    // BEGIN with the first statements, then ROLLBACK: no second round trip.
    expect(packets.count() - before).to.equal(2);
    expect(await db('audit_stream_heads').where({ stream: 'auction:801' }).first()).to.deep.equal(head);
  });

  it('answers null on SQLite, having sent nothing (one writer: the statements go one by one)', async function () {
    if (TEST_DIALECT !== 'sqlite') this.skip();
    await withTx(t.db, (tx) => recordMany(tx, actor, [{ action: 'auction.opened', entityType: 'auction', entityId: 701 }]));
    expect(await withTx(t.db, (tx) => recordManyAlong(tx, actor, [{ action: 'auction.bids_accepted', entityType: 'auction', entityId: 701 }], new Date(), [], []))).to.equal(null);
  });
});
