// The bid sequencer with group commit. One Node process owns the order of validation:
// bids are queued, validated in arrival order against the in-memory state, and every bid
// gathered while the previous commit was running is written in ONE transaction (bid rows,
// their audit events, the competitions' rows, moved end jobs). Only after that commit are
// the answers sent and the new state announced; if the commit fails, the in-memory state is
// rolled back and the batch's bids are rejected. The audit chain head is one locked row, so
// one transaction per bid could never go faster than one commit per bid; batches can. Each
// competition's bids in a batch share one audit event ('auction.bids_accepted', the bids listed
// with every fact), so the audit insert grows with competitions, not with bids.
import type { Knex } from 'knex';
import { abortTransaction, type Db } from '../../db/knex';
import { withTx, type Tx } from '../../db/tx';
import { DbTimeoutError, isDbUnavailable, withTimeout } from '../../db/faults';
import { DEFAULT_LIMITS, type Limits } from '../../config';
import type { HealthMonitor } from '../../health/monitor';
import { BidAdmission } from './admission';
import type { Clock } from '../../db/time';
import type { Logger } from '../../http/log';
import type { Scheduler } from '../../scheduler/scheduler';
import { recordMany, recordManyAlong, type AuditEvent, type AuditInput } from '../../supervision/audit/audit';
import { statementOf } from '../../db/statements';
import { systemActor, type Actor } from '../../http/actor';
import { bidInserts, insertBids, runningFigures, updateRunningFigures, type BidInsert } from './repository';
import { checkBid, decrementFen, extendedEnd, parseAmount, type BidRejection } from './rules';
import type { AuditPointer, BidAnswer, LiveAuction, Snapshot } from './live';
import { FencedError } from './ownership';

export const CLOSE_JOB = 'auction.close';
export const closeJobKey = (id: number) => `auction:close:${id}`;

export interface BidRequest {
  auctionId: number;
  supplierId: number;
  userId: number | null;
  amount: unknown;
  clientBidId: string;
  ip: string | null;
  deviceId: string | null;
}

type Task =
  | { kind: 'bid'; req: BidRequest; resolve: (a: BidAnswer) => void; queuedAt: number }
  | { kind: 'control'; run: () => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void };

const MAX_BATCH = 2000;

const REJECTION_MESSAGES: Record<string, string> = {
  AUCTION_NOT_FOUND: 'No such competition',
  AUCTION_NOT_STARTED: 'The competition has not started',
  AUCTION_SUSPENDED: 'The competition is suspended',
  AUCTION_ENDED: 'The competition has ended',
  NOT_A_PARTICIPANT: 'Your company has not joined this competition',
  BAD_AMOUNT: 'The amount must be a positive whole number of fen (at most 1,000,000,000,000)',
  ABOVE_CEILING: 'The amount is above the ceiling price',
  ABOVE_OWN_AGREEMENT_PRICE: 'The amount is above your own framework agreement price for this order',
  NOT_BELOW_OWN_BID: 'The amount must be at least one decrement below your previous bid',
  NOT_BELOW_BEST: 'The amount must be at least one decrement below the current best price',
  BID_NOT_RECORDED: 'The bid could not be recorded (nothing was stored); send it again',
  SERVICE_UNAVAILABLE: 'The platform cannot take bids right now; send the bid again with the same clientBidId shortly',
};

/** How long a bidder is asked to wait before sending again when the platform cannot take bids. */
export const RETRY_AFTER_MS = 2000;
/** The lease check of a batch: its statement (sent first), then the check of what it matched. */
export interface BatchFence {
  plan(tx: Tx, auctionIds: number[]): { epochs: Map<number, number>; until: number; statement: Knex.QueryBuilder | null };
  settle(tx: Tx, auctionIds: number[], plan: { epochs: Map<number, number>; until: number }, matched: number): Promise<Map<number, number>>;
  /** After a statement sent with the fence failed: FencedError if a lease is gone (else nothing). */
  recheck(tx: Tx, auctionIds: number[], plan: { epochs: Map<number, number> }): Promise<void>;
}

/** After a batch was fenced off (the competition moved to another node): resend soon. */
export const FENCED_RETRY_MS = 200;

