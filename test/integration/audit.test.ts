import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { record, verifyChain } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';
import { systemClock } from '../../server/db/time';

const actor = systemActor('test', systemClock);

describe(`audit trail (${TEST_DIALECT})`, () => {
  let t: TestDb;
  beforeEach(async () => {
    t = await createTestDb();
    await withTx(t.db, async (tx) => {
      for (let i = 1; i <= 5; i++) await record(tx, actor, { action: 'thing.changed', entityType: 'thing', entityId: i, before: { v: i - 1 }, after: { v: i } });
    });
  });
  afterEach(() => t.destroy());

  it('chains events and verifies them', async () => {
    expect(await verifyChain(t.db)).to.deep.equal({ intact: true, events: 5 });
    const rows = await t.db('audit_events').orderBy('seq');
    expect(rows[0].prev_hash).to.equal('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).to.equal(rows[i - 1].hash);
  });

  it('a rolled-back change leaves no audit event and announces nothing', async () => {
    let announced = false;
    try {
      await withTx(t.db, async (tx) => {
        await record(tx, actor, { action: 'thing.changed', entityType: 'thing', entityId: 99 });
        tx.afterCommit(() => {
          announced = true;
        });
        throw new Error('rule broken');
      });
    } catch {
      /* expected */
    }
    expect((await t.db('audit_events').count({ n: '*' }))[0].n).to.satisfy((n: unknown) => Number(n) === 5);
    expect(announced).to.equal(false);
    expect((await verifyChain(t.db)).intact).to.equal(true);
  });

  it('detects an altered event', async () => {
    await t.db('audit_events').where({ seq: 3 }).update({ after_json: '{"v":300}' });
    const r = await verifyChain(t.db);
    expect(r.intact).to.equal(false);
    expect(r.brokenAt!.seq).to.equal(3);
    expect(r.brokenAt!.reason).to.match(/altered/);
  });

  it('detects a re-hashed altered event by the next link', async () => {
    // An attacker who recomputes the row's own hash still breaks the next row's prev_hash.
    const { eventHash } = await import('../../server/supervision/audit/chain');
    const row = await t.db('audit_events').where({ seq: 2 }).first();
    const forged = { ...row, actor_role: 'admin' };
    await t.db('audit_events').where({ seq: 2 }).update({ actor_role: 'admin', hash: eventHash(row.prev_hash, forged) });
    const r = await verifyChain(t.db);
    expect(r.intact).to.equal(false);
    expect(r.brokenAt!.seq).to.equal(3);
  });

  it('detects a deleted event in the middle and at the end', async () => {
    await t.db('audit_events').where({ seq: 5 }).delete();
    expect((await verifyChain(t.db)).brokenAt!.reason).to.match(/head/);
    await t.db('audit_events').where({ seq: 2 }).delete();
    const r = await verifyChain(t.db);
    expect(r.brokenAt!.seq).to.equal(2);
    expect(r.brokenAt!.reason).to.match(/missing/);
  });

  it('npm run audit:verify reports intact and broken chains', function () {
    this.timeout(30000);
    const env = { ...process.env, ...(t.databaseUrl ? { DB_CLIENT: 'mysql', DATABASE_URL: t.databaseUrl } : { DB_CLIENT: 'sqlite', DATABASE_URL: '' }), DATA_DIR: t.dataDir };
    const out = execFileSync('npx', ['tsx', 'scripts/audit-verify.ts'], { env, encoding: 'utf8' });
    expect(out.trim()).to.equal('chain intact, 5 events');
    return (async () => {
      await t.db('audit_events').where({ seq: 4 }).update({ action: 'thing.hidden' });
      let failed = false;
      try {
        execFileSync('npx', ['tsx', 'scripts/audit-verify.ts'], { env, encoding: 'utf8' });
      } catch (e) {
        failed = true;
        expect((e as { stdout: string }).stdout).to.match(/chain broken at event 4/);
      }
      expect(failed).to.equal(true);
    })();
  });
});
