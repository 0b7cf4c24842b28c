// The sealed expert draw: request, invitations, replacements, reveal. Before the reveal nothing
// written here (rows, audit events, job payloads, logs) names a drawn expert in clear.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import { withTx } from '../../db/tx';
import type { Db } from '../../db/knex';
import { forUpdate, forShare } from '../../db/knex';
import { toDbTime, fromDbTime, type Clock } from '../../db/time';
import { record } from '../../supervision/audit/audit';
import { systemActor, type Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import type { Scheduler } from '../../scheduler/scheduler';
import type { RealtimeHub } from '../../realtime/hub';
import { createSealer, newSeed, nodeHashes, type Sealer } from './seal';
import { select, commitmentOf, keyedPoolHashOf, roundSeedOf, PoolTooSmallError, type PoolGroup } from './selection';
import { commitmentsInPeriod, eligibleExperts, invitationContext } from './pool';
import { committeeProblem, loadDrawRules, type DrawRules, type DrawGroupInput } from './rules';
import { OUTBOX_JOB, OUTBOX_KEY } from './outbox';
import { groupsOf, supplierIdsOf, invitationCounts, drawSummary, type DrawRow, type PanelEntry } from './repository';
import { noticeTime } from '../../core/notices/notice-time';

export const REVEAL_JOB = 'draw.reveal';
export const DEADLINE_JOB = 'draw.invitation.deadline';
export const revealKey = (drawId: number) => `draw-reveal:${drawId}`;
export const deadlineKey = (invitationId: number) => `draw-invitation:${invitationId}`;

export interface DrawRequest {
  projectRef: string;
  projectId?: number | null;
  purchasingOrgId: number;
  supplierIds: number[];
  groups: DrawGroupInput[];
  evaluationAt: Date | string;
  evaluationPlace: string;
  revealAt: Date | string;
  responseMinutes?: number;
}

interface InvitationPayload {
  expertId: number;
  groupIndex: number;
  specialty: string;
  roundNo: number;
}

export interface DrawServiceDeps {
  sealKey: string;
  scheduler: Scheduler;
  realtime?: RealtimeHub;
  clock: Clock;
  rules?: DrawRules;
}

type RevealListener = (drawId: number, panel: PanelEntry[]) => void;
const revealListeners = new Set<RevealListener>();
/** Evaluation (and others) hear of a reveal after it commits. */
export function onDrawRevealed(fn: RevealListener): () => void {
  revealListeners.add(fn);
  return () => revealListeners.delete(fn);
}

/** The actor recorded for an expert's answer before reveal: the role only, nothing that identifies. */
const sealedActor = (a: Actor): Actor => ({ ...a, userId: null, requestId: null, ip: null });

const seedCtx = (drawId: number, roundNo: number, what: 'seed' | 'pool' | 'result') => `draw-round:${drawId}:${roundNo}:${what}`;
/** The draw's secret (scheme 2): every round's seed and pool hash derive from it. */
export const secretCtx = (drawId: number) => `draw:${drawId}:secret`;
export const DRAW_SCHEME = 2;
const outboxCtx = 'draw-outbox';

export type DrawService = ReturnType<typeof createDrawService>;

export function createDrawService(deps: DrawServiceDeps) {
  const sealer: Sealer = createSealer(deps.sealKey);

  async function loadDraw(tx: Knex, id: number, lock = false): Promise<DrawRow> {
    const q = tx('draws').where({ id });
    const d = (await (lock ? forUpdate(tx as Tx, q) : q).first()) as DrawRow | undefined;
    if (!d) throw new NotFoundError(`Draw ${id} not found`);
    return d;
  }

  /** The draw's sealed secret, opened in memory (never written in clear before the reveal). */
  const secretOf = (d: DrawRow) => sealer.open<string>(d.secret_sealed!, secretCtx(d.id));

  /**
   * A round: its seed derived from the draw's secret, the selection, everything sealed. The
   * round's keyed pool hash is kept (and audited) but not published before the reveal; pool
   * sizes are not kept in clear at all until then.
   */
  async function drawRound(tx: Tx, d: DrawRow, roundNo: number, kind: 'initial' | 'replacement', pool: PoolGroup[]) {
    const drawId = d.id;
    const secret = secretOf(d);
    const seed = roundSeedOf(secret, roundNo, nodeHashes);
    let result: number[][];
    try {
      result = select(seed, pool, nodeHashes);
    } catch (e) {
      if (e instanceof PoolTooSmallError) {
        // How many are eligible is not said: the count moves with other sealed draws' invitations
        // (busy, over the cap), so it would tell who was invited elsewhere.
        throw new RuleError('POOL_TOO_SMALL', `Not enough eligible experts for specialty ${e.specialty} (${e.needed} needed)`, { specialty: e.specialty, needed: e.needed });
      }
      throw e;
    }
    const round = {
      draw_id: drawId,
      round_no: roundNo,
      kind,
      commitment: commitmentOf(seed, nodeHashes),
      pool_hash: keyedPoolHashOf(secret, roundNo, pool, nodeHashes),
      pool_size: null,
      selected_count: null,
      seed_sealed: sealer.seal(seed, seedCtx(drawId, roundNo, 'seed')),
      pool_sealed: sealer.seal(pool, seedCtx(drawId, roundNo, 'pool')),
      result_sealed: sealer.seal(result, seedCtx(drawId, roundNo, 'result')),
      created_at: toDbTime(deps.clock.now()),
    };
    const [id] = await tx('draw_rounds').insert(round);
    return { id: Number(id), roundNo, poolHash: round.pool_hash, result };
  }

  /** Invites one drawn expert: tag-keyed row, sealed payload, sealed outbox messages, a deadline job. */
  type Contact = { id: number; name: string; phone: string; email: string; user_id: number | null };
  const contactsOf = async (tx: Tx, ids: number[]): Promise<Map<number, Contact>> =>
    new Map((await tx('experts').whereIn('id', ids.length ? ids : [-1]).select('id', 'name', 'phone', 'email', 'user_id')).map((e: Contact) => [Number(e.id), e]));

  async function invite(tx: Tx, d: DrawRow, roundId: number, payload: InvitationPayload, notify: number[], contacts?: Map<number, Contact>): Promise<number> {
    const now = deps.clock.now();
    const deadline = new Date(Math.min(now.getTime() + d.response_minutes * 60_000, fromDbTime(d.reveal_at)!.getTime()));
    const [id] = await tx('draw_invitations').insert({
      draw_id: d.id,
      round_id: roundId,
      tag: sealer.invitationTag(d.id, payload.expertId),
      payload_sealed: sealer.seal(payload, invitationContext(d.id)),
      status: 'pending',
      deadline_at: toDbTime(deadline),
      created_at: toDbTime(now),
    });
    const invitationId = Number(id);
    await deps.scheduler.schedule(tx, { kind: DEADLINE_JOB, key: deadlineKey(invitationId), runAt: deadline, payload: { invitationId } });
    const e = (contacts ?? (await contactsOf(tx, [payload.expertId]))).get(payload.expertId);
    if (e) {
      const text = `【阳光采购】${e.name}，您被抽取为项目 ${d.project_ref}（${payload.specialty}）的评审专家，评审时间 ${noticeTime(fromDbTime(d.evaluation_at)!, 'zh')}，地点 ${d.evaluation_place}。请于 ${noticeTime(deadline, 'zh')}前登录平台确认。请勿向他人透露。`;
      const rows = [
        { channel: 'sms', to: e.phone, subject: null, body: text },
        { channel: 'email', to: e.email, subject: `评审邀请 ${d.project_ref}`, body: text },
      ].filter((m) => m.to);
      if (rows.length) await tx('draw_notification_outbox').insert(rows.map((m) => ({ channel: m.channel, payload_sealed: sealer.seal(m, outboxCtx), status: 'pending', attempts: 0, created_at: toDbTime(now) })));
      if (e.user_id) notify.push(Number(e.user_id));
    }
    return invitationId;
  }

  /** One delivery run for the outbox rows just written, and the in-app nudges after commit. */
  async function afterInvites(tx: Tx, drawId: number, userIds: number[]) {
    await deps.scheduler.schedule(tx, { kind: OUTBOX_JOB, key: `${OUTBOX_KEY}:${drawId}`, runAt: deps.clock.now() });
    tx.afterCommit(() => {
      // In-app: a nudge to the expert's own channel; the invitation itself is fetched by tag.
      for (const u of userIds) deps.realtime?.publish(`user:${u}`, { type: 'expert.invitation', drawId });
    });
  }

  async function publishProgress(tx: Tx, drawId: number) {
    const counts = await invitationCounts(tx, drawId);
    const d = await loadDraw(tx, drawId);
    tx.afterCommit(() => {
      deps.realtime?.publish(`draw:${drawId}`, { type: 'draw.progress', drawId, status: d.status, confirmed: d.confirmed_count, shortfall: d.shortfall, ...counts });
    });
  }

  /** Operators (and later the projects module) request a draw; everything happens in tx. */
  async function requestDraw(tx: Tx, actor: Actor, input: DrawRequest) {
    // First statement: lock the specialties' catalogue rows. Concurrent draws over the same experts
    // then run one after the other, and (on MySQL) this transaction's reads start after the lock,
    // so two draws never both count one expert as free or under the cap.
    const lockedCodes = await forUpdate(tx, tx('catalogue_categories').whereIn('code', [...new Set(input.groups.map((g) => g.specialty))].sort()).orderBy('code').select('code'));
    const now = deps.clock.now();
    const evaluationAt = new Date(input.evaluationAt);
    const revealAt = new Date(input.revealAt);
    if (Number.isNaN(evaluationAt.getTime()) || Number.isNaN(revealAt.getTime())) throw new ValidationError('evaluationAt and revealAt must be times', null, 'INVALID_TIME');
    if (revealAt.getTime() <= now.getTime()) throw new RuleError('REVEAL_IN_PAST', 'The reveal time must be in the future');
    if (evaluationAt.getTime() < revealAt.getTime()) throw new RuleError('EVALUATION_BEFORE_REVEAL', 'The evaluation cannot start before the result is revealed (bid opening)');
    // The rule book's values at request time (a city's change applies to the next draw).
    const rules = deps.rules ?? (await loadDrawRules(tx));
    const problem = committeeProblem(input.groups, rules);
    if (problem) throw new RuleError(problem.code, problem.message, { groups: input.groups });
    const org = await tx('organisations').where({ id: input.purchasingOrgId }).first('id', 'kind');
    if (!org || org.kind !== 'purchasing_unit') throw new RuleError('UNKNOWN_PURCHASING_UNIT', `Organisation ${input.purchasingOrgId} is not a purchasing unit`);
    const supplierIds = [...new Set(input.supplierIds)].sort((a, b) => a - b);
    if (supplierIds.length) {
      const found = await tx('suppliers').whereIn('id', supplierIds).count({ n: '*' }).first();
      if (Number(found?.n) !== supplierIds.length) throw new RuleError('UNKNOWN_SUPPLIER', 'A participating supplier is not in the supplier library');
    }
    const codes = input.groups.map((g) => g.specialty);
    const known = new Set(lockedCodes.map((r: { code: string }) => r.code));
    const unknown = codes.filter((c) => !known.has(c));
    if (unknown.length) throw new RuleError('UNKNOWN_SPECIALTY', `Not catalogue codes: ${unknown.join(', ')}`, { unknown });
    const responseMinutes = input.responseMinutes ?? rules.defaultResponseMinutes;
    const totalCount = input.groups.reduce((s, g) => s + g.count, 0);
    const secret = newSeed();

    const [id] = await tx('draws').insert({
      project_ref: input.projectRef,
      project_id: input.projectId ?? null,
      purchasing_org_id: input.purchasingOrgId,
      supplier_ids_json: JSON.stringify(supplierIds),
      groups_json: JSON.stringify(input.groups.map((g) => ({ specialty: g.specialty, count: g.count }))),
      total_count: totalCount,
      evaluation_at: toDbTime(evaluationAt),
      evaluation_place: input.evaluationPlace,
      reveal_at: toDbTime(revealAt),
      response_minutes: responseMinutes,
      status: 'sealed',
      confirmed_count: 0,
      shortfall: 0,
      requested_by: actor.userId,
      created_at: toDbTime(now),
      scheme: DRAW_SCHEME,
      commitment: commitmentOf(secret, nodeHashes),
      // Sealed under a context naming the row, once the row has its id (below).
      secret_sealed: null,
    });
    await tx('draws').where({ id: Number(id) }).update({ secret_sealed: sealer.seal(secret, secretCtx(Number(id))) });
    const d = await loadDraw(tx, Number(id));
    const parties = { purchasingOrgId: input.purchasingOrgId, supplierIds, evaluationAt };
    const committed = await commitmentsInPeriod(tx, sealer, evaluationAt);
    const pool: PoolGroup[] = [];
    for (const g of input.groups) pool.push({ specialty: g.specialty, count: g.count, ids: await eligibleExperts(tx, g.specialty, parties, committed) });
    const round = await drawRound(tx, d, 1, 'initial', pool);
    const notify: number[] = [];
    const contacts = await contactsOf(tx, round.result.flat());
    for (const [gi, ids] of round.result.entries()) {
      for (const expertId of ids) await invite(tx, d, round.id, { expertId, groupIndex: gi, specialty: input.groups[gi].specialty, roundNo: 1 }, notify, contacts);
    }
    await deps.scheduler.schedule(tx, { kind: REVEAL_JOB, key: revealKey(d.id), runAt: revealAt, payload: { drawId: d.id } });
    // Before reveal the audit holds counts and hashes only.
    await record(tx, actor, {
      action: 'draw.requested',
      entityType: 'draw',
      entityId: d.id,
      after: {
        projectRef: input.projectRef,
        purchasingOrgId: input.purchasingOrgId,
        suppliers: supplierIds.length,
        groups: input.groups,
        evaluationAt: evaluationAt.toISOString(),
        revealAt: revealAt.toISOString(),
        scheme: DRAW_SCHEME,
        commitment: d.commitment,
        round: { roundNo: 1, poolHash: round.poolHash },
        invited: round.result.flat().length,
      },
    });
    await afterInvites(tx, d.id, notify);
    return drawSummary(tx, await loadDraw(tx, d.id));
  }

  /** A decline or a no-answer: draw one replacement from the remaining pool of the same specialty. */
  async function replace(tx: Tx, actor: Actor, d: DrawRow, invitationId: number, payload: InvitationPayload) {
    const invited = new Set<number>();
    for (const r of await tx('draw_invitations').where({ draw_id: d.id }).select('payload_sealed')) invited.add(sealer.open<InvitationPayload>(r.payload_sealed, invitationContext(d.id)).expertId);
    const evaluationAt = fromDbTime(d.evaluation_at)!;
    const committed = await commitmentsInPeriod(tx, sealer, evaluationAt, d.id);
    const ids = await eligibleExperts(tx, payload.specialty, { purchasingOrgId: d.purchasing_org_id, supplierIds: supplierIdsOf(d), evaluationAt }, committed, invited);
    if (ids.length === 0) {
      await tx('draws').where({ id: d.id }).increment('shortfall', 1);
      await record(tx, actor, { action: 'draw.replacement_unavailable', entityType: 'draw', entityId: d.id, after: { invitation: invitationId, specialty: payload.specialty, remainingPool: 0 } });
      return null;
    }
    const last = await tx('draw_rounds').where({ draw_id: d.id }).max({ n: 'round_no' }).first();
    const roundNo = Number(last?.n ?? 0) + 1;
    const round = await drawRound(tx, d, roundNo, 'replacement', [{ specialty: payload.specialty, count: 1, ids }]);
    const notify: number[] = [];
    const newId = await invite(tx, d, round.id, { expertId: round.result[0][0], groupIndex: payload.groupIndex, specialty: payload.specialty, roundNo }, notify);
    await tx('draw_invitations').where({ id: invitationId }).update({ replacement_round_id: round.id });
    await record(tx, actor, {
      action: 'draw.replacement_drawn',
      entityType: 'draw',
      entityId: d.id,
      after: { replaces: invitationId, invitation: newId, round: { roundNo, poolHash: round.poolHash } },
    });
    await afterInvites(tx, d.id, notify);
    return round;
  }

  /** The expert's own invitation, or 404 (never "exists but not yours"). */
  async function ownInvitation(tx: Knex, expertId: number, invitationId: number, lock = false) {
    const q = tx('draw_invitations').where({ id: invitationId });
    const inv = await (lock ? forUpdate(tx as Tx, q) : q).first();
    if (!inv || inv.tag !== sealer.invitationTag(Number(inv.draw_id), expertId)) throw new NotFoundError(`Invitation ${invitationId} not found`);
    return { inv, payload: sealer.open<InvitationPayload>(inv.payload_sealed, invitationContext(Number(inv.draw_id))) };
  }

  async function respond(tx: Tx, actor: Actor, expertId: number, invitationId: number, answer: 'accept' | 'decline') {
    // Locking reads only until every lock is held (on MySQL the snapshot then starts after them):
    // the invitation (shared), the specialty a replacement draws from, the draw, the invitation.
    const found = await forShare(tx, tx('draw_invitations').where({ id: invitationId })).first();
    if (!found || found.tag !== sealer.invitationTag(Number(found.draw_id), expertId)) throw new NotFoundError(`Invitation ${invitationId} not found`);
    const specialty = sealer.open<InvitationPayload>(found.payload_sealed, invitationContext(Number(found.draw_id))).specialty;
    if (answer === 'decline') await forUpdate(tx, tx('catalogue_categories').where({ code: specialty }).select('code'));
    const d = await loadDraw(tx, Number(found.draw_id), true);
    const { inv, payload } = await ownInvitation(tx, expertId, invitationId, true);
    if (d.status !== 'sealed') throw new ConflictError('DRAW_CLOSED', 'This draw has been revealed; invitations can no longer be answered');
    if (inv.status !== 'pending') throw new ConflictError('INVITATION_ANSWERED', `This invitation was already answered (${inv.status})`);
    if (fromDbTime(inv.deadline_at)!.getTime() <= deps.clock.now().getTime()) throw new ConflictError('INVITATION_EXPIRED', 'The answer deadline has passed');
    const status = answer === 'accept' ? 'accepted' : 'declined';
    await tx('draw_invitations').where({ id: inv.id }).update({ status, responded_at: toDbTime(deps.clock.now()) });
    await deps.scheduler.cancel(tx, deadlineKey(inv.id));
    if (status === 'accepted') await tx('draws').where({ id: d.id }).increment('confirmed_count', 1);
    const who = sealedActor(actor);
    const counts = await invitationCounts(tx, d.id);
    await record(tx, who, { action: `draw.invitation.${status}`, entityType: 'draw', entityId: d.id, after: { invitation: inv.id, confirmed: counts.accepted, pending: counts.pending } });
    if (status === 'declined') await replace(tx, systemActor('draw-replacement', deps.clock), d, inv.id, payload);
    await publishProgress(tx, d.id);
    return { id: inv.id, status };
  }

  /** The deadline job: a no-answer is replaced like a decline. */
  async function expireInvitation(db: Db, invitationId: number) {
    await withTx(db, async (tx) => {
      // Locking reads until every lock is held, as in respond().
      const peek = await forShare(tx, tx('draw_invitations').where({ id: invitationId })).first('draw_id', 'status', 'payload_sealed');
      if (!peek || peek.status !== 'pending') return;
      const specialty = sealer.open<InvitationPayload>(peek.payload_sealed, invitationContext(Number(peek.draw_id))).specialty;
      await forUpdate(tx, tx('catalogue_categories').where({ code: specialty }).select('code'));
      const d = await loadDraw(tx, Number(peek.draw_id), true);
      const inv = await forUpdate(tx, tx('draw_invitations').where({ id: invitationId })).first();
      if (!inv || inv.status !== 'pending') return;
      if (d.status !== 'sealed') return;
      if (fromDbTime(inv.deadline_at)!.getTime() > deps.clock.now().getTime()) return;
      const actor = systemActor('draw-deadline', deps.clock);
      await tx('draw_invitations').where({ id: inv.id }).update({ status: 'no_answer' });
      const counts = await invitationCounts(tx, d.id);
      await record(tx, actor, { action: 'draw.invitation.no_answer', entityType: 'draw', entityId: d.id, after: { invitation: inv.id, confirmed: counts.accepted, pending: counts.pending } });
      await replace(tx, actor, d, inv.id, sealer.open<InvitationPayload>(inv.payload_sealed, invitationContext(d.id)));
      await publishProgress(tx, d.id);
    });
  }

  /** Unseals one draw at (or after) its reveal time: publishes seed, pool, result and the panel. */
  async function reveal(db: Db, drawId: number): Promise<boolean> {
    return withTx(db, (tx) => revealIn(tx, drawId));
  }

  /** reveal() inside the caller's transaction (the demo seed makes a past draw whole in one). */
  async function revealIn(tx: Tx, drawId: number): Promise<boolean> {
    const d = await loadDraw(tx, drawId, true);
    const now = deps.clock.now();
    if (d.status !== 'sealed' || fromDbTime(d.reveal_at)!.getTime() > now.getTime()) return false;
    const actor = systemActor('draw-reveal', deps.clock);
    const rounds = await tx('draw_rounds').where({ draw_id: d.id }).orderBy('round_no');
    const published = [];
    for (const r of rounds) {
      const seed = sealer.open<string>(r.seed_sealed, seedCtx(d.id, r.round_no, 'seed'));
      const pool = sealer.open<PoolGroup[]>(r.pool_sealed, seedCtx(d.id, r.round_no, 'pool'));
      const result = sealer.open<number[][]>(r.result_sealed, seedCtx(d.id, r.round_no, 'result'));
      const sizes = { pool_size: new Set(pool.flatMap((g) => g.ids)).size, selected_count: result.flat().length };
      await tx('draw_rounds').where({ id: r.id }).update({ seed, pool_json: JSON.stringify(pool), result_json: JSON.stringify(result), ...sizes });
      published.push({ roundNo: r.round_no, seed, commitment: r.commitment, poolHash: r.pool_hash, poolSize: sizes.pool_size });
    }
    const secret = d.scheme === 2 && d.secret_sealed ? secretOf(d) : null;
    const invitations = await tx('draw_invitations').where({ draw_id: d.id }).orderBy('id');
    const opened = invitations.map((i: any) => ({ row: i, p: sealer.open<InvitationPayload>(i.payload_sealed, invitationContext(d.id)) }));
    const stillPending = opened.filter((o) => o.row.status === 'pending');
    if (stillPending.length) {
      await tx('draw_invitations').whereIn('id', stillPending.map((o) => o.row.id)).update({ status: 'no_answer' });
      for (const o of stillPending) await deps.scheduler.cancel(tx, deadlineKey(o.row.id));
    }
    const experts = new Map(
      (await tx('experts').whereIn('id', opened.length ? opened.map((o) => o.p.expertId) : [-1]).select('id', 'name', 'title', 'employer_name')).map((e: any) => [Number(e.id), e]),
    );
    const panel: PanelEntry[] = opened.map((o) => {
      const e = experts.get(o.p.expertId);
      const answer = o.row.status === 'pending' ? 'no_answer' : o.row.status;
      return { expertId: o.p.expertId, name: e?.name ?? '', title: e?.title ?? '', employerName: e?.employer_name ?? '', roundNo: o.p.roundNo, specialty: o.p.specialty, answer };
    });
    const sitting = panel.filter((p) => p.answer === 'accepted');
    if (sitting.length) {
      await tx('expert_evaluations').insert(sitting.map((p) => ({ expert_id: p.expertId, draw_id: d.id, project_ref: d.project_ref, evaluation_at: d.evaluation_at, created_at: toDbTime(now) })));
    }
    await tx('draws').where({ id: d.id }).update({ status: 'revealed', revealed_at: toDbTime(now), panel_json: JSON.stringify(panel), ...(secret ? { secret } : {}) });
    await record(tx, actor, {
      action: 'draw.revealed',
      entityType: 'draw',
      entityId: d.id,
      before: { status: 'sealed' },
      after: { status: 'revealed', scheme: d.scheme, commitment: d.commitment, secret, rounds: published, invitations: opened.map((o) => ({ invitation: o.row.id, expertId: o.p.expertId, roundNo: o.p.roundNo, status: o.row.status === 'pending' ? 'no_answer' : o.row.status, respondedAt: o.row.responded_at })), panel: sitting.map((p) => p.expertId) },
    });
    await publishProgress(tx, d.id);
    tx.afterCommit(() => revealListeners.forEach((fn) => fn(d.id, panel)));
    return true;
  }

  /** Reveals every sealed draw whose time has come (the scheduler does this per draw; this catches any stragglers). */
  async function revealDue(db: Db): Promise<number> {
    const due = await db('draws').where({ status: 'sealed' }).where('reveal_at', '<=', toDbTime(deps.clock.now())).select('id');
    let n = 0;
    for (const r of due) if (await reveal(db, Number(r.id))) n++;
    return n;
  }

  /** The result before reveal: refused for everyone, and the attempt audited in its own transaction. */
  async function readResult(db: Db, actor: Actor, drawId: number) {
    const d = await loadDraw(db, drawId);
    if (d.status !== 'revealed') {
      await withTx(db, (tx) => record(tx, actor, { action: 'sealed.read_attempt', entityType: 'draw', entityId: d.id, after: { what: 'draw.result', revealAt: fromDbTime(d.reveal_at)!.toISOString() } }));
      throw new ForbiddenError('The draw result is sealed until the reveal time', { revealAt: fromDbTime(d.reveal_at)!.toISOString() }, 'DRAW_SEALED');
    }
    return { drawId: d.id, revealedAt: fromDbTime(d.revealed_at)!.toISOString(), panel: JSON.parse(d.panel_json ?? '[]') as PanelEntry[] };
  }

  /** An expert's own invitations: found by computing their tag for each recent draw. */
  async function myInvitations(db: Knex, expertId: number) {
    const since = toDbTime(deps.clock.now().getTime() - 180 * 86_400_000);
    const draws: DrawRow[] = await db('draws').where('evaluation_at', '>=', since).orderBy('id', 'desc').limit(2000);
    if (!draws.length) return [];
    const byTag = new Map(draws.map((d) => [sealer.invitationTag(d.id, expertId), d]));
    const rows = await db('draw_invitations').whereIn('tag', [...byTag.keys()]).orderBy('id', 'desc');
    return rows.map((inv: any) => {
      const d = byTag.get(inv.tag)!;
      const p = sealer.open<InvitationPayload>(inv.payload_sealed, invitationContext(d.id));
      return {
        id: Number(inv.id),
        drawId: d.id,
        projectRef: d.project_ref,
        specialty: p.specialty,
        evaluationAt: fromDbTime(d.evaluation_at)!.toISOString(),
        evaluationPlace: d.evaluation_place,
        deadlineAt: fromDbTime(inv.deadline_at)!.toISOString(),
        status: inv.status as string,
        respondedAt: inv.responded_at ? fromDbTime(inv.responded_at)!.toISOString() : null,
        drawStatus: d.status,
      };
    });
  }

  return { sealer, requestDraw, respond, expireInvitation, reveal, revealIn, revealDue, readResult, myInvitations, loadDraw, groupsOf };
}
