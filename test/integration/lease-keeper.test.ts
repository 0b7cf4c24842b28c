// The lease keeper (cluster mode on MariaDB): a worker thread renews a node's competition leases
// on its own connection, so a main thread that is busy for longer than the lease keeps them; and
// it stops when the main thread has been silent past its bound, so a wedged node still loses them.
import { expect } from 'chai';
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { LeaseKeeper, type KeeperReport } from '../../server/execution/auctions/lease-keeper';
import { mysqlConnection } from '../../server/db/knex';
import { toDbTime, fromDbTime } from '../../server/db/time';
import { createLogger } from '../../server/http/log';
import { systemClock } from '../../server/db/time';
import { CompetitionOwnership } from '../../server/execution/auctions/ownership';

/** Keep the main thread's event loop busy (a burst of work), as an overloaded owner's would be. */
function busy(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) Math.sqrt(Math.random());
}

describe(`lease keeper: leases renewed off the main thread (${TEST_DIALECT})`, function () {
  this.timeout(30000);
  let t: TestDb;
  before(async function () {
    if (TEST_DIALECT !== 'mysql') this.skip(); // the keeper exists on MariaDB/MySQL only
    t = await createTestDb();
  });
  after(async () => t?.destroy());

  /** Another node's view of the leases (reads, and takes over what has expired). */
  const reader = (nodeId = 'other-node') => new CompetitionOwnership({ db: t.db, clock: systemClock, log: createLogger('silent') }, nodeId, true, 1000, 200);

  async function keep(auctionId: number, silenceMs: number, busyMs = 3000) {
    const now = Date.now();
    await t.db('auction_owners').insert({ auction_id: auctionId, node_id: 'keeper-node', epoch: 3, expires_at: toDbTime(now + 1000), acquired_at: toDbTime(now) });
    const reports: KeeperReport[] = [];
    const warnings: string[] = [];
    const log = Object.assign(Object.create(createLogger('silent')), { warn: (msg: string) => warnings.push(msg) });
    const k = new LeaseKeeper(
      { connection: mysqlConnection({ databaseUrl: t.databaseUrl }), nodeId: 'keeper-node', leaseMs: 1000, renewMs: 200, silenceMs, log },
      () => [[auctionId, 3]],
      (r) => reports.push(r),
      (err) => warnings.push(err.message),
    );
    // The first renewal arrives: the worker is up.
    for (let i = 0; i < 100 && !reports.length; i++) await new Promise((r) => setTimeout(r, 50));
    expect(reports.length, warnings.join('; ')).to.be.greaterThan(0);
    expect(reports[0].mine).to.deep.equal([[auctionId, 3]]);
    const blockedAt = Date.now();
    busy(busyMs);
    const freedAt = Date.now();
    // Stopped before the main thread's next heartbeat: the row shows what happened during the block.
    k.close();
    const lease = (await reader().read(auctionId))!;
    return { blockedAt, freedAt, expiresAt: lease.expiresAt.getTime(), epoch: lease.epoch, node: lease.nodeId, warnings };
  }

  it('a main thread busy for three leases keeps its lease (renewed during the block, epoch unchanged)', async () => {
    const r = await keep(990001, 10_000);
    expect(r).to.include({ epoch: 3, node: 'keeper-node' });
    // Without the worker the row would have expired about a second after the block began.
    expect(r.expiresAt - r.blockedAt).to.be.greaterThan(2000);
    expect(r.expiresAt).to.be.greaterThan(r.freedAt - 1000); // renewed late in the block too
  });

  it('a main thread silent past the bound loses it (the worker stops renewing)', async () => {
    // Busy for 4 s: the last renewal is about 1 s in (expiry about 2.2 s in); renewing on through the
    // block would put the expiry near 5 s.
    const r = await keep(990002, 1000, 4000);
    expect(r.expiresAt).to.be.lessThan(r.freedAt);
    expect(r.expiresAt - r.blockedAt).to.be.lessThan(3300);
    expect(r.warnings.some((w) => /silent/.test(w))).to.equal(true);
    expect(r).to.include({ epoch: 3, node: 'keeper-node' });
  });

  it('never renews another epoch or another node\'s lease', async () => {
    const now = Date.now();
    await t.db('auction_owners').insert({ auction_id: 990003, node_id: 'keeper-node', epoch: 4, expires_at: toDbTime(now + 300), acquired_at: toDbTime(now) });
    await t.db('auction_owners').insert({ auction_id: 990004, node_id: 'other-node', epoch: 3, expires_at: toDbTime(now + 300), acquired_at: toDbTime(now) });
    // Taken over by another node at epoch 2, which renewed it: a late renewal for epoch 1 must not overwrite that.
    await t.db('auction_owners').insert({ auction_id: 990006, node_id: 'other-node', epoch: 2, expires_at: toDbTime(now + 300), acquired_at: toDbTime(now) });
    await t.db('auction_owner_renewals').insert({ auction_id: 990006, node_id: 'other-node', epoch: 2, renewed_until: toDbTime(now + 5000) });
    const reports: KeeperReport[] = [];
    const k = new LeaseKeeper(
      { connection: mysqlConnection({ databaseUrl: t.databaseUrl }), nodeId: 'keeper-node', leaseMs: 1000, renewMs: 100, silenceMs: 10_000, log: createLogger('silent') },
      () => [[990003, 3], [990004, 3], [990006, 1]],
      (r) => reports.push(r),
      () => undefined,
    );
    for (let i = 0; i < 100 && !reports.length; i++) await new Promise((r) => setTimeout(r, 50));
    k.close();
    // Asked about epoch 3, the database holds epoch 4 (taken again meanwhile): not renewed, and reported as not ours at 3.
    expect(reports[0].mine).to.deep.equal([[990003, 4]]);
    for (const id of [990003, 990004]) expect((await reader().read(id))!.expiresAt.getTime()).to.equal(now + 300);
    expect((await reader().read(990006))!.expiresAt.getTime()).to.equal(now + 5000);
    expect(await t.db('auction_owner_renewals').where({ auction_id: 990006 }).first()).to.include({ node_id: 'other-node' });
  });

  it('renews while a batch holds the lease row locked, so no node takes it over when the batch commits', async () => {
    const now = Date.now();
    await t.db('auction_owners').insert({ auction_id: 990005, node_id: 'keeper-node', epoch: 1, expires_at: toDbTime(now + 1000), acquired_at: toDbTime(now) });
    const reports: KeeperReport[] = [];
    const k = new LeaseKeeper(
      { connection: mysqlConnection({ databaseUrl: t.databaseUrl }), nodeId: 'keeper-node', leaseMs: 1000, renewMs: 200, silenceMs: 10_000, log: createLogger('silent') },
      () => [[990005, 1]],
      (r) => reports.push(r),
      () => undefined,
    );
    // A slow batch: its fence locks the lease row for three leases.
    const tx = await t.db.transaction();
    await tx('auction_owners').where({ auction_id: 990005 }).update({ expires_at: toDbTime(now + 1000) });
    await new Promise((r) => setTimeout(r, 3000));
    const during = reports.filter((r) => r.at > now + 1000).length;
    const taker = reader('taker-node');
    const attempt = taker.acquire(990005); // waits for the batch's lock, then finds the lease renewed
    await new Promise((r) => setTimeout(r, 200));
    await tx.commit();
    const got = await attempt;
    k.close();
    expect(during, 'renewals while the row was locked').to.be.greaterThan(3);
    expect(got.ours).to.equal(false);
    expect(got.lease).to.include({ nodeId: 'keeper-node', epoch: 1 });
    expect(got.lease.expiresAt.getTime()).to.be.greaterThan(Date.now());
  });
});