export function rejection(auctionId: number, clientBidId: string, code: string, message = REJECTION_MESSAGES[code] ?? code, extra: { retryAfterMs?: number; limit?: Record<string, number> } = {}): BidAnswer {
  return { type: 'bid.rejected', auctionId, clientBidId, code, message, ...extra };
}

/** Nothing was stored: the bid may simply be sent again. */
export const notRecorded = (auctionId: number, clientBidId: string) => rejection(auctionId, clientBidId, 'BID_NOT_RECORDED', undefined, { retryAfterMs: 500 });
/** The platform cannot take bids now (database unreachable, queue full, outcome not yet known). */
export const unavailable = (auctionId: number, clientBidId: string, message?: string, retryAfterMs = RETRY_AFTER_MS) => rejection(auctionId, clientBidId, 'SERVICE_UNAVAILABLE', message, { retryAfterMs });

export class AuctionEngine {
  readonly live = new Map<number, LiveAuction>();
  private queue: Task[] = [];
  private draining = false;
  private kicked = false;
  private inflight = new Map<string, Promise<BidAnswer>>();
  /** Called after each committed batch with the competitions whose state changed. */
  onCommitted: (ids: Set<number>) => void = () => {};
  /** Called when an extension moved a competition's end (re-arm the precise timer). */
  onEndMoved: (live: LiveAuction) => void = () => {};
  /**
   * Where the time goes: batches, bids, the largest batch, time validating and committing. beginMs
   * (validation's end to the first write) is txOpenMs (a connection and BEGIN) plus fenceMs (the
   * lease check, cluster mode). On MySQL the batch's statements travel together: writesMs is
   * their two round trips (the fence, bids, audit and figures; beginMs is then txOpenMs alone);
   * elsewhere insertBidsMs, auditMs and figuresMs split them.
   */
  stats = { batches: 0, bids: 0, maxBatch: 0, validateMs: 0, commitMs: 0, announceMs: 0, insertBidsMs: 0, auditMs: 0, figuresMs: 0, beginMs: 0, endMs: 0, txOpenMs: 0, fenceMs: 0, failedBatches: 0, abandonedBatches: 0, fencedBatches: 0, writesMs: 0 };
  /** Answers given by code since the start (the fault tests and the board read them). */
  answered: Record<string, number> = {};
  readonly admission: BidAdmission;
  readonly limits: Limits;
  /** Competitions whose last batch's fate is unknown: rebuilt from the database before their next bid. */
  readonly unsure = new Set<number>();
  /** Rebuilds a competition from the database (set by the service). */
  reload: (id: number) => Promise<LiveAuction | null> = async () => null;
  /** performance.now() when the batch now committing started (null: none). */
  committingSince: number | null = null;
  /**
   * Fault injection for tests: awaited inside each bid batch's transaction before its writes, so
   * a test can hold a batch open (or fail it) and look at what readers see meanwhile.
   */
  beforeBatchWrites: ((auctionIds: number[]) => Promise<void>) | null = null;
  /**
   * Cluster mode: checks inside the batch's transaction that this node still holds the
   * competitions' leases (settle throws FencedError otherwise). Null on a single node.
   */
  fence: BatchFence | null = null;
  /** The batch was fenced off: this node lost those competitions (the service drops them). */
  onFenced: (auctionIds: number[]) => void = () => {};

  constructor(private deps: { db: Db; clock: Clock; log: Logger; scheduler: Scheduler; config?: { limits: Limits }; health?: HealthMonitor }) {
    this.limits = deps.config?.limits ?? DEFAULT_LIMITS;
    this.admission = new BidAdmission(this.limits);
  }

  /** Bids waiting for the sequencer (not counting the batch being committed). */
  get queued(): number {
    let n = 0;
    for (const t of this.queue) if (t.kind === 'bid') n++;
    return n;
  }

  /** Age of the oldest bid still waiting (0 when none). */
  get oldestQueuedMs(): number {
    for (const t of this.queue) if (t.kind === 'bid') return performance.now() - t.queuedAt;
    return 0;
  }

