// Competitions: create, announce, join, open (or fail), bid, suspend, resume, close, result.
// Every state change runs in a transaction with its audit event; announcements go out after
// commit. Changes to a live competition run through the engine, between bid batches.
import type { Knex } from 'knex';
import type { ModuleContext } from '../../platform';
import type { Actor } from '../../http/actor';
import { systemActor } from '../../http/actor';
import type { SessionUser } from '../../http/auth/sessions';
import type { Client } from '../../realtime/hub';
import { withTx } from '../../db/tx';
import { toDbTime, systemClock } from '../../db/time';
import { isUniqueViolation } from '../../db/errors';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { assertSupplierMayAct } from '../suppliers/eligibility';
import * as repo from './repository';
import type { Auction } from './repository';
import { assertStep, type AuctionStatus } from './state-machine';
import { assertMayJoinSecondCompetition } from '../framework/service';
import { openingShortfall, participantLabel, savings, type DecrementKind, type Visibility } from './rules';
import { LiveAuction, type BidAnswer } from './live';
import { AuctionEngine, CLOSE_JOB, FENCED_RETRY_MS, closeJobKey, rejection, unavailable, type BidRequest } from './engine';
import { CompetitionOwnership } from './ownership';
import { openDb, mysqlConnection, type Db } from '../../db/knex';
import { OwnerLink, plainActor, reviveAuction, type ForwardedRequest, type ForwardedStep } from './forwarding';
import { isDbUnavailable } from '../../db/faults';
import { AppError } from '../../http/errors';
import { EligibilityCache } from './eligibility-cache';
import { Broadcaster, channelOf } from './broadcaster';
import { stateBroadcast, stateFor, viewerOf } from './views';
import { announceNotice, failureNotice, resultNotice } from './notices';
import { assertProjectMayCompete, handFailureToWorkflow, handResultToWorkflow, projectOfRequisition } from './workflow-link';

export const OPEN_JOB = 'auction.open';
/** The reason shown while a competition is suspended because the database is unavailable. */
export const OUTAGE_REASON = 'DATABASE_UNAVAILABLE: the platform cannot record bids; the competition resumes with its remaining time when the database is back';

/** A database that cannot answer becomes 503 SERVICE_UNAVAILABLE (with a retry hint), not a 500. */
export function asUnavailable(err: unknown): unknown {
  if (err instanceof AppError || !isDbUnavailable(err)) return err;
  return new AppError(503, 'SERVICE_UNAVAILABLE', 'The database is not answering; try again shortly', { retryAfterMs: 2000 });
}
export const openJobKey = (id: number) => `auction:open:${id}`;
/** Government Procurement rules: an online price competition needs at least 3 responding suppliers. */
export const LEGAL_MIN_SUPPLIERS = 3;
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface CreateAuctionInput {
  title: string;
  lotDescription: string;
  quantity: number;
  unit: string;
  categoryCode: string;
  ceilingFen: number;
  decrementKind: DecrementKind;
  decrementValue: number;
  startsAt: string;
  durationSec: number;
  extensionSec: number;
  maxExtensionSec?: number | null;
  visibility: Visibility;
  minSuppliers: number;
  minBrands: number;
  orgId?: number | null;
  requisitionId?: number | null;
  projectId?: number | null;
  announce?: boolean;
  /**
   * Set only by the framework module (never from a request body): the competition is the second
   * stage of a framework agreement, its ceiling the order at the agreement's prices.
   */
  frameworkCeilingFen?: number;
}

/** The award handed to the workflow body: winner, price and savings against the ceiling. */
export interface AuctionAward {
  auctionId: number;
  code: string;
  requisitionId: number | null;
  projectId: number | null;
  status: 'closed' | 'failed';
  winnerSupplierId: number | null;
  priceFen: number | null;
  ceilingFen: number;
  savingsFen: number | null;
  closedAt: string | null;
  failureCode: string | null;
}

/** The one place the result of a finished competition is produced (to be wired to the award). */
export async function auctionAward(db: Knex, auctionId: number): Promise<AuctionAward> {
  const a = await repo.findAuction(db, auctionId);
  if (!a) throw new NotFoundError(`Competition ${auctionId} not found`);
  if (a.status !== 'closed' && a.status !== 'failed') throw new ConflictError('AUCTION_NOT_FINISHED', 'The competition has not finished', { status: a.status });
  return {
    auctionId: a.id,
    code: a.code,
    requisitionId: a.requisitionId,
    projectId: a.projectId,
    status: a.status,
    winnerSupplierId: a.winnerSupplierId,
    priceFen: a.winnerPriceFen,
    ceilingFen: a.ceilingFen,
    savingsFen: a.savingsFen,
    closedAt: a.closedAt?.toISOString() ?? null,
    failureCode: a.failureCode,
  };
}

export class AuctionService {
  readonly engine: AuctionEngine;
  readonly broadcaster: Broadcaster;
  private eligibility: EligibilityCache;
  private timers = new Map<number, NodeJS.Timeout>();
  private loading = new Map<number, Promise<LiveAuction | null>>();
  private stopped = false;
  /**
   * Competitions suspended because the database was unreachable longer than the grace: the time
   * each had left when the outage began, kept until the database is back and the suspension and
   * resumption are written (audited) with the end moved by the outage.
   */
  readonly outageSuspended = new Map<number, { remainingMs: number; endsAt: Date; hardEndAt: Date | null; suspendedAt: Date }>();
  private outageStartedAt: Date | null = null;
  private settlingOutage = false;
  /** Cluster mode: which node runs each running competition's sequencer (single node: this one, always). */
  readonly ownership: CompetitionOwnership;
  /** Cluster mode: bids and steps for competitions another node owns travel to it over the bus. */
  readonly link: OwnerLink | null;
  /** Competitions being taken over here (their rebuild is in progress). */
  private adopting = new Map<number, Promise<boolean>>();
  private leaseDb: Db | null;
  /** Owner look-ups in progress, per competition. */
  private resolving = new Map<number, Promise<'here' | string | null>>();

