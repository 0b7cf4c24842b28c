import { expect } from 'chai';
import { createTestDb, holdOpen, type TestDb, TEST_DIALECT } from '../helpers/db';
import { Scheduler, JOB_LEASE_MS } from '../../server/scheduler/scheduler';
import { ManualClock } from '../../server/db/time';
import { createLogger } from '../../server/http/log';
import { withTx } from '../../server/db/tx';

describe(`durable scheduler (${TEST_DIALECT})`, () => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 0, 0, 0));
  const log = createLogger('silent');
  before(async () => (t = await createTestDb()));
  after(() => t.destroy());

  it('runs a job when due, not before, and only once', async () => {
    const s = new Scheduler({ db: t.db, clock, log });
    const ran: string[] = [];
    s.define<{ n: number }>('demo', async (job) => void ran.push(`${job.key}:${job.payload.n}`));
    await withTx(t.db, (tx) => s.schedule(tx, { kind: 'demo', key: 'demo:1', runAt: new Date(clock.now().getTime() + 60_000), payload: { n: 1 } }));
    expect(await s.runDue()).to.equal(0);
    clock.advance(60_000);
    expect(await s.runDue()).to.equal(1);
    expect(await s.runDue()).to.equal(0);
    expect(ran).to.deep.equal(['demo:1:1']);
  });

  it('nodes starting together schedule the same job at once: every call succeeds, one job, the last time wins', async () => {
    const nodes = [1, 2, 3, 4, 5].map(() => new Scheduler({ db: t.db, clock, log }));
    const at = (k: number) => new Date(clock.now().getTime() + 3600_000 + k * 1000);
    // Each in its own transaction, all at once (three cluster nodes starting up did this and one failed on the key).
    await Promise.all(nodes.map((n, k) => withTx(t.db, (tx) => n.schedule(tx, { kind: 'audit.checkpoint', key: 'checkpoint:race', runAt: at(k), payload: { k } }))));
    if (TEST_DIALECT === 'mysql') {
      // The interleaving that failed, made certain: A has inserted (not committed), B looks, finds nothing, inserts.
      const a = await holdOpen(t.db, (tx) => nodes[0].schedule(tx, { kind: 'audit.checkpoint', key: 'checkpoint:race2', runAt: at(1) }));
      const b = withTx(t.db, (tx) => nodes[1].schedule(tx, { kind: 'audit.checkpoint', key: 'checkpoint:race2', runAt: at(2) }));
      await new Promise((r) => setTimeout(r, 100)); // B is waiting for A's key
      a.release();
      await a.done;
      await b; // before: "Duplicate entry 'checkpoint:race2'", and the node's start-up failed
      expect(await t.db('scheduled_jobs').where({ job_key: 'checkpoint:race2' })).to.have.length(1);
    }
    const rows = await t.db('scheduled_jobs').where({ job_key: 'checkpoint:race' });
    expect(rows).to.have.length(1);
    expect(rows[0].status).to.equal('pending');
    // Scheduling again moves it (an update, not a second row).
    await nodes[0].schedule(t.db, { kind: 'audit.checkpoint', key: 'checkpoint:race', runAt: at(9), payload: { k: 9 } });
    const again = await t.db('scheduled_jobs').where({ job_key: 'checkpoint:race' });
    expect(again).to.have.length(1);
    expect(JSON.parse(again[0].payload_json)).to.deep.equal({ k: 9 });
  });

  it('catches up after a restart: a new scheduler runs jobs that fell due while down', async () => {
    const first = new Scheduler({ db: t.db, clock, log });
    await first.schedule(t.db, { kind: 'deadline', key: 'deadline:7', runAt: new Date(clock.now().getTime() + 1000) });
    // "server down" for an hour
    clock.advance(3600_000);
    const second = new Scheduler({ db: t.db, clock, log });
    let ran = 0;
    second.define('deadline', async () => void ran++);
    expect(await second.runDue()).to.equal(1);
    expect(ran).to.equal(1);
  });

  it('catches up on a chain of late steps before serving: a late job that schedules a next step already due runs it too', async () => {
    const down = new Scheduler({ db: t.db, clock, log });
    const end = clock.now().getTime() + 1000;
    await down.schedule(t.db, { kind: 'period', key: 'period:a', runAt: new Date(end), payload: { step: 1 } });
    clock.advance(10 * 86_400_000); // down for ten days: the first period and the next one after it both ended meanwhile
    const up = new Scheduler({ db: t.db, clock, log });
    const ran: number[] = [];
    up.define<{ step: number }>('period', async (job) => {
      ran.push(job.payload.step);
      // The next period counts from when this one ended, not from now: it is already over too.
      if (job.payload.step < 3) await up.schedule(t.db, { kind: 'period', key: `period:${job.payload.step + 1}`, runAt: new Date(end + job.payload.step * 86_400_000), payload: { step: job.payload.step + 1 } });
    });
    await up.start();
    up.stop();
    expect(ran).to.deep.equal([1, 2, 3]); // before: only 1, the others a tick (a second) each later
    expect(await t.db('scheduled_jobs').where('job_key', 'like', 'period:%').whereNot({ status: 'done' })).to.have.length(0);
  });

  it('retries a failing job with backoff and records the error', async () => {
    const s = new Scheduler({ db: t.db, clock, log });
    let calls = 0;
    s.define('flaky', async () => {
      calls++;
      if (calls < 2) throw new Error('finance system down');
    });
    await s.schedule(t.db, { kind: 'flaky', key: 'flaky:1', runAt: clock.now() });
    await s.runDue();
    const row = await t.db('scheduled_jobs').where({ job_key: 'flaky:1' }).first();
    expect(row.status).to.equal('pending');
    expect(row.last_error).to.equal('finance system down');
    clock.advance(5000);
    await s.runDue();
    expect((await t.db('scheduled_jobs').where({ job_key: 'flaky:1' }).first()).status).to.equal('done');
  });

  it('rescheduling a key moves the job; cancelling stops it', async () => {
    const s = new Scheduler({ db: t.db, clock, log });
    let ran = 0;
    s.define('move', async () => void ran++);
    await s.schedule(t.db, { kind: 'move', key: 'move:1', runAt: clock.now() });
    await s.schedule(t.db, { kind: 'move', key: 'move:1', runAt: new Date(clock.now().getTime() + 10_000) });
    expect(await s.runDue()).to.equal(0);
    await s.cancel(t.db, 'move:1');
    clock.advance(20_000);
    expect(await s.runDue()).to.equal(0);
    expect(ran).to.equal(0);
  });

  it('hands a job over when its holder stops renewing: not while the lease is renewed, within the lease after, and the old holder cannot finish it', async () => {
    const a = new Scheduler({ db: t.db, clock, log, holder: 'node-a' });
    const b = new Scheduler({ db: t.db, clock, log, holder: 'node-b' });
    const ran: string[] = [];
    let entered!: () => void;
    let release!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const gate = new Promise<void>((r) => (release = r));
    a.define('close', async () => {
      entered();
      await gate; // node A stalls inside the job (paused, cut off)
      ran.push('a');
    });
    b.define('close', async () => void ran.push('b'));
    await b.schedule(t.db, { kind: 'close', key: 'close:lease', runAt: clock.now() });
    const aRun = a.runDue();
    await inside;
    expect(await t.db('scheduled_jobs').where({ job_key: 'close:lease' }).first()).to.include({ status: 'running', locked_by: 'node-a' });
    // A renews its lease: B leaves the job alone even past the first lease's length.
    clock.advance(JOB_LEASE_MS - 1000);
    await a.renewLeases();
    clock.advance(JOB_LEASE_MS - 1000);
    expect(await b.runDue()).to.equal(0);
    // A stops renewing: once the lease lapses B takes the job over and runs it.
    clock.advance(2000);
    expect(await b.runDue()).to.equal(1);
    expect(ran).to.deep.equal(['b']);
    expect(await t.db('scheduled_jobs').where({ job_key: 'close:lease' }).first()).to.include({ status: 'done', locked_by: null });
    // A wakes up and finishes its stale run: it cannot touch the job B finished.
    release();
    await aRun;
    const row = await t.db('scheduled_jobs').where({ job_key: 'close:lease' }).first();
    expect(row).to.include({ status: 'done', attempts: 2 });
  });
});
