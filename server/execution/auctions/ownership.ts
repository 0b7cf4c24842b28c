// One owner per running competition (cluster mode). A lease row in `auction_owners` names the
// node that runs a competition's sequencer, with a fencing epoch and an expiry. The owner renews
// its leases every `ownerRenewMs`; a lease not renewed for `ownerLeaseMs` may be taken by any
// node, which raises the epoch and rebuilds the competition from the database. Every bid batch
// checks, in its own transaction and under the lease row's lock, that this node's epoch still
// holds: a paused or cut-off owner can therefore never commit after another node took over.
//
// Single node (no REDIS_URL): there is nobody to hand over to, so there is no lease at all and
// the fence is a no-op: the node owns everything, exactly as before.
import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import type { Tx } from '../../db/tx';
import { toDbTime, fromDbTime, type Clock } from '../../db/time';
import { isUniqueViolation } from '../../db/errors';
import type { Logger } from '../../http/log';
import { LeaseKeeper, type KeeperReport } from './lease-keeper';

/** The lease row this node read or wrote. */
export interface Lease {
  auctionId: number;
  nodeId: string;
  epoch: number;
  expiresAt: Date;
}

/** A batch found that this node no longer holds the competition's lease: nothing was written. */
export class FencedError extends Error {
  constructor(public auctionIds: number[], public held: Lease[]) {
    super(`lease lost for competition(s) ${auctionIds.join(', ')}: another node owns them now`);
    this.name = 'FencedError';
  }
}

export class CompetitionOwnership {
  /** Competitions this node holds, with the epoch it holds them at and its own view of the expiry. */
  readonly held = new Map<number, { epoch: number; expiresAt: number }>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  /** Called when a renewal finds a lease gone (another node took it): drop the competition. */
  onLost: (auctionId: number) => void = () => {};
  /** Called on every renewal tick (after the renewals): the service sweeps for orphaned competitions. */
  onTick: () => Promise<void> = async () => {};
  /** The last lease row read for competitions other nodes hold (how long to wait for their owner). */
  readonly lastSeen = new Map<number, Lease>();
  /** Counters for the tests, the benchmark and the operators' screen. */
  stats = { acquired: 0, takenOver: 0, lost: 0, fenced: 0, renewals: 0 };

  constructor(
    private deps: { db: Db; clock: Clock; log: Logger },
    readonly nodeId: string,
    /** false: single node, no leases (the node owns everything). */
    readonly clustered: boolean,
    readonly leaseMs: number,
    readonly renewMs: number,
    /** MariaDB: renew from a worker thread on its own connection (see lease-keeper.ts); null: on the main thread. */
    private keeperOpts: { connection: object; silenceMs: number } | null = null,
  ) {}
  /** The worker renewing this node's leases (null: the main thread renews them). */
  private keeper: LeaseKeeper | null = null;

  /** True when this node may run the competition's sequencer without asking the database. */
  ownsFresh(auctionId: number): boolean {
    if (!this.clustered) return true;
    const h = this.held.get(auctionId);
    return !!h && h.expiresAt > this.deps.clock.now().getTime();
  }

  /**
   * The lease as the database has it now (null: nobody ever owned it). Its expiry is the later of
   * the lease row's and the lease keeper's renewal for that node and epoch (auction_owner_renewals).
   */
  async read(auctionId: number): Promise<Lease | null> {
    const r = await this.deps.db('auction_owners as o')
      .leftJoin('auction_owner_renewals as r', (j) => j.on('r.auction_id', 'o.auction_id').andOn('r.node_id', 'o.node_id').andOn('r.epoch', 'o.epoch'))
      .where('o.auction_id', auctionId)
      .first('o.auction_id', 'o.node_id', 'o.epoch', 'o.expires_at', 'r.renewed_until');
    return r ? fromRow(r) : null;
  }