  /** Queue a bid; resolves with the answer once it is committed (or rejected). Never rejects. */
  submit(req: BidRequest): Promise<BidAnswer> {
    const k = `${req.auctionId}\u0000${req.supplierId}\u0000${req.clientBidId}`;
    const pending = this.inflight.get(k);
    if (pending) return pending; // the same clientBidId is already on its way: one answer for both
    const done = this.live.get(req.auctionId)?.answerFor(req.supplierId, req.clientBidId);
    if (done) return Promise.resolve(this.count(this.withRank(done, req)));
    // Bounded queues: shed before waiting, with a retry hint, instead of growing without limit.
    const full = this.admission.room(req.auctionId, req.supplierId);
    if (full) return Promise.resolve(this.count(rejection(req.auctionId, req.clientBidId, full.code, full.message, { retryAfterMs: full.retryAfterMs, limit: full.limit })));
    this.admission.enqueued(req.auctionId, req.supplierId);
    const p = new Promise<BidAnswer>((resolve) => {
      this.queue.push({
        kind: 'bid',
        req,
        queuedAt: performance.now(),
        resolve: (a) => {
          this.admission.dequeued(req.auctionId, req.supplierId);
          resolve(this.count(a));
        },
      });
      this.kick();
    });
    this.inflight.set(k, p);
    void p.then(() => this.inflight.delete(k));
    return p;
  }

  /** Counts an answer by its code (accepted answers as 'ACCEPTED'). */
  count(a: BidAnswer): BidAnswer {
    const code = a.type === 'bid.accepted' ? 'ACCEPTED' : a.code;
    this.answered[code] = (this.answered[code] ?? 0) + 1;
    return a;
  }