  constructor(private ctx: ModuleContext) {
    this.engine = new AuctionEngine(ctx);
    const bus = ctx.bus;
    const limits = this.engine.limits;
    const clustered = bus.clustered;
    // Lease traffic (renewals, takeovers, the sweep) has its own two connections on MariaDB, so it
    // never queues behind bid traffic for a pooled connection and a busy owner keeps its leases.
    this.leaseDb = clustered && ctx.db.dialect === 'mysql' ? openDb(ctx.config, { poolMax: 2 }) : null;
    // On MariaDB with the real clock, a worker thread renews the leases (a busy main loop keeps its competitions).
    const keeper = clustered && ctx.db.dialect === 'mysql' && ctx.clock === systemClock ? { connection: mysqlConnection(ctx.config), silenceMs: limits.ownerSilenceMs } : null;
    this.ownership = new CompetitionOwnership({ ...ctx, db: this.leaseDb ?? ctx.db }, bus.nodeId, clustered, limits.ownerLeaseMs, limits.ownerRenewMs, keeper);
    this.link = clustered
      ? new OwnerLink(
          bus,
          ctx.log,
          limits.forwardTimeoutMs,
          (req) => this.onForwarded(req),
          (id) => {
            const l = this.ownership.leaseOf(id);
            return l && { ...l, expiresAt: l.expiresAt.toISOString() };
          },
          (l) => this.ownership.saw({ ...l, expiresAt: new Date(l.expiresAt) }),
        )
      : null;
    if (clustered) {
      this.engine.fence = { plan: (tx, ids) => this.ownership.fencePlan(tx, ids), settle: (tx, ids, plan, matched) => this.ownership.fenceSettle(tx, ids, plan, matched), recheck: (tx, ids, plan) => this.ownership.fenceRecheck(tx, ids, plan) };
      this.engine.onFenced = (ids) => ids.forEach((id) => this.dropCompetition(id));
      this.ownership.onLost = (id) => void this.engine.control(async () => this.dropCompetition(id));
      this.ownership.onTick = () => this.sweep();
    }
    this.eligibility = new EligibilityCache(ctx.db, ctx.clock, ctx.caches);
    this.broadcaster = new Broadcaster(ctx.realtime, ctx.clock, (id) => this.engine.live.get(id)?.view());
    this.engine.onCommitted = (ids) => ids.forEach((id) => this.broadcaster.changed(id, this.engine.live.get(id)?.frozen()));
    this.engine.onEndMoved = (live) => this.armEndTimer(live);
    this.broadcaster.epochOf = (id) => this.ownership.held.get(id)?.epoch ?? 0;
    this.engine.reload = async (id) => {
      const l = await this.build(id);
      const held = this.outageSuspended.get(id);
      if (l && held && l.a.status === 'running') Object.assign(l.a, { status: 'suspended', remainingMs: held.remainingMs, statusReason: OUTAGE_REASON });
      return l;
    };
    const health = ctx.health;
    if (health) {
      health.addSource('bids', () => this.bidReport());
      health.onStatus(() => void this.followHealth());
    }
  }

  /** What the sequencer tells readiness and the operators' screens. */
  bidReport() {
    const e = this.engine;
    const slowMs = e.limits.commitSlowMs;
    const committingMs = e.committingSince === null ? 0 : Math.round(performance.now() - e.committingSince);
    const oldestQueuedMs = Math.round(e.oldestQueuedMs);
    const slow = committingMs > slowMs || oldestQueuedMs > 2 * slowMs;
    return {
      status: (this.outageSuspended.size ? 'down' : slow ? 'slow' : 'ok') as 'ok' | 'slow' | 'down',
      reason: this.outageSuspended.size ? `${this.outageSuspended.size} competition(s) suspended: database unavailable` : slow ? `a bid batch has waited ${Math.max(committingMs, oldestQueuedMs)} ms to commit` : undefined,
      queued: e.queued,
      oldestQueuedMs,
      committingMs,
      runningCompetitions: [...e.live.values()].filter((l) => l.a.status === 'running').length,
      suspendedForOutage: this.outageSuspended.size,
      answered: { ...e.answered, ...Object.fromEntries(Object.entries(e.admission.counts).map(([k, v]) => [`${k}_AT_ADMISSION`, v])) },
      // Cluster mode: what this node owns, and how often it forwarded, was fenced off or took over.
      ...(this.link ? { cluster: { nodeId: this.ownership.nodeId, owned: [...this.ownership.held.keys()], fencedBatches: e.stats.fencedBatches, ...this.ownership.stats, ...this.link.stats } } : {}),
      limits: { bidRatePerSec: e.limits.bidRatePerSec, bidQueuePerAuction: e.limits.bidQueuePerAuction, bidQueuePerSupplier: e.limits.bidQueuePerSupplier, bidCommitTimeoutMs: e.limits.bidCommitTimeoutMs, dbOutageGraceMs: e.limits.dbOutageGraceMs },
    };
  }

  private get db() {
    return this.ctx.db;
  }

  // ---- creation and announcement ----------------------------------------------------------