  /**
   * Take the lease if it is free, expired or already ours. Returns the lease (ours) or the current
   * owner's lease (another node's, still valid). Taking an expired lease raises the epoch, with a
   * conditional UPDATE on the epoch read, so two nodes racing for it cannot both win.
   */
  async acquire(auctionId: number): Promise<{ ours: boolean; lease: Lease; tookOver: boolean }> {
    const { db, clock } = this.deps;
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + this.leaseMs);
    const cur = await this.read(auctionId);
    if (!cur) {
      try {
        await db('auction_owners').insert({ auction_id: auctionId, node_id: this.nodeId, epoch: 1, expires_at: toDbTime(expiresAt), acquired_at: toDbTime(now) });
        const lease = { auctionId, nodeId: this.nodeId, epoch: 1, expiresAt };
        this.hold(lease);
        this.stats.acquired++;
        return { ours: true, lease, tookOver: false };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        return this.acquire(auctionId); // another node inserted it first: read again
      }
    }
    const mine = cur.nodeId === this.nodeId && this.held.get(auctionId)?.epoch === cur.epoch;
    if (!mine && cur.expiresAt.getTime() > now.getTime()) {
      this.lastSeen.set(auctionId, cur);
      return { ours: false, lease: cur, tookOver: false };
    }
    this.lastSeen.delete(auctionId);
    // Ours already (renew), or expired (take over with the next epoch).
    const epoch = mine ? cur.epoch : cur.epoch + 1;
    const q = db('auction_owners').where({ auction_id: auctionId, epoch: cur.epoch, node_id: cur.nodeId });
    // Taking over: only if still expired when the row's lock is ours (a batch may have renewed it
    // meanwhile), and not renewed by the owner's lease keeper for that epoch (read under lock too).
    if (!mine)
      q.where('expires_at', '<', toDbTime(now)).whereNotExists((w) =>
        w.select(db.raw('1')).from('auction_owner_renewals').where({ auction_id: auctionId, node_id: cur.nodeId, epoch: cur.epoch }).where('renewed_until', '>=', toDbTime(now)),
      );
    const n = await q.update({ node_id: this.nodeId, epoch, expires_at: toDbTime(expiresAt), ...(mine ? {} : { acquired_at: toDbTime(now) }) });
    if (n !== 1) return this.acquire(auctionId); // lost the race: read again
    const lease = { auctionId, nodeId: this.nodeId, epoch, expiresAt };
    this.hold(lease);
    if (!mine) {
      this.stats.acquired++;
      this.stats.takenOver++;
      this.deps.log.warn('competition lease taken over', { auctionId, from: cur.nodeId, epoch, expiredMs: now.getTime() - cur.expiresAt.getTime() });
    }
    return { ours: true, lease, tookOver: !mine };
  }

  private hold(lease: Lease): void {
    this.held.set(lease.auctionId, { epoch: lease.epoch, expiresAt: lease.expiresAt.getTime() });
    this.keeper?.post();
  }

  /** What the lease keeper renewed: this node's view of the expiry moves; a lease found gone is dropped. */
  private kept(r: KeeperReport): void {
    const mine = new Map(r.mine);
    for (const [id, epoch] of r.asked) {
      const h = this.held.get(id);
      // Released, lost or taken again at another epoch since the worker was asked: not this report's.
      if (!h || h.epoch !== epoch) continue;
      if (mine.get(id) === epoch) {
        this.held.set(id, { epoch, expiresAt: Math.max(h.expiresAt, r.at + this.leaseMs) });
        this.stats.renewals++;
      } else {
        this.drop(id);
        this.deps.log.warn('competition lease lost: another node owns it now', { auctionId: id, epoch });
        this.onLost(id);
      }
    }
  }

  /** Give a lease up (the competition finished here): expire it at once so nobody waits for it. */
  async release(auctionId: number): Promise<void> {
    const h = this.held.get(auctionId);
    this.held.delete(auctionId);
    this.keeper?.post();
    if (!this.clustered || !h) return;
    await this.deps.db('auction_owners').where({ auction_id: auctionId, node_id: this.nodeId, epoch: h.epoch }).delete();
    await this.deps.db('auction_owner_renewals').where({ auction_id: auctionId, node_id: this.nodeId }).delete();
  }

  /** Forget a lease without touching the database (it was lost). */
  drop(auctionId: number): void {
    if (this.held.delete(auctionId)) this.stats.lost++;
    this.keeper?.post();
  }

  /**
   * Inside a bid batch's (or a control step's) transaction: renew and lock the competitions' lease
   * rows and check that this node still holds each at its epoch. Throws FencedError otherwise; the caller's
   * transaction then rolls back, so nothing of the batch is stored. The lock makes a takeover
   * wait for a batch that passed the check to commit, so the new owner rebuilds with its bids.
   */
  async fence(tx: Tx, auctionIds: number[]): Promise<Map<number, number>> {
    const plan = this.fencePlan(tx, auctionIds);
    const matched = plan.statement ? Number(await plan.statement) : 0;
    return this.fenceSettle(tx, auctionIds, plan, matched);
  }

  /**
   * The fence's statement, to be sent first in the transaction (alone, or with the batch's other
   * statements in one round trip: see engine.ts); `fenceSettle` then checks its matched rows.
   */
  fencePlan(tx: Tx, auctionIds: number[]): { epochs: Map<number, number>; until: number; statement: Knex.QueryBuilder | null } {
    const epochs = new Map<number, number>();
    const until = this.deps.clock.now().getTime() + this.leaseMs;
    if (!this.clustered || !auctionIds.length) return { epochs, until, statement: null };
    for (const id of auctionIds) {
      const h = this.held.get(id);
      if (h) epochs.set(id, h.epoch);
    }
    // A batch renews the leases it writes under: a busy owner stays the owner even when its
    // renewal timer runs late (an overloaded event loop), and the UPDATE takes the rows' locks.
    // One statement, conditional on this node's name and each held epoch: it matches every row
    // exactly when every lease still holds (MySQL counts matched rows, changed or not).
    const ids = [...epochs.keys()];
    const statement = ids.length
      ? tx('auction_owners')
          .whereIn('auction_id', ids)
          .where({ node_id: this.nodeId })
          .where('epoch', tx.raw(`CASE auction_id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END`, ids.flatMap((id) => [id, epochs.get(id)!])))
          .update({ expires_at: toDbTime(until) })
      : null;
    return { epochs, until, statement };
  }

  /** Throws FencedError unless the fence statement matched every competition's lease row. */
  async fenceSettle(tx: Tx, auctionIds: number[], plan: { epochs: Map<number, number>; until: number }, matched: number): Promise<Map<number, number>> {
    const { epochs, until } = plan;
    if (!this.clustered || !auctionIds.length) return epochs;
    if (matched !== auctionIds.length) {
      const { lost, rows } = await this.lostLeases(tx, auctionIds, plan);
      this.stats.fenced++;
      throw new FencedError(lost.length ? lost : auctionIds, rows);
    }
    // Committed: this node's view of the expiry moves too (never before the commit).
    tx.afterCommit(() => {
      for (const [id, epoch] of epochs) {
        const h = this.held.get(id);
        if (h && h.epoch === epoch) this.held.set(id, { epoch, expiresAt: Math.max(h.expiresAt, until) });
      }
    });
    return epochs;
  }

  /**
   * Throws FencedError when a lease the plan counted on is gone: which ones, and who holds them
   * now (for the log and the caller). Also asked after a batch's statement failed behind the
   * fence in the same round trip (a lost lease lets the new owner's bids take the same seq).
   */
  async fenceRecheck(tx: Tx, auctionIds: number[], plan: { epochs: Map<number, number> }): Promise<void> {
    if (!this.clustered || !auctionIds.length) return;
    const { lost, rows } = await this.lostLeases(tx, auctionIds, plan);
    if (!lost.length) return;
    this.stats.fenced++;
    throw new FencedError(lost, rows);
  }

  private async lostLeases(tx: Tx, auctionIds: number[], plan: { epochs: Map<number, number> }): Promise<{ lost: number[]; rows: Lease[] }> {
    const rows = (await tx('auction_owners').whereIn('auction_id', auctionIds).select('auction_id', 'node_id', 'epoch', 'expires_at')).map(fromRow);
    const lost = auctionIds.filter((id) => {
      const r = rows.find((x) => x.auctionId === id);
      return !plan.epochs.has(id) || !r || r.nodeId !== this.nodeId || r.epoch !== plan.epochs.get(id);
    });
    return { lost, rows };
  }

  /**
   * Renew every lease this node holds in one statement (a lease row is locked while a batch of
   * its competition commits, so one UPDATE per competition would queue behind every batch in turn
   * and could outlast the lease), then read back which are still ours; a lease found gone (another
   * node raised the epoch) is dropped (onLost).
   */
  async renewAll(): Promise<void> {
    if (!this.clustered || this.renewing || !this.held.size) return;
    this.renewing = true;
    try {
      const { db, clock } = this.deps;
      const expiresAt = clock.now().getTime() + this.leaseMs;
      const ids = [...this.held.keys()];
      // A row still naming this node is this node's lease: a takeover always writes the taker's name.
      await db('auction_owners').whereIn('auction_id', ids).where({ node_id: this.nodeId }).update({ expires_at: toDbTime(expiresAt) });
      const rows: Array<{ auction_id: number; epoch: number | string }> = await db('auction_owners').whereIn('auction_id', ids).where({ node_id: this.nodeId }).select('auction_id', 'epoch');
      const mine = new Map(rows.map((r) => [Number(r.auction_id), Number(r.epoch)]));
      for (const id of ids) {
        const h = this.held.get(id);
        if (!h) continue; // released meanwhile
        if (mine.get(id) === h.epoch) {
          // Counted from before the UPDATE was sent: this node's view never outlives the row's.
          this.held.set(id, { epoch: h.epoch, expiresAt: Math.max(h.expiresAt, expiresAt) });
          this.stats.renewals++;
        } else {
          this.drop(id);
          this.deps.log.warn('competition lease lost: another node owns it now', { auctionId: id, epoch: h.epoch });
          this.onLost(id);
        }
      }
    } finally {
      this.renewing = false;
    }
  }

  /** What a forwarded answer tells the asking node about this node's lease (so it knows how long to wait next time). */
  leaseOf(auctionId: number): Lease | null {
    const h = this.held.get(auctionId);
    return h ? { auctionId, nodeId: this.nodeId, epoch: h.epoch, expiresAt: new Date(h.expiresAt) } : null;
  }

  /** A lease another node reported (with its answer). */
  saw(lease: Lease): void {
    if (lease.nodeId === this.nodeId) return;
    // The newest word wins: a later epoch, or the same epoch renewed further.
    const cur = this.lastSeen.get(lease.auctionId);
    if (!cur || lease.epoch > cur.epoch || (lease.epoch === cur.epoch && lease.expiresAt > cur.expiresAt)) this.lastSeen.set(lease.auctionId, lease);
  }

  /**
   * Competitions running or suspended whose lease is missing or expired (the sweep takes them).
   * The same read refreshes this node's view of every other node's live lease (lastSeen): a
   * competition whose bidders on this node were quiet for longer than a lease is still forwarded
   * to its owner at once, without reading the lease first (the answers' lease notes only move it
   * while bids flow).
   */
  async orphans(): Promise<number[]> {
    const now = this.deps.clock.now();
    const rows = await this.deps.db('auctions as a')
      .leftJoin('auction_owners as o', 'o.auction_id', 'a.id')
      .leftJoin('auction_owner_renewals as r', (j) => j.on('r.auction_id', 'o.auction_id').andOn('r.node_id', 'o.node_id').andOn('r.epoch', 'o.epoch'))
      .whereIn('a.status', ['running', 'suspended'])
      .select('a.id', 'o.auction_id', 'o.node_id', 'o.epoch', 'o.expires_at', 'r.renewed_until');
    const orphans: number[] = [];
    const running = new Set<number>();
    for (const r of rows) {
      running.add(Number(r.id));
      const lease = r.auction_id == null ? null : fromRow(r);
      if (!lease || lease.expiresAt <= now) orphans.push(Number(r.id));
      else this.saw(lease);
    }
    // Finished competitions need no owner any more: forgotten, so the view stays as small as what runs.
    for (const id of this.lastSeen.keys()) if (!running.has(id)) this.lastSeen.delete(id);
    return orphans;
  }

  start(): void {
    if (!this.clustered || this.timer) return;
    if (this.keeperOpts && !this.keeper) {
      try {
        this.keeper = new LeaseKeeper(
          { ...this.keeperOpts, nodeId: this.nodeId, leaseMs: this.leaseMs, renewMs: this.renewMs, log: this.deps.log },
          () => [...this.held].map(([id, h]) => [id, h.epoch] as [number, number]),
          (r) => this.kept(r),
          (err) => {
            this.deps.log.warn('lease keeper failed: leases renewed on the main thread', { error: err.message });
            this.keeper = null;
          },
        );
      } catch (err) {
        this.deps.log.warn('lease keeper could not start: leases renewed on the main thread', { error: (err as Error).message });
      }
    }
    this.timer = setInterval(() => {
      // With a keeper the worker renews; the main tick only sweeps for orphaned competitions.
      void (this.keeper ? Promise.resolve() : this.renewAll())
        .then(() => this.onTick())
        .catch((e) => this.deps.log.warn('competition lease renewal failed', { error: (e as Error).message }));
    }, this.renewMs);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.keeper?.close();
    this.keeper = null;
  }
}

function fromRow(r: { auction_id: number; node_id: string; epoch: number | string; expires_at: string | Date; renewed_until?: string | Date | null }): Lease {
  const renewed = fromDbTime(r.renewed_until ?? null);
  const expiresAt = fromDbTime(r.expires_at)!;
  return { auctionId: Number(r.auction_id), nodeId: r.node_id, epoch: Number(r.epoch), expiresAt: renewed && renewed > expiresAt ? renewed : expiresAt };
}