  /** Run a state change (open, close, suspend, resume) between bid batches, never during one. */
  control<T>(run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ kind: 'control', run, resolve: resolve as (v: unknown) => void, reject });
      this.kick();
    });
  }

  /** Resolves when everything queued so far has been processed (tests, shutdown). */
  idle(): Promise<void> {
    return this.control(async () => undefined);
  }

  private kick(): void {
    if (this.draining || this.kicked) return;
    this.kicked = true;
    // setImmediate: bids that arrive in the same event-loop turn share the first batch.
    setImmediate(() => {
      this.kicked = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.queue.length) {
        const head = this.queue[0];
        if (head.kind === 'control') {
          this.queue.shift();
          try {
            head.resolve(await head.run());
          } catch (err) {
            head.reject(err);
          }
          continue;
        }
        let n = 0;
        while (n < this.queue.length && n < MAX_BATCH && this.queue[n].kind === 'bid') n++;
        let batch = this.queue.splice(0, n) as Array<Extract<Task, { kind: 'bid' }>>;
        try {
          batch = await this.settleUnsure(batch);
          await this.flush(batch);
        } catch (err) {
          // Whatever went wrong, every bid of the batch gets its own answer (never silence).
          this.deps.log.error('bid batch failed', { error: (err as Error).message });
          for (const t of batch) t.resolve(isDbUnavailable(err) ? unavailable(t.req.auctionId, t.req.clientBidId) : notRecorded(t.req.auctionId, t.req.clientBidId));
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private decide(live: LiveAuction | undefined, req: BidRequest, now: number): { code: BidRejection | string; message?: string } | null {
    if (!live) return { code: 'AUCTION_NOT_FOUND' };
    const a = live.a;
    if (a.status === 'announced' || a.status === 'draft') return { code: 'AUCTION_NOT_STARTED' };
    if (a.status === 'suspended') return { code: 'AUCTION_SUSPENDED' };
    if (a.status !== 'running' || !a.endsAt || now >= a.endsAt.getTime()) return { code: 'AUCTION_ENDED' };
    if (!live.participants.has(req.supplierId)) return { code: 'NOT_A_PARTICIPANT' };
    const amount = parseAmount(req.amount);
    if (amount === null) return { code: 'BAD_AMOUNT' };
    const own = live.standings.get(req.supplierId)?.amountFen ?? null;
    const mine = live.participants.get(req.supplierId)!;
    // A framework second competition: no entry supplier bids above its own agreement price.
    const code = checkBid(a, amount, own, a.bestFen) ?? (mine.ownCeilingFen != null && amount > mine.ownCeilingFen ? 'ABOVE_OWN_AGREEMENT_PRICE' : null);
    if (!code) return null;
    if (code === 'ABOVE_OWN_AGREEMENT_PRICE') return { code, message: `The amount is above your own agreement price for this order, ${mine.ownCeilingFen} fen` };
    if (code === 'NOT_BELOW_OWN_BID') return { code, message: `The amount must be at most ${own! - decrementFen(a, own!)} fen (your previous bid minus the decrement)` };
    if (code === 'NOT_BELOW_BEST') return { code, message: `The amount must be at most ${a.bestFen! - decrementFen(a, a.bestFen!)} fen (the best price minus the decrement)` };
    if (code === 'ABOVE_CEILING') return { code, message: `The amount is above the ceiling price of ${a.ceilingFen} fen` };
    return { code };
  }

  private async flush(batch: Array<Extract<Task, { kind: 'bid' }>>): Promise<void> {
    const { db, clock, scheduler } = this.deps;
    const now = clock.now();
    const t = now.getTime();
    const undo = new Map<number, Snapshot>();
    /** Competitions this batch changed before its commit: readers see their committed copy meanwhile. */
    const touched: LiveAuction[] = [];
    const accepted: Array<{ task: (typeof batch)[number]; row: BidInsert; live: LiveAuction; bestBefore: number | null; audit?: AuditPointer }> = [];
    const answers: Array<{ task: (typeof batch)[number]; answer: BidAnswer }> = [];
    const moved = new Map<number, { from: Date; to: Date; bySeq: number }>();
    const reloaded = new Set<number>();
    const t0 = performance.now();

    for (const task of batch) {
      const { req } = task;
      const live = this.live.get(req.auctionId);
      // A retry queued behind its own first attempt gets the first answer.
      const earlier = live?.answerFor(req.supplierId, req.clientBidId);
      if (earlier) {
        answers.push({ task, answer: earlier });
        continue;
      }
      // Cluster mode: the competition left this node while the bid waited (fenced off, lease
      // lost): the resend goes to its new owner.
      if (!live && this.fence) {
        answers.push({ task, answer: unavailable(req.auctionId, req.clientBidId, 'The competition moved to another server; send the bid again with the same clientBidId', FENCED_RETRY_MS) });
        continue;
      }
      const bad = this.decide(live, req, t);
      if (bad) {
        const answer = rejection(req.auctionId, req.clientBidId, bad.code, bad.message);
        live?.remember(req.supplierId, answer);
        answers.push({ task, answer });
        continue;
      }
      const l = live!;
      if (!undo.has(l.a.id)) {
        undo.set(l.a.id, l.snapshot());
        l.beginBatch();
        touched.push(l);
      }
      const amount = req.amount as number;
      const seq = l.a.lastSeq + 1;
      const bestBefore = l.a.bestFen;
      l.applyBid({ supplierId: req.supplierId, amountFen: amount, seq, at: t });
      const newEnd = extendedEnd(l.a.endsAt!.getTime(), t, l.a.extensionSec, l.a.hardEndAt?.getTime() ?? null);
      if (newEnd !== l.a.endsAt!.getTime()) {
        const prev = moved.get(l.a.id);
        moved.set(l.a.id, { from: prev?.from ?? l.a.endsAt!, to: new Date(newEnd), bySeq: seq });
        l.a.endsAt = new Date(newEnd);
      }
      // Remember the clientBidId at once so a retry in this same batch is not a second bid.
      l.remember(req.supplierId, { type: 'bid.accepted', auctionId: l.a.id, clientBidId: req.clientBidId, seq, amount, rank: 0, endsAt: null, acceptedAt: now.toISOString() });
      accepted.push({
        task,
        live: l,
        bestBefore,
        row: { auctionId: l.a.id, seq, supplierId: req.supplierId, amountFen: amount, clientBidId: req.clientBidId, userId: req.userId, ip: req.ip, deviceId: req.deviceId, acceptedAt: now },
      });
    }

    const t1 = performance.now();
    this.stats.validateMs += t1 - t0;
    if (accepted.length) {
      let started = false;
      let abandoned = false;
      let current: Tx | null = null;
      this.committingSince = performance.now();
      try {
        let c3 = 0;
        const commit = withTx(db, async (tx) => {
          if (abandoned) throw new DbTimeoutError('bid batch (abandoned before it began)', this.limits.bidCommitTimeoutMs);
          started = true;
          current = tx;
          const cb = performance.now();
          this.stats.txOpenMs += cb - t1;
          if (this.beforeBatchWrites) await this.beforeBatchWrites([...undo.keys()]);
          const ids = [...undo.keys()];
          // One audit event per competition per batch, listing each bid with all its facts: the
          // chain still covers every bid, at a few rows per batch instead of one per bid.
          const events: AuditInput[] = [];
          const byAuction = new Map<number, typeof accepted>();
          for (const x of accepted) (byAuction.get(x.row.auctionId) ?? byAuction.set(x.row.auctionId, []).get(x.row.auctionId)!).push(x);
          for (const [auctionId, xs] of byAuction) {
            const one = xs.every((x) => x.row.userId === xs[0].row.userId && x.row.ip === xs[0].row.ip);
            const actor: Actor = one ? { userId: xs[0].row.userId, role: 'supplier', requestId: null, ip: xs[0].row.ip, clock } : systemActor('auction-sequencer', clock);
            events.push({
              action: 'auction.bids_accepted',
              entityType: 'auction',
              entityId: auctionId,
              actor,
              after: {
                auctionId,
                ceilingFen: xs[0].live.a.ceilingFen,
                bids: xs.map((x) => ({
                  seq: x.row.seq,
                  supplierId: x.row.supplierId,
                  userId: x.row.userId,
                  amountFen: x.row.amountFen,
                  bestBeforeFen: x.bestBefore,
                  clientBidId: x.row.clientBidId,
                  ip: x.row.ip,
                  deviceId: x.row.deviceId,
                })),
              },
            });
          }
          for (const [id, m] of moved) {
            events.push({ action: 'auction.extended', entityType: 'auction', entityId: id, before: { endsAt: m.from.toISOString() }, after: { endsAt: m.to.toISOString(), bySeq: m.bySeq, reason: 'anti_sniping' } });
          }
          const auditActor = systemActor('auction-anti-sniping', clock);
          const figures = ids.map((id) => this.live.get(id)!.a);
          // First statement of the batch: the fence renews and locks the lease rows until it commits.
          const fence = this.fence ? this.fence.plan(tx, ids) : null;
          for (const x of accepted) x.row.ownerEpoch = fence?.epochs.get(x.row.auctionId) ?? null;
          // MySQL: the fence, the bids, the running figures and the audit's statements in two
          // round trips (each one a wake-up of the database and of this node on a busy machine).
          const first = [...(fence?.statement ? [statementOf(fence.statement)] : []), ...bidInserts(accepted.map((x) => x.row)), runningFigures(figures, now)];
          // The fence is checked as soon as its answer is back, before the audit rows are sent.
          const settle = async (results: any[]) => {
            if (fence) await this.fence!.settle(tx, ids, fence, fence.statement ? Number(results[0].affectedRows) : 0);
          };
          const together = await recordManyAlong(tx, auditActor, events, now, first, [], settle).catch(async (err) => {
            // A statement behind the fence failed (the new owner's bid holds this seq, say): was the
            // lease lost? If the question cannot be answered either, the first failure stands.
            if (fence?.statement && !(err instanceof FencedError)) {
              const fenced = await this.fence!.recheck(tx, ids, fence).then(
                () => null,
                (e: unknown) => (e instanceof FencedError ? e : null),
              );
              if (fenced) throw fenced;
            }
            throw err;
          });
          let recorded: AuditEvent[];
          if (together) {
            recorded = together.events;
            const c0 = performance.now();
            this.stats.beginMs += cb - t1;
            this.stats.writesMs += c0 - cb;
          } else {
            if (fence) await this.fence!.settle(tx, ids, fence, fence.statement ? Number(await fence.statement) : 0);
            const c0 = performance.now();
            this.stats.fenceMs += c0 - cb;
            this.stats.beginMs += c0 - t1;
            await insertBids(tx, accepted.map((x) => x.row));
            const c1 = performance.now();
            recorded = await recordMany(tx, auditActor, events, now);
            const c2 = performance.now();
            await updateRunningFigures(tx, figures, now);
            this.stats.insertBidsMs += c1 - c0;
            this.stats.auditMs += c2 - c1;
            this.stats.figuresMs += performance.now() - c2;
          }
          // Each bid's answer points into the chain: its batch event's seq and hash, and its index in that event's bids.
          [...byAuction.values()].forEach((xs, i) => xs.forEach((x, index) => (x.audit = { seq: recorded[i].seq, hash: recorded[i].hash, stream: recorded[i].stream!, streamSeq: recorded[i].stream_seq!, index })));
          for (const [id, m] of moved) await scheduler.schedule(tx, { kind: CLOSE_JOB, key: closeJobKey(id), runAt: m.to, payload: { auctionId: id } });
          c3 = performance.now();
        });
        // The batch has a time limit (a stalled network or a held lock must not hold every bid):
        // past it the transaction's connection is broken, so it can no longer commit.
        await withTimeout(commit, this.limits.bidCommitTimeoutMs, 'bid batch').catch(async (err) => {
          if (err instanceof DbTimeoutError) {
            abandoned = true;
            this.stats.abandonedBatches++;
            commit.catch(() => undefined);
            if (current) await abortTransaction(current).catch(() => undefined);
          }
          throw err;
        });
        this.stats.endMs += performance.now() - c3;
      } catch (err) {
        this.stats.failedBatches++;
        this.deps.log.error('bid batch not committed; in-memory state rolled back', { bids: accepted.length, error: (err as Error).message });
        if (!(err instanceof FencedError)) this.deps.health?.reportFailure(err);
        for (const [id, snap] of undo) this.live.get(id)!.restore(snap);
        for (const x of accepted) x.live.forget(x.row.supplierId, x.row.clientBidId);
        if (err instanceof FencedError) {
          // Another node owns these competitions now; nothing was stored. The bidder resends with
          // the same clientBidId and this node forwards it to the new owner.
          this.stats.fencedBatches++;
          for (const x of accepted) answers.push({ task: x.task, answer: unavailable(x.row.auctionId, x.row.clientBidId, 'The competition moved to another server; send the bid again with the same clientBidId', FENCED_RETRY_MS) });
          const lost = [...undo.keys()];
          accepted.length = 0;
          moved.clear();
          undo.clear();
          for (const id of lost) this.live.delete(id);
          this.onFenced(lost);
        } else {
        // Did it commit after all (the connection broke after COMMIT was sent)? Ask the database;
        // only a definite "not stored" is answered BID_NOT_RECORDED.
        const fate = started ? await this.fateOf(accepted.map((x) => x.row)) : 'absent';
        if (fate === 'present') {
          // Committed: the database is the truth. Rebuild those competitions and answer from their rows.
          for (const id of undo.keys()) {
            this.unsure.add(id);
            await this.reloadOne(id).catch(() => undefined);
            reloaded.add(id);
          }
          for (const x of accepted) {
            const a = this.live.get(x.row.auctionId)?.answerFor(x.row.supplierId, x.row.clientBidId);
            answers.push({ task: x.task, answer: a ?? unavailable(x.row.auctionId, x.row.clientBidId, 'The bid may have been recorded; send it again with the same clientBidId to learn its answer') });
          }
        } else if (fate === 'absent') {
          for (const x of accepted) answers.push({ task: x.task, answer: notRecorded(x.row.auctionId, x.row.clientBidId) });
        } else {
          // Unknown: the database cannot say now. The competitions are rebuilt before their next
          // bid; a resend with the same clientBidId then gets the stored answer, once.
          for (const id of undo.keys()) this.unsure.add(id);
          for (const x of accepted) answers.push({ task: x.task, answer: unavailable(x.row.auctionId, x.row.clientBidId, 'The platform could not confirm this bid; send it again with the same clientBidId shortly') });
        }
        accepted.length = 0;
        moved.clear();
        undo.clear();
        }
      } finally {
        this.committingSince = null;
        // Committed or rolled back: from here readers see the live state again.
        for (const l of touched) l.endBatch();
      }
    }

    // Committed (or nothing to commit): answer, then announce.
    const t2 = performance.now();
    this.stats.commitMs += t2 - t1;
    this.stats.batches++;
    this.stats.bids += accepted.length;
    this.stats.maxBatch = Math.max(this.stats.maxBatch, accepted.length);
    for (const x of accepted) {
      const a = x.live.a;
      x.task.resolve({ type: 'bid.accepted', auctionId: a.id, clientBidId: x.row.clientBidId, seq: x.row.seq, amount: x.row.amountFen, rank: x.live.rankOf(x.row.supplierId) ?? 0, endsAt: a.endsAt?.toISOString() ?? null, acceptedAt: now.toISOString(), ...(x.audit ? { audit: x.audit } : {}) });
    }
    for (const x of answers) x.task.resolve(this.withRank(x.answer, x.task.req));
    for (const id of moved.keys()) this.onEndMoved(this.live.get(id)!);
    for (const id of reloaded) {
      const l = this.live.get(id);
      if (l) this.onEndMoved(l);
    }
    if (undo.size || reloaded.size) this.onCommitted(new Set([...undo.keys(), ...reloaded]));
    this.stats.announceMs += performance.now() - t2;
  }

  /**
   * After a failed commit: are the batch's bids stored? A locking read of the competitions' rows
   * waits for the failed transaction to end either way (the batch updates those rows), so a
   * commit still in flight is seen. 'unknown' when the database does not answer in time.
   */
  private async fateOf(rows: BidInsert[]): Promise<'present' | 'absent' | 'unknown'> {
    const { db } = this.deps;
    const ids = [...new Set(rows.map((r) => r.auctionId))];
    try {
      const found = await withTimeout(
        withTx(
          db,
          async (tx) => {
            const lock = tx('auctions').whereIn('id', ids).select('id');
            await (db.dialect === 'mysql' ? lock.forShare() : lock);
            const r = rows[0];
            return tx('auction_bids').where({ auction_id: r.auctionId, seq: r.seq, supplier_id: r.supplierId, client_bid_id: r.clientBidId }).first('id');
          },
          { retries: 0 },
        ),
        Math.max(1000, this.limits.healthTimeoutMs * 2),
        'bid batch verification',
      );
      return found ? 'present' : 'absent';
    } catch {
      return 'unknown';
    }
  }

  /** Rebuilds competitions whose last batch's fate was unknown; their bids wait for it, or are answered if it fails. */
  private async settleUnsure(batch: Array<Extract<Task, { kind: 'bid' }>>): Promise<Array<Extract<Task, { kind: 'bid' }>>> {
    if (!this.unsure.size) return batch;
    const failed = new Set<number>();
    for (const id of new Set(batch.map((t) => t.req.auctionId))) {
      if (!this.unsure.has(id)) continue;
      try {
        await this.reloadOne(id);
      } catch {
        failed.add(id);
      }
    }
    if (!failed.size) return batch;
    const keep: typeof batch = [];
    for (const t of batch) {
      if (failed.has(t.req.auctionId)) t.resolve(unavailable(t.req.auctionId, t.req.clientBidId));
      else keep.push(t);
    }
    return keep;
  }

  private async reloadOne(id: number): Promise<void> {
    const fresh = await withTimeout(this.reload(id), Math.max(1000, this.limits.healthTimeoutMs * 2), 'competition reload');
    this.unsure.delete(id);
    if (fresh && (fresh.a.status === 'running' || fresh.a.status === 'suspended')) this.live.set(id, fresh);
    else this.live.delete(id);
  }

  /** A repeated accepted answer carries the supplier's current rank and end. */
  private withRank(answer: BidAnswer, req: BidRequest): BidAnswer {
    if (answer.type !== 'bid.accepted') return answer;
    const live = this.live.get(req.auctionId);
    return { ...answer, rank: live?.rankOf(req.supplierId) ?? answer.rank, endsAt: live?.a.endsAt?.toISOString() ?? answer.endsAt };
  }
}