  async create(actor: Actor, user: SessionUser, input: CreateAuctionInput): Promise<Auction> {
    const now = this.ctx.clock.now();
    const startsAt = new Date(input.startsAt);
    if (!(startsAt.getTime() > now.getTime())) throw new RuleError('START_IN_PAST', 'The start time must be in the future', { startsAt: input.startsAt });
    if (input.minSuppliers < LEGAL_MIN_SUPPLIERS) throw new RuleError('TOO_FEW_SUPPLIERS_REQUIRED', `At least ${LEGAL_MIN_SUPPLIERS} suppliers are required by law`, { minSuppliers: input.minSuppliers });
    if (input.decrementKind === 'absolute' && input.decrementValue >= input.ceilingFen) throw new RuleError('DECREMENT_TOO_LARGE', 'The decrement must be smaller than the ceiling price');
    const cat = await this.db('catalogue_categories').where({ code: input.categoryCode }).first();
    if (!cat) throw new RuleError('UNKNOWN_CATEGORY', `No catalogue category ${input.categoryCode}`);
    if (!cat.framework_agreement) throw new RuleError('CATEGORY_NOT_FRAMEWORK', 'Online price competition is for framework-agreement catalogue goods', { categoryCode: input.categoryCode });
    // A purchasing unit competes for itself; an operator names the unit it acts for.
    const isCentre = user.roles.includes('operator') || user.roles.includes('admin');
    let orgId = input.orgId ?? null;
    if (!isCentre) orgId = user.orgId;
    // From an approved requisition: the competition belongs to its project and unit. A bare
    // requisitionId names the same link, so it is checked the same way (never stored unchecked).
    let requisitionId = input.requisitionId ?? null;
    let projectId = input.projectId ?? null;
    if (projectId === null && requisitionId !== null) projectId = await projectOfRequisition(this.db, requisitionId, orgId);
    if (projectId !== null) {
      const link = await assertProjectMayCompete(this.db, projectId, input, orgId, input.frameworkCeilingFen ?? null);
      if (requisitionId !== null && requisitionId !== link.requisitionId) throw new RuleError('REQUISITION_NOT_OF_PROJECT', 'The requisition is not the one the project was opened for', { requisitionId: link.requisitionId });
      orgId = link.orgId;
      requisitionId = link.requisitionId;
    } else if (!isCentre) {
      // Stand-alone competitions are the procurement centre's own (demo, benchmark); a unit buys from its requisitions.
      throw new RuleError('REQUISITION_REQUIRED', 'A purchasing unit creates a competition from an approved requisition: name its project or requisition');
    }
    if (orgId !== null) {
      const org = await this.db('organisations').where({ id: orgId }).first('kind');
      if (!org || org.kind !== 'purchasing_unit') throw new RuleError('NOT_A_PURCHASING_UNIT', `Organisation ${orgId} is not a purchasing unit`);
    }
    const id = await withTx(this.db, async (tx) => {
      const code = await repo.nextCode(tx, now.getUTCFullYear());
      const row = {
        code,
        title: input.title,
        lot_description: input.lotDescription,
        quantity: input.quantity,
        unit: input.unit,
        category_code: input.categoryCode,
        ceiling_fen: input.ceilingFen,
        decrement_kind: input.decrementKind,
        decrement_value: input.decrementValue,
        starts_at: toDbTime(startsAt),
        duration_sec: input.durationSec,
        extension_sec: input.extensionSec,
        max_extension_sec: input.maxExtensionSec ?? null,
        visibility: input.visibility,
        min_suppliers: input.minSuppliers,
        min_brands: input.minBrands,
        status: 'draft',
        requisition_id: requisitionId,
        project_id: projectId,
        org_id: orgId,
        created_by: actor.userId,
        created_at: toDbTime(now),
        updated_at: toDbTime(now),
      };
      const [newId] = await tx('auctions').insert(row);
      const aid = Number(newId);
      const { updated_at: _u, created_at: _c, ...facts } = row;
      await record(tx, actor, { action: 'auction.created', entityType: 'auction', entityId: aid, after: facts });
      if (input.announce !== false) await this.announceInTx(tx, actor, aid);
      return aid;
    });
    return (await repo.findAuction(this.db, id))!;
  }

  async announce(actor: Actor, id: number): Promise<Auction> {
    await withTx(this.db, (tx) => this.announceInTx(tx, actor, id));
    return (await repo.findAuction(this.db, id))!;
  }

  private async announceInTx(tx: import('../../db/tx').Tx, actor: Actor, id: number): Promise<void> {
    const a = await repo.findAuction(tx, id, { lock: tx });
    if (!a) throw new NotFoundError(`Competition ${id} not found`);
    assertStep(a.status, 'announce');
    const now = this.ctx.clock.now();
    if (a.startsAt.getTime() <= now.getTime()) throw new RuleError('START_IN_PAST', 'The start time has passed; create the competition again with a new start');
    await tx('auctions').where({ id }).update({ status: 'announced', announced_at: toDbTime(now), updated_at: toDbTime(now) });
    await this.ctx.scheduler.schedule(tx, { kind: OPEN_JOB, key: openJobKey(id), runAt: a.startsAt, payload: { auctionId: id } });
    await announceNotice(tx, actor, a);
    await record(tx, actor, { action: 'auction.announced', entityType: 'auction', entityId: id, before: { status: a.status }, after: { status: 'announced', startsAt: a.startsAt.toISOString(), ceilingFen: a.ceilingFen, categoryCode: a.categoryCode, orgId: a.orgId, title: a.title, requisitionId: a.requisitionId } });
    tx.afterCommit(() => {
      this.ctx.realtime.publish('system', { type: 'auction.announced', auctionId: id, code: a.code, title: a.title, startsAt: a.startsAt.toISOString() });
    });
  }

  // ---- joining ------------------------------------------------------------------------------

  async join(actor: Actor, user: SessionUser, id: number, input: { brand: string; model: string; deviceId?: string }) {
    const supplierId = user.supplierId;
    if (!supplierId) throw new ForbiddenError('Only a supplier account linked to a supplier may join', null, 'NOT_A_SUPPLIER');
    const now = this.ctx.clock.now();
    await assertSupplierMayAct(this.db, supplierId, now, 'join_competition');
    try {
      return await withTx(this.db, async (tx) => {
        const a = await repo.findAuction(tx, id, { lock: tx });
        if (!a || a.status === 'draft') throw new NotFoundError(`Competition ${id} not found`);
        assertStep(a.status, 'join');
        if (now.getTime() >= a.startsAt.getTime()) throw new ConflictError('AUCTION_WRONG_STATE', 'Joining closes at the start time');
        if (!(await repo.supplierCategories(tx, supplierId)).includes(a.categoryCode)) throw new RuleError('CATEGORY_MISMATCH', 'Your company is not registered for this category', { categoryCode: a.categoryCode });
        if (!(await repo.suppliesBrand(tx, supplierId, a.categoryCode, input.brand, input.model))) throw new RuleError('BRAND_NOT_SUPPLIED', 'Your company has not registered this brand and model for the category', { brand: input.brand, model: input.model });
        // A framework agreement's second competition is open to its entry suppliers only.
        const ownCeilingFen = await assertMayJoinSecondCompetition(tx, a.projectId, supplierId);
        if (await tx('auction_participants').where({ auction_id: id, supplier_id: supplierId }).first('id')) throw new ConflictError('ALREADY_JOINED', 'Your company has already joined this competition');
        const count = await tx('auction_participants').where({ auction_id: id }).count({ n: '*' }).first();
        const label = participantLabel(Number(count?.n ?? 0));
        const [pid] = await tx('auction_participants').insert({ auction_id: id, supplier_id: supplierId, label, brand: input.brand, model: input.model, user_id: user.id, ip: actor.ip, device_id: input.deviceId ?? null, joined_at: toDbTime(now), own_ceiling_fen: ownCeilingFen });
        await record(tx, actor, { action: 'auction.participant_joined', entityType: 'auction', entityId: id, after: { supplierId, label, brand: input.brand, model: input.model, ip: actor.ip, deviceId: input.deviceId ?? null, ownCeilingFen } });
        return { participantId: Number(pid), auctionId: id, label, brand: input.brand, model: input.model, joinedAt: now.toISOString() };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError('ALREADY_JOINED', 'Your company has already joined this competition');
      throw err;
    }
  }

  // ---- live state ---------------------------------------------------------------------------

  /** The competition as the engine holds it (loaded from the database when not yet live). */
  async live(id: number): Promise<LiveAuction | null> {
    const have = this.engine.live.get(id);
    if (have) return have;
    // Cluster mode: only the owner keeps a competition in memory; any other node reads the
    // committed rows (the owner writes every bid before it is shown).
    if (this.link) return this.build(id);
    let p = this.loading.get(id);
    if (!p) {
      // Shared by callers arriving while it loads, and forgotten once settled: a failed load is
      // never kept (the next call tries the database again).
      p = this.build(id)
        .then((l) => {
          // Only running and suspended competitions are owned by the engine.
          if (l && (l.a.status === 'running' || l.a.status === 'suspended') && !this.engine.live.has(id)) this.engine.live.set(id, l);
          return this.engine.live.get(id) ?? l;
        })
        .finally(() => this.loading.delete(id));
      this.loading.set(id, p);
    }
    return p;
  }

  private async build(id: number): Promise<LiveAuction | null> {
    const a = await repo.findAuction(this.db, id);
    if (!a) return null;
    const parts = await repo.participants(this.db, id);
    const names = await repo.supplierNames(this.db, parts.map((p) => p.supplierId));
    return LiveAuction.build(a, parts, names, await repo.bids(this.db, id));
  }

  async state(user: SessionUser, id: number): Promise<Record<string, unknown>> {
    try {
      const live = await this.live(id);
      if (!live || !(await this.mayWatch(user, live.a))) throw new NotFoundError(`Competition ${id} not found`);
      // Only committed bids: while a batch commits, its competitions answer from the copy before it.
      return stateFor(live.view(), viewerOf(user), this.ctx.clock.now());
    } catch (err) {
      throw asUnavailable(err);
    }
  }

  /** Who may watch: participants, the purchasing unit, operators, supervisors. */
  async mayWatch(user: Pick<SessionUser, 'roles' | 'orgId' | 'supplierId'>, a: Auction): Promise<boolean> {
    if (user.roles.some((r) => r === 'operator' || r === 'supervisor' || r === 'admin')) return a.status !== 'draft' || user.roles.includes('operator') || user.roles.includes('admin');
    if (user.roles.some((r) => r === 'purchaser' || r === 'approver')) return a.orgId !== null && a.orgId === user.orgId;
    if (user.roles.includes('supplier') && user.supplierId) {
      const live = this.engine.live.get(a.id);
      if (live) return live.participants.has(user.supplierId);
      return !!(await this.db('auction_participants').where({ auction_id: a.id, supplier_id: user.supplierId }).first('id'));
    }
    return false;
  }

  // ---- bidding ------------------------------------------------------------------------------

  /**
   * A bid message from a WebSocket client: {type:'bid', auctionId, amount, clientBidId, deviceId?}.
   * Never throws: whatever fails, the bid gets its own answer with its clientBidId.
   */
  async bid(client: Client, msg: Record<string, unknown>, opts: { rateLimit?: boolean } = {}): Promise<BidAnswer> {
    const auctionId = msg.auctionId;
    const clientBidId = msg.clientBidId;
    const cbid = typeof clientBidId === 'string' ? clientBidId : '';
    const aid = typeof auctionId === 'number' && Number.isSafeInteger(auctionId) && auctionId > 0 ? auctionId : 0;
    const answer = (a: BidAnswer) => (a.type === 'bid.rejected' ? this.engine.count(a) : a);
    if (!aid || !cbid || cbid.length > 64) return answer(rejection(aid, cbid.slice(0, 64), 'MALFORMED_BID', 'A bid needs a numeric auctionId and a clientBidId of 1 to 64 characters'));
    try {
      return await this.bidChecked(client, msg, aid, cbid, answer, opts.rateLimit ?? false);
    } catch (err) {
      this.ctx.log.error('bid failed before the sequencer', { auctionId: aid, error: (err as Error).message });
      this.ctx.health?.reportFailure(err);
      return answer(unavailable(aid, cbid));
    }
  }

  private async bidChecked(client: Client, msg: Record<string, unknown>, aid: number, cbid: string, answer: (a: BidAnswer) => BidAnswer, rateLimit: boolean): Promise<BidAnswer> {
    const supplierId = client.user.supplierId;
    if (!client.user.roles.includes('supplier') || !supplierId) return answer(rejection(aid, cbid, 'NOT_A_SUPPLIER', 'Only suppliers bid'));
    const deviceId = typeof msg.deviceId === 'string' ? msg.deviceId.slice(0, 64) : null;
    const req = { auctionId: aid, supplierId, userId: client.user.id, amount: msg.amount, clientBidId: cbid, ip: client.ip, deviceId };
    let inMemory = this.engine.live.get(aid);
    // A retry of a bid already answered gets that answer, whatever the load.
    const first = inMemory?.answerFor(supplierId, cbid);
    if (first) return this.engine.submit(req);
    // A supplier over its rate is slowed down before anything else is spent on it (bids from the
    // network; in-process callers such as the demo seed and the simulation run on their own clocks).
    const limited = rateLimit ? this.engine.admission.rate(supplierId) : null;
    if (limited) return answer(rejection(aid, cbid, limited.code, limited.message, { retryAfterMs: limited.retryAfterMs, limit: limited.limit }));
    if (this.link && !inMemory) {
      // Cluster mode, not held here: the owner checks everything (this node reads nothing per bid).
      const where = await this.ensureOwner(aid);
      if (where !== 'here' && where !== null) return this.forwardBid(where, req, answer);
      // Here now (taken over), or running nowhere (not started, finished): answered below as on one node.
      inMemory = this.engine.live.get(aid);
    }
    if (inMemory?.a.status === 'suspended') return answer(rejection(aid, cbid, 'AUCTION_SUSPENDED', this.outageSuspended.has(aid) ? 'The competition is suspended: the database is unavailable; it resumes with its remaining time when the database is back' : undefined));
    // The database is known to be unreachable: say so at once instead of queueing the bid to fail.
    if (this.ctx.health?.dbDown) return answer(unavailable(aid, cbid, 'The platform cannot record bids right now (database unavailable); send the bid again with the same clientBidId shortly'));
    const live = inMemory ?? (await this.live(aid));
    if (!live || live.a.status === 'draft') return answer(rejection(aid, cbid, 'AUCTION_NOT_FOUND'));
    if (!this.engine.live.has(aid)) {
      // Not running: a retry of an accepted bid still gets its first answer.
      const stored = await repo.bidByClientId(this.db, aid, supplierId, cbid);
      if (stored) return { type: 'bid.accepted', auctionId: aid, clientBidId: cbid, seq: stored.seq, amount: stored.amountFen, rank: live.rankOf(supplierId) ?? 0, endsAt: live.a.endsAt?.toISOString() ?? null, acceptedAt: stored.acceptedAt.toISOString() };
      return answer(rejection(aid, cbid, live.a.status === 'announced' ? 'AUCTION_NOT_STARTED' : 'AUCTION_ENDED'));
    }
    if (!live.participants.has(supplierId)) return answer(rejection(aid, cbid, 'NOT_A_PARTICIPANT', 'Your company has not joined this competition'));
    const refusal = await this.eligibility.check(supplierId);
    if (refusal) return answer(rejection(aid, cbid, refusal.code, refusal.message));
    return this.engine.submit(req);
  }

  // ---- cluster mode: one owner per running competition --------------------------------------

  /**
   * Cluster mode, a bid for a competition another node holds: forwarded to that owner, and its
   * answer goes out here, on the bidder's own socket. Whatever fails, the bidder resends with the
   * same clientBidId, which the owner answers once.
   */
  private async forwardBid(owner: string, req: BidRequest, answer: (a: BidAnswer) => BidAnswer): Promise<BidAnswer> {
    // Two tries: an owner that does not answer may be dead, and its lease may run out meanwhile;
    // then this node takes the competition and the bid goes on here.
    let where: string | null = owner;
    for (let attempt = 0; attempt < 2 && where && where !== 'here'; attempt++) {
      const reply = await this.link!.ask(where, { kind: 'bid', req }, this.forwardWait(req.auctionId));
      if ('answer' in reply) return reply.answer as BidAnswer;
      where = await this.ensureOwner(req.auctionId);
    }
    // Taken over here meanwhile: the bid is checked and queued here like any other.
    if (where === 'here') return this.bidChecked(clientOf(req), { deviceId: req.deviceId, amount: req.amount }, req.auctionId, req.clientBidId, answer, false);
    return answer(unavailable(req.auctionId, req.clientBidId, 'The server running this competition did not answer in time; send the bid again with the same clientBidId', FENCED_RETRY_MS));
  }

  /**
   * How long to wait for the owner: a live owner answers in milliseconds (or renews its lease);
   * a dead one is known when its lease runs out, so waiting longer than that only delays the takeover.
   */
  private forwardWait(id: number): number {
    const l = this.ownership.lastSeen.get(id);
    const untilExpiry = l ? l.expiresAt.getTime() - this.ctx.clock.now().getTime() + 100 : Infinity;
    return Math.max(300, Math.min(this.engine.limits.forwardTimeoutMs, untilExpiry));
  }

  /**
   * Where a competition's sequencer runs: 'here' (this node holds the lease, the competition is
   * in memory), another node's id, or null (it cannot be said now: retry shortly).
   */
  private ensureOwner(id: number): Promise<'here' | string | null> {
    if (this.ownership.ownsFresh(id) && this.engine.live.has(id)) return Promise.resolve('here');
    // One look-up per competition at a time: bids arriving together share it.
    let p = this.resolving.get(id);
    if (!p) {
      p = this.findOwner(id).finally(() => this.resolving.delete(id));
      this.resolving.set(id, p);
    }
    return p;
  }

  private async findOwner(id: number): Promise<'here' | string | null> {
    if (this.ownership.ownsFresh(id) && this.engine.live.has(id)) return 'here';
    // Another node's lease seen unexpired: it is still the owner (a lease moves only after it expires).
    const seen = this.ownership.lastSeen.get(id);
    if (seen && seen.nodeId !== this.ownership.nodeId && seen.expiresAt.getTime() > this.ctx.clock.now().getTime()) return seen.nodeId;
    const { ours, lease } = await this.ownership.acquire(id);
    if (!ours) return lease.nodeId;
    return (await this.adopt(id)) ? 'here' : null;
  }

  /** This node holds the lease: rebuild the competition from the database (between batches) and arm its end. */
  private adopt(id: number): Promise<boolean> {
    let p = this.adopting.get(id);
    if (p) return p;
    p = this.engine
      .control(async () => {
        if (this.engine.live.has(id) && this.ownership.ownsFresh(id)) return true;
        const l = await this.engine.reload(id);
        if (!l || (l.a.status !== 'running' && l.a.status !== 'suspended')) {
          this.engine.live.delete(id);
          await this.ownership.release(id);
          return false;
        }
        this.engine.live.set(id, l);
        this.armEndTimer(l);
        // Everybody sees the state as rebuilt here (the failover's first announcement).
        this.broadcaster.now(id);
        return true;
      })
      .finally(() => this.adopting.delete(id));
    this.adopting.set(id, p);
    return p;
  }

  /** This node lost a competition (fenced off, or its lease taken): forget it here. */
  private dropCompetition(id: number): void {
    this.engine.live.delete(id);
    this.clearEndTimer(id);
    this.ownership.drop(id);
  }

  /** Every renewal tick: take running competitions nobody holds (their owner died), so they go on without waiting for a bid. */
  private async sweep(): Promise<void> {
    if (this.stopped) return;
    for (const id of await this.ownership.orphans()) {
      const { ours } = await this.ownership.acquire(id).catch(() => ({ ours: false }));
      if (ours) await this.adopt(id);
    }
  }

  /** The owner's side of a forwarded request. */
  private async onForwarded(msg: ForwardedRequest): Promise<unknown> {
    if (msg.kind === 'bid') {
      const req = msg.req;
      const answer = (a: BidAnswer) => (a.type === 'bid.rejected' ? this.engine.count(a) : a);
      // Only the holder answers; otherwise the forwarder asks again (it re-reads the lease).
      // Only the holder answers (or, if it runs nowhere, this node from the database); a bid for a
      // competition another node holds now goes back with "resend" (the asking node re-reads the lease).
      if (!this.engine.live.has(req.auctionId)) {
        const where = await this.ensureOwner(req.auctionId);
        if (where !== 'here' && where !== null) return answer(unavailable(req.auctionId, req.clientBidId, 'The competition is moving to another server; send the bid again with the same clientBidId', FENCED_RETRY_MS));
      }
      try {
        return await this.bidChecked(clientOf(req), { deviceId: req.deviceId, amount: req.amount }, req.auctionId, req.clientBidId, answer, false);
      } catch (err) {
        this.ctx.log.error('forwarded bid failed before the sequencer', { auctionId: req.auctionId, error: (err as Error).message });
        return answer(unavailable(req.auctionId, req.clientBidId));
      }
    }
    const actor: Actor = msg.actor ? { ...msg.actor, clock: this.ctx.clock } : systemActor('auction-end', this.ctx.clock);
    if (msg.kind === 'close') return this.close(msg.auctionId).then(() => null);
    if (msg.kind === 'suspend') return this.suspend(actor, msg.auctionId, msg.reason!);
    return this.resume(actor, msg.auctionId, msg.reason!);
  }

  /**
   * Runs a step that touches the sequencer (close, suspend, resume) where the competition is
   * owned: here (taking the lease if it is free), or on the owner through the bus.
   */
  private async atOwner<T>(id: number, local: () => Promise<T>, remote: Omit<ForwardedStep, 'auctionId'>): Promise<T> {
    if (!this.link) return local();
    const where = await this.ensureOwner(id);
    if (where === 'here') return local();
    // Not running (closed, failed, announced): no owner needed; the local step answers as before.
    if (where === null) return local();
    const reply = await this.link.ask(where, { ...remote, auctionId: id } as ForwardedStep);
    if ('error' in reply) {
      const e = reply.error as { status: number; code: string; message: string; details: unknown };
      throw new AppError(e.status, e.code, e.message, e.details);
    }
    if (!('answer' in reply)) throw new AppError(503, 'SERVICE_UNAVAILABLE', 'The server running this competition did not answer in time; try again shortly', { retryAfterMs: 1000 });
    return reply.answer as T;
  }

  // ---- the database unavailable longer than the grace: suspend for everyone, resume after ------

  /** Follows the health monitor: suspends after the grace, resumes (audited) once the database is back. */
  private async followHealth(): Promise<void> {
    const health = this.ctx.health;
    if (!health || this.stopped || this.settlingOutage) return;
    this.settlingOutage = true;
    try {
      if (health.dbDown && health.outageMs >= this.engine.limits.dbOutageGraceMs) await this.suspendForOutage(health.outageStartedAt ?? this.ctx.clock.now());
      else if (!health.dbDown && this.outageSuspended.size) await this.resumeAfterOutage();
    } catch (err) {
      this.ctx.log.error('outage suspension step failed', { error: (err as Error).message });
    } finally {
      this.settlingOutage = false;
    }
  }

  /** In memory only (the database is down): every running competition stops taking bids, for everyone at once. */
  private suspendForOutage(startedAt: Date): Promise<void> {
    return this.engine.control(async () => {
      if (this.outageStartedAt === null) this.outageStartedAt = startedAt;
      const now = this.ctx.clock.now();
      for (const live of this.engine.live.values()) {
        const a = live.a;
        if (a.status !== 'running' || !a.endsAt || this.outageSuspended.has(a.id)) continue;
        // The time left when the outage began: bids could not be recorded from then on.
        const remainingMs = Math.max(0, a.endsAt.getTime() - this.outageStartedAt.getTime());
        if (remainingMs === 0) continue; // it had ended before the outage: its close runs when the database is back
        this.outageSuspended.set(a.id, { remainingMs, endsAt: a.endsAt, hardEndAt: a.hardEndAt, suspendedAt: now });
        Object.assign(a, { status: 'suspended', remainingMs, statusReason: OUTAGE_REASON });
        this.clearEndTimer(a.id);
        this.broadcaster.now(a.id);
        this.ctx.log.warn('competition suspended: database unavailable', { auctionId: a.id, remainingMs });
      }
    });
  }

  /** The database is back: write each suspension and its resumption (audited), the end moved by the outage. */
  private resumeAfterOutage(): Promise<void> {
    return this.engine.control(async () => {
      const outageStartedAt = this.outageStartedAt ?? this.ctx.clock.now();
      for (const [id, held] of [...this.outageSuspended]) {
        const live = this.engine.live.get(id);
        const now = this.ctx.clock.now();
        const endsAt = new Date(now.getTime() + held.remainingMs);
        const movedMs = endsAt.getTime() - held.endsAt.getTime();
        const hardEndAt = held.hardEndAt ? new Date(held.hardEndAt.getTime() + movedMs) : null;
        const actor = systemActor('platform-health', this.ctx.clock);
        await withTx(this.db, async (tx) => {
          const row = await repo.findAuction(tx, id, { lock: tx });
          if (!row || row.status !== 'running') return; // changed meanwhile (an operator): nothing to resume
          await tx('auctions').where({ id }).update({ ends_at: toDbTime(endsAt), hard_end_at: hardEndAt ? toDbTime(hardEndAt) : null, updated_at: toDbTime(now) });
          await this.ctx.scheduler.schedule(tx, { kind: CLOSE_JOB, key: closeJobKey(id), runAt: endsAt, payload: { auctionId: id } });
          await record(tx, actor, { action: 'auction.suspended', entityType: 'auction', entityId: id, before: { status: 'running', endsAt: held.endsAt.toISOString() }, after: { status: 'suspended', reason: 'DATABASE_UNAVAILABLE', outageStartedAt: outageStartedAt.toISOString(), suspendedAt: held.suspendedAt.toISOString(), remainingMs: held.remainingMs } });
          await record(tx, actor, { action: 'auction.resumed', entityType: 'auction', entityId: id, before: { status: 'suspended', remainingMs: held.remainingMs }, after: { status: 'running', reason: 'DATABASE_RECOVERED', outageMs: now.getTime() - outageStartedAt.getTime(), endsAt: endsAt.toISOString(), hardEndAt: hardEndAt?.toISOString() ?? null, movedMs } });
        });
        this.outageSuspended.delete(id);
        if (live && live.a.status === 'suspended' && live.a.statusReason === OUTAGE_REASON) {
          Object.assign(live.a, { status: 'running', endsAt, hardEndAt, remainingMs: null, statusReason: null });
          this.armEndTimer(live);
          this.broadcaster.now(id);
        }
        this.ctx.log.warn('competition resumed after the database outage', { auctionId: id, movedMs });
      }
      if (!this.outageSuspended.size) this.outageStartedAt = null;
    });
  }

  // ---- opening, closing, suspending ---------------------------------------------------------

  /** At the start time: open when the participant and brand minimums are met, else fail. */
  openOrFail(id: number): Promise<void> {
    return this.engine.control(async () => {
      const actor = systemActor('auction-start', this.ctx.clock);
      const now = this.ctx.clock.now();
      let opened: Auction | null = null;
      await withTx(this.db, async (tx) => {
        const a = await repo.findAuction(tx, id, { lock: tx });
        if (!a || a.status !== 'announced') return; // already handled (catch-up after restart)
        if (now.getTime() < a.startsAt.getTime()) {
          await this.ctx.scheduler.schedule(tx, { kind: OPEN_JOB, key: openJobKey(id), runAt: a.startsAt, payload: { auctionId: id } });
          return;
        }
        const parts = await repo.participants(tx, id);
        const short = openingShortfall(parts, a.minSuppliers, a.minBrands);
        if (short) {
          // The project first: money-moving steps lock the budget line before the audit chain.
          await handFailureToWorkflow(tx, actor, a, 'NOT_ENOUGH_COMPETITION');
          const reason = `Not enough competition: ${short.suppliers} supplier(s) of ${a.minSuppliers} required, ${short.brands} brand(s) of ${a.minBrands} required`;
          await tx('auctions').where({ id }).update({ status: 'failed', failure_code: 'NOT_ENOUGH_COMPETITION', status_reason: reason, closed_at: toDbTime(now), updated_at: toDbTime(now) });
          await failureNotice(tx, actor, a, `竞争不充分：${short.suppliers} 家供应商（至少 ${a.minSuppliers} 家）、${short.brands} 个品牌（至少 ${a.minBrands} 个）`, reason);
          await record(tx, actor, { action: 'auction.failed', entityType: 'auction', entityId: id, before: { status: a.status }, after: { status: 'failed', failureCode: 'NOT_ENOUGH_COMPETITION', reason, suppliers: short.suppliers, brands: short.brands, minSuppliers: a.minSuppliers, minBrands: a.minBrands } });
          tx.afterCommit(() => this.publishFinished(id));
          return;
        }
        const endsAt = new Date(now.getTime() + a.durationSec * 1000);
        const hardEndAt = a.maxExtensionSec === null ? null : new Date(endsAt.getTime() + a.maxExtensionSec * 1000);
        await tx('auctions').where({ id }).update({ status: 'running', opened_at: toDbTime(now), ends_at: toDbTime(endsAt), hard_end_at: hardEndAt ? toDbTime(hardEndAt) : null, updated_at: toDbTime(now) });
        await this.ctx.scheduler.schedule(tx, { kind: CLOSE_JOB, key: closeJobKey(id), runAt: endsAt, payload: { auctionId: id } });
        await record(tx, actor, { action: 'auction.opened', entityType: 'auction', entityId: id, before: { status: a.status }, after: { status: 'running', endsAt: endsAt.toISOString(), hardEndAt: hardEndAt?.toISOString() ?? null, participants: parts.map((p) => ({ supplierId: p.supplierId, label: p.label, brand: p.brand, model: p.model })) } });
        opened = a;
      });
      // Cluster mode: the node that opened it owns it (unless another node took it meanwhile).
      if (opened && this.link && !(await this.ownership.acquire(id)).ours) opened = null;
      if (opened) {
        // Built fresh from the committed rows (never a copy loaded before it opened).
        const live = (await this.build(id))!;
        this.engine.live.set(id, live);
        this.armEndTimer(live);
        this.broadcaster.now(id);
      }
    });
  }

  /** At the end (server clock): the lowest valid bid wins; ties went to the earlier bid. */
  close(id: number): Promise<void> {
    return this.atOwner(id, () => this.closeHere(id), { kind: 'close' });
  }

  private closeHere(id: number): Promise<void> {
    return this.engine.control(async () => {
      const live = this.engine.live.get(id) ?? (await this.live(id));
      if (!live || live.a.status !== 'running') return;
      const now = this.ctx.clock.now();
      if (now.getTime() < live.a.endsAt!.getTime()) {
        this.armEndTimer(live); // moved by an extension meanwhile
        return;
      }
      const actor = systemActor('auction-end', this.ctx.clock);
      const winner = live.sorted()[0] ?? null;
      const a = live.a;
      const save = winner ? savings(a.ceilingFen, winner.amountFen) : null;
      const status: AuctionStatus = winner ? 'closed' : 'failed';
      await withTx(this.db, async (tx) => {
        const patch = winner
          ? { status, winner_supplier_id: winner.supplierId, winner_price_fen: winner.amountFen, savings_fen: save!.fen, closed_at: toDbTime(now), updated_at: toDbTime(now) }
          : { status, failure_code: 'NO_VALID_BIDS', status_reason: 'No valid bid was received', closed_at: toDbTime(now), updated_at: toDbTime(now) };
        // Closed before the result reaches the workflow: the project's award (or failure) writes
        // its open-data release in this transaction, and that snapshot must see the competition
        // closed, with its bids. Then the workflow (budget line locked before the audit chain).
        await this.ownership.fence(tx, [id]);
        await tx('auctions').where({ id, status: 'running' }).update(patch);
        if (winner) await handResultToWorkflow(tx, actor, a, winner, live.sorted().length);
        else await handFailureToWorkflow(tx, actor, a, 'NO_VALID_BIDS');
        await this.ctx.scheduler.cancel(tx, closeJobKey(id));
        if (winner) {
          const w = live.participants.get(winner.supplierId)!;
          const ladder = live.sorted().map((s, i) => ({ rank: i + 1, label: live.participants.get(s.supplierId)?.label ?? '?', amountFen: s.amountFen, at: new Date(s.at) }));
          await resultNotice(tx, actor, a, w, winner.amountFen, save!.fen, a.bidCount, ladder);
        } else await failureNotice(tx, actor, a, '未收到有效报价', 'no valid bid was received');
        await record(tx, actor, {
          action: 'auction.closed',
          entityType: 'auction',
          entityId: id,
          before: { status: 'running' },
          after: winner
            ? { status, winnerSupplierId: winner.supplierId, priceFen: winner.amountFen, ceilingFen: a.ceilingFen, savingsFen: save!.fen, savingsBp: save!.bp, bids: a.bidCount, lastSeq: a.lastSeq, requisitionId: a.requisitionId, projectId: a.projectId }
            : { status, failureCode: 'NO_VALID_BIDS', bids: 0 },
        });
      });
      Object.assign(a, winner ? { status, winnerSupplierId: winner.supplierId, winnerPriceFen: winner.amountFen, savingsFen: save!.fen, closedAt: now } : { status, failureCode: 'NO_VALID_BIDS', statusReason: 'No valid bid was received', closedAt: now });
      this.clearEndTimer(id);
      this.broadcaster.now(id);
      this.engine.live.delete(id);
      await this.ownership.release(id).catch(() => undefined); // expires anyway
    });
  }

  suspend(actor: Actor, id: number, reason: string): Promise<Auction> {
    return this.atOwner(id, () => this.suspendHere(actor, id, reason), { kind: 'suspend', reason, actor: plainActor(actor) }).then(reviveAuction);
  }

  private suspendHere(actor: Actor, id: number, reason: string): Promise<Auction> {
    return this.engine.control(async () => {
      const live = await this.live(id);
      if (!live) throw new NotFoundError(`Competition ${id} not found`);
      assertStep(live.a.status, 'suspend');
      const now = this.ctx.clock.now();
      const remainingMs = Math.max(0, live.a.endsAt!.getTime() - now.getTime());
      if (remainingMs === 0) throw new ConflictError('AUCTION_WRONG_STATE', 'The competition has already ended');
      await withTx(this.db, async (tx) => {
        await this.ownership.fence(tx, [id]);
        await tx('auctions').where({ id }).update({ status: 'suspended', remaining_ms: remainingMs, status_reason: reason, updated_at: toDbTime(now) });
        await this.ctx.scheduler.cancel(tx, closeJobKey(id));
        await record(tx, actor, { action: 'auction.suspended', entityType: 'auction', entityId: id, before: { status: 'running', endsAt: live.a.endsAt!.toISOString() }, after: { status: 'suspended', remainingMs, reason } });
      });
      Object.assign(live.a, { status: 'suspended', remainingMs, statusReason: reason });
      this.clearEndTimer(id);
      this.broadcaster.now(id);
      return live.a;
    });
  }

  resume(actor: Actor, id: number, reason: string): Promise<Auction> {
    return this.atOwner(id, () => this.resumeHere(actor, id, reason), { kind: 'resume', reason, actor: plainActor(actor) }).then(reviveAuction);
  }

  private resumeHere(actor: Actor, id: number, reason: string): Promise<Auction> {
    return this.engine.control(async () => {
      const live = await this.live(id);
      if (!live) throw new NotFoundError(`Competition ${id} not found`);
      assertStep(live.a.status, 'resume');
      const now = this.ctx.clock.now();
      const remainingMs = live.a.remainingMs ?? 0;
      const endsAt = new Date(now.getTime() + remainingMs);
      // The hard cap moves with the pause, so a suspension neither adds nor removes time.
      const hardEndAt = live.a.hardEndAt ? new Date(live.a.hardEndAt.getTime() + (endsAt.getTime() - live.a.endsAt!.getTime())) : null;
      await withTx(this.db, async (tx) => {
        await this.ownership.fence(tx, [id]);
        await tx('auctions').where({ id }).update({ status: 'running', ends_at: toDbTime(endsAt), hard_end_at: hardEndAt ? toDbTime(hardEndAt) : null, remaining_ms: null, status_reason: null, updated_at: toDbTime(now) });
        await this.ctx.scheduler.schedule(tx, { kind: CLOSE_JOB, key: closeJobKey(id), runAt: endsAt, payload: { auctionId: id } });
        await record(tx, actor, { action: 'auction.resumed', entityType: 'auction', entityId: id, before: { status: 'suspended', remainingMs }, after: { status: 'running', endsAt: endsAt.toISOString(), reason } });
      });
      Object.assign(live.a, { status: 'running', endsAt, hardEndAt, remainingMs: null, statusReason: null });
      this.armEndTimer(live);
      this.broadcaster.now(id);
      return live.a;
    });
  }

  private publishFinished(id: number): void {
    void this.build(id).then(
      (live) => {
        if (!live) return;
        this.ctx.realtime.publishShaped(channelOf(id), stateBroadcast(live, this.ctx.clock.now()));
      },
      (err) => this.ctx.log.error('announcing a finished competition failed', { auctionId: id, error: (err as Error).message }),
    );
  }

  // ---- timers and recovery ------------------------------------------------------------------

  /** Precise in-memory end timer (the durable close job is the safety net across restarts). */
  armEndTimer(live: LiveAuction): void {
    if (this.stopped) return;
    const id = live.a.id;
    this.clearEndTimer(id);
    if (live.a.status !== 'running' || !live.a.endsAt) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, live.a.endsAt.getTime() - this.ctx.clock.now().getTime()));
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.close(id).catch((e) => this.ctx.log.error('auction close failed', { auctionId: id, error: (e as Error).message }));
    }, delay);
    timer.unref?.();
    this.timers.set(id, timer);
  }

  private clearEndTimer(id: number): void {
    const t = this.timers.get(id);
    if (t) clearTimeout(t);
    this.timers.delete(id);
  }

  /** On start: rebuild running and suspended competitions from the database, re-arm timers. */
  async recover(): Promise<number> {
    this.stopped = false;
    const open = await repo.auctionsInStatus(this.db, ['running', 'suspended']);
    this.ownership.start();
    for (const a of open) {
      // Cluster mode: only what nobody else holds (a live owner keeps its competitions).
      if (this.link && !(await this.ownership.acquire(a.id)).ours) continue;
      const live = await this.build(a.id);
      if (!live) continue;
      this.engine.live.set(a.id, live);
      this.armEndTimer(live);
    }
    return open.length;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ownership.stop();
    await this.engine.idle();
    // A node leaving on purpose hands its competitions over at once (no lease to wait out).
    for (const id of [...this.ownership.held.keys()]) await this.ownership.release(id).catch(() => undefined);
    this.link?.close();
    await this.leaseDb?.destroy();
    const st = this.engine.stats;
    // Every time (…Ms) in whole milliseconds.
    if (st.bids) this.ctx.log.info('auction engine', { ...Object.fromEntries(Object.entries(st).map(([k, v]) => [k, k.endsWith('Ms') ? Math.round(v) : v])), meanBatch: Math.round(st.bids / Math.max(1, st.batches)) });
    for (const id of [...this.timers.keys()]) this.clearEndTimer(id);
    this.broadcaster.stop();
    this.eligibility.close();
    this.engine.admission.close();
  }
}

/** A forwarded bid's bidder, as the owner checks it (a supplier user; the socket stays on the asking node). */
function clientOf(req: BidRequest): Client {
  return { user: { roles: ['supplier'], supplierId: req.supplierId, id: req.userId } as SessionUser, ip: req.ip } as Client;
}
