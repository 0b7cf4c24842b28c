// The supplier invitation draw: N suppliers drawn at random from the qualified suppliers of a
// category in the library, by the expert draw's verifiable selection (draws/selection.ts,
// scheme 2, one round). When drawn, only the commitment (SHA-256 of the secret) and the keyed
// pool hash are published; the secret, pool and result stay sealed under the seal key, and each
// invitation is a row keyed by an HMAC tag that only the platform can compute for a given
// supplier. At the reveal time (the bids close) the secret, pool and result are published and
// anyone recomputes the selection (npm run draw:verify -- --suppliers <id>, or the public record).
//
// Reused by every procedure that invites suppliers (invitational tender, competitive
// consultation): drawSuppliers(tx, { subject, categoryCode, count, excludeSupplierIds, revealAt }, actor).
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { withTx, type Tx } from '../../db/tx';
import type { Db } from '../../db/knex';
import { forUpdate } from '../../db/knex';
import { toDbTime, fromDbTime, isoFromDb, type Clock } from '../../db/time';
import { record } from '../../supervision/audit/audit';
import { systemActor, type Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import type { Scheduler } from '../../scheduler/scheduler';
import type { RealtimeHub } from '../../realtime/hub';
import { createSealer, newSeed, nodeHashes } from '../draws/seal';
import { commitmentOf, keyedPoolHashOf, roundSeedOf, select, PoolTooSmallError, type PoolGroup, type PublicDrawRecord } from '../draws/selection';
import { activeBlacklistEntry } from '../suppliers/eligibility';
import { publishNotice } from '../../core/notices/service';
import { noticeTime } from '../../core/notices/notice-time';

export const SUPPLIER_REVEAL_JOB = 'supplier-draw.reveal';
export const supplierRevealKey = (drawId: number) => `supplier-draw-reveal:${drawId}`;

/** What the suppliers are invited to: a project (invitational tender), a consultation, ... */
export interface InvitationSubject {
  type: string;
  id: number;
  ref: string;
}

export interface SupplierDrawRequest {
  subject: InvitationSubject;
  categoryCode: string;
  count: number;
  excludeSupplierIds?: number[];
  revealAt: Date | string;
}

export interface SupplierDrawRow {
  id: number;
  subject_type: string;
  subject_id: number;
  subject_ref: string;
  category_code: string;
  invited_count: number;
  scheme: number;
  commitment: string;
  pool_hash: string;
  secret_sealed: string;
  pool_sealed: string;
  result_sealed: string;
  status: 'sealed' | 'revealed';
  reveal_at: string;
  created_at: string;
  secret: string | null;
  seed: string | null;
  pool_json: string | null;
  result_json: string | null;
  revealed_at: string | null;
}

export interface InvitationServiceDeps {
  sealKey: string;
  scheduler: Scheduler;
  clock: Clock;
  realtime?: RealtimeHub;
}

const ctx = (drawId: number, what: 'secret' | 'seed' | 'pool' | 'result') => `supplier-draw:${drawId}:${what}`;
const invitationCtx = (subject: { type: string; id: number }) => `supplier-invitation:${subject.type}:${subject.id}`;

export type InvitationService = ReturnType<typeof createInvitationService>;

export function createInvitationService(deps: InvitationServiceDeps) {
  const sealer = createSealer(deps.sealKey);
  // Its own key for tags (not the encryption key, not the expert draw's tag key).
  const tagKey = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(deps.sealKey, 'hex'), Buffer.alloc(0), 'sunshine/supplier-invitation-tag/v1', 32));
  const tagOf = (subject: { type: string; id: number }, supplierId: number) => crypto.createHmac('sha256', tagKey).update(`${subject.type}:${subject.id}:${supplierId}`).digest('hex');

  async function loadDraw(db: Knex, id: number, lock = false): Promise<SupplierDrawRow> {
    const q = db('supplier_draws').where({ id });
    const d = (await (lock ? forUpdate(db as Tx, q) : q).first()) as SupplierDrawRow | undefined;
    if (!d) throw new NotFoundError(`Supplier draw ${id} not found`, null, 'SUPPLIER_DRAW_NOT_FOUND');
    return d;
  }

  /** Approved in the library for the category, not blacklisted now, not excluded; ascending ids. */
  async function qualifiedSuppliers(db: Knex, categoryCode: string, exclude: number[], at: Date): Promise<number[]> {
    const ids = (await db('supplier_categories as sc').join('suppliers as s', 's.id', 'sc.supplier_id').where({ 'sc.category_code': categoryCode, 's.status': 'approved' }).orderBy('s.id').pluck('s.id')).map(Number);
    const out: number[] = [];
    for (const id of ids) if (!exclude.includes(id) && !(await activeBlacklistEntry(db, id, at))) out.push(id);
    return out;
  }

  /** Sealed invitations for the given suppliers: tag-keyed rows, a sealed payload each; nothing in clear. */
  async function writeInvitations(tx: Tx, subject: InvitationSubject, supplierIds: number[], source: 'draw' | 'prequalification', drawId: number | null, revealAt: Date) {
    const now = toDbTime(deps.clock.now());
    // Rows in a random order: the insertion order (row ids) must not follow the draw order or the ids.
    const shuffled = [...supplierIds];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = crypto.randomInt(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (const supplierId of shuffled) {
      const tag = tagOf(subject, supplierId);
      if (await tx('supplier_invitations').where({ tag }).first('id')) throw new ConflictError('SUPPLIER_ALREADY_INVITED', 'A supplier is already invited to this procedure');
      await tx('supplier_invitations').insert({ subject_type: subject.type, subject_id: subject.id, draw_id: drawId, source, tag, payload_sealed: sealer.seal({ supplierId }, invitationCtx(subject)), reveal_at: toDbTime(revealAt), created_at: now });
    }
    // The invited suppliers' users hear of it after commit (their own channel; the invitation is fetched by tag).
    const users = (await tx('users').whereIn('supplier_id', supplierIds.length ? supplierIds : [-1]).pluck('id')).map(Number);
    tx.afterCommit(() => {
      for (const u of users) deps.realtime?.publish(`user:${u}`, { type: 'supplier.invitation', subjectType: subject.type, subjectId: subject.id });
    });
  }

  /**
   * Draws `count` suppliers of the category and invites them, in the caller's transaction.
   * Publishes (audits) the commitment and the keyed pool hash only; schedules the reveal.
   */
  async function drawSuppliers(tx: Tx, input: SupplierDrawRequest, actor: Actor) {
    const now = deps.clock.now();
    const revealAt = new Date(input.revealAt);
    if (Number.isNaN(revealAt.getTime())) throw new ValidationError('revealAt must be a time', null, 'INVALID_TIME');
    if (revealAt.getTime() <= now.getTime()) throw new RuleError('REVEAL_IN_PAST', 'The reveal time must be in the future');
    if (!Number.isInteger(input.count) || input.count < 1) throw new ValidationError('count must be a positive integer', null, 'INVALID_COUNT');
    const cat = await tx('catalogue_categories').where({ code: input.categoryCode }).first('code');
    if (!cat) throw new RuleError('UNKNOWN_CATEGORY', `Not a catalogue code: ${input.categoryCode}`);
    const open = await tx('supplier_draws').where({ subject_type: input.subject.type, subject_id: input.subject.id, status: 'sealed' }).first('id');
    if (open) throw new ConflictError('SUPPLIER_DRAW_OPEN', 'This procedure already has a sealed supplier draw', { drawId: Number(open.id) });
    const ids = await qualifiedSuppliers(tx, input.categoryCode, [...new Set(input.excludeSupplierIds ?? [])], now);
    const pool: PoolGroup[] = [{ specialty: input.categoryCode, count: input.count, ids }];
    const secret = newSeed();
    const seed = roundSeedOf(secret, 1, nodeHashes);
    let result: number[][];
    try {
      result = select(seed, pool, nodeHashes);
    } catch (e) {
      // The library is public: saying how many qualified suppliers there are tells nothing sealed.
      if (e instanceof PoolTooSmallError) throw new RuleError('POOL_TOO_SMALL', `Only ${e.available} qualified suppliers of ${input.categoryCode} in the library; ${e.needed} needed`, { categoryCode: input.categoryCode, needed: e.needed, available: e.available });
      throw e;
    }
    const [id] = await tx('supplier_draws').insert({
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      subject_ref: input.subject.ref,
      category_code: input.categoryCode,
      invited_count: input.count,
      scheme: 2,
      commitment: commitmentOf(secret, nodeHashes),
      pool_hash: keyedPoolHashOf(secret, 1, pool, nodeHashes),
      // Sealed under contexts naming the row, once it has its id (below).
      secret_sealed: '-',
      pool_sealed: '-',
      result_sealed: '-',
      status: 'sealed',
      reveal_at: toDbTime(revealAt),
      requested_by: actor.userId,
      created_at: toDbTime(now),
    });
    const drawId = Number(id);
    await tx('supplier_draws').where({ id: drawId }).update({ secret_sealed: sealer.seal(secret, ctx(drawId, 'secret')), pool_sealed: sealer.seal(pool, ctx(drawId, 'pool')), result_sealed: sealer.seal(result, ctx(drawId, 'result')) });
    await writeInvitations(tx, input.subject, result[0], 'draw', drawId, revealAt);
    await deps.scheduler.schedule(tx, { kind: SUPPLIER_REVEAL_JOB, key: supplierRevealKey(drawId), runAt: revealAt, payload: { drawId } });
    const d = await loadDraw(tx, drawId);
    // The public sees the seal on the portal at once: the commitment, the keyed pool hash, how many, when it opens.
    await publishNotice(tx, actor, {
      kind: 'other',
      titleZh: `${d.subject_ref} 邀请供应商随机抽取公告`,
      titleEn: `${d.subject_ref}: random draw of the invited suppliers`,
      bodyZh: `项目 ${d.subject_ref} 从供应商库品目 ${d.category_code} 的合格供应商中随机抽取 ${d.invited_count} 家供应商发出邀请。抽取承诺值（SHA-256）：${d.commitment}；候选池密钥哈希：${d.pool_hash}。受邀名单密封至 ${noticeTime(revealAt, 'zh')}投标截止时揭晓，届时任何人可在 /api/public/supplier-draws/${d.id}/verify 复算验证。`,
      bodyEn: `Project ${d.subject_ref} invites ${d.invited_count} suppliers drawn at random from the qualified suppliers of category ${d.category_code} in the supplier library. Commitment (SHA-256): ${d.commitment}; keyed pool hash: ${d.pool_hash}. The invited list is sealed until the bids close at ${noticeTime(revealAt, 'en')}; then anyone can recompute it at /api/public/supplier-draws/${d.id}/verify.`,
      categoryCode: d.category_code,
      projectRef: d.subject_ref,
      sourceType: 'supplier_draw',
      sourceId: drawId,
    });
    // Counts and hashes only: the pool size is public library data, the result is not.
    await record(tx, actor, { action: 'supplier_draw.drawn', entityType: 'supplier_draw', entityId: drawId, after: { subjectType: d.subject_type, subjectId: d.subject_id, subjectRef: d.subject_ref, categoryCode: d.category_code, invited: d.invited_count, excluded: (input.excludeSupplierIds ?? []).length, scheme: 2, commitment: d.commitment, poolHash: d.pool_hash, revealAt: revealAt.toISOString() } });
    return summary(d);
  }

  /** Invitations to a given list (the suppliers qualified in a prequalification), sealed as drawn ones are. */
  async function inviteListed(tx: Tx, input: { subject: InvitationSubject; supplierIds: number[]; revealAt: Date }, actor: Actor) {
    const ids = [...new Set(input.supplierIds)];
    await writeInvitations(tx, input.subject, ids, 'prequalification', null, input.revealAt);
    await record(tx, actor, { action: 'supplier_invitation.issued', entityType: input.subject.type, entityId: input.subject.id, after: { subjectRef: input.subject.ref, source: 'prequalification', invited: ids.length, revealAt: input.revealAt.toISOString() } });
    return { invited: ids.length };
  }

  /** Whether the supplier holds an invitation to the subject (computes its tag; nothing else is read). */
  async function isInvited(db: Knex, subject: { type: string; id: number }, supplierId: number): Promise<boolean> {
    return !!(await db('supplier_invitations').where({ tag: tagOf(subject, supplierId), subject_type: subject.type, subject_id: subject.id }).first('id'));
  }

  /** How many are invited to the subject (a count, no names). */
  async function invitedCount(db: Knex, subject: { type: string; id: number }): Promise<number> {
    return Number((await db('supplier_invitations').where({ subject_type: subject.type, subject_id: subject.id }).count({ n: '*' }).first())?.n ?? 0);
  }

  /** The reveal time moves with the bid deadline (published or extended), while still sealed. */
  async function moveReveal(tx: Tx, actor: Actor, subject: { type: string; id: number }, revealAt: Date) {
    const draws: SupplierDrawRow[] = await forUpdate(tx, tx('supplier_draws').where({ subject_type: subject.type, subject_id: subject.id, status: 'sealed' }));
    for (const d of draws) {
      if (fromDbTime(d.reveal_at)!.getTime() === revealAt.getTime()) continue;
      await tx('supplier_draws').where({ id: d.id }).update({ reveal_at: toDbTime(revealAt) });
      await deps.scheduler.schedule(tx, { kind: SUPPLIER_REVEAL_JOB, key: supplierRevealKey(d.id), runAt: revealAt, payload: { drawId: d.id } });
      await record(tx, actor, { action: 'supplier_draw.reveal_moved', entityType: 'supplier_draw', entityId: d.id, before: { revealAt: fromDbTime(d.reveal_at)!.toISOString() }, after: { revealAt: revealAt.toISOString() } });
    }
    await tx('supplier_invitations').where({ subject_type: subject.type, subject_id: subject.id }).update({ reveal_at: toDbTime(revealAt) });
  }

  /** Unseals a draw at (or after) its reveal time: secret, seed, pool and result published, and audited. */
  async function reveal(db: Db, drawId: number): Promise<boolean> {
    return withTx(db, async (tx) => {
      const d = await loadDraw(tx, drawId, true);
      const now = deps.clock.now();
      if (d.status !== 'sealed' || fromDbTime(d.reveal_at)!.getTime() > now.getTime()) return false;
      const secret = sealer.open<string>(d.secret_sealed, ctx(d.id, 'secret'));
      const pool = sealer.open<PoolGroup[]>(d.pool_sealed, ctx(d.id, 'pool'));
      const result = sealer.open<number[][]>(d.result_sealed, ctx(d.id, 'result'));
      const seed = roundSeedOf(secret, 1, nodeHashes);
      await tx('supplier_draws').where({ id: d.id }).update({ status: 'revealed', secret, seed, pool_json: JSON.stringify(pool), result_json: JSON.stringify(result), revealed_at: toDbTime(now) });
      const names = (await tx('suppliers').whereIn('id', result.flat().length ? result.flat() : [-1]).orderBy('id').pluck('name')) as string[];
      const revealer = systemActor('supplier-draw-reveal', deps.clock);
      await publishNotice(tx, revealer, {
        kind: 'other',
        titleZh: `${d.subject_ref} 邀请供应商抽取结果`,
        titleEn: `${d.subject_ref}: the supplier draw revealed`,
        bodyZh: `投标截止，项目 ${d.subject_ref} 的邀请供应商抽取结果揭晓。受邀供应商：${names.join('、')}。抽取密钥：${secret}，任何人可在 /api/public/supplier-draws/${d.id}/verify 复算验证。`,
        bodyEn: `The bids closed and the supplier draw of project ${d.subject_ref} is revealed. Invited: ${names.join(', ')}. Secret: ${secret}; anyone can recompute the draw at /api/public/supplier-draws/${d.id}/verify.`,
        categoryCode: d.category_code,
        projectRef: d.subject_ref,
        sourceType: 'supplier_draw_result',
        sourceId: d.id,
      });
      await record(tx, revealer, { action: 'supplier_draw.revealed', entityType: 'supplier_draw', entityId: d.id, before: { status: 'sealed' }, after: { status: 'revealed', subjectRef: d.subject_ref, commitment: d.commitment, secret, seed, poolSize: pool[0]?.ids.length ?? 0, invited: result.flat() } });
      return true;
    });
  }

  async function revealDue(db: Db): Promise<number> {
    const due = await db('supplier_draws').where({ status: 'sealed' }).where('reveal_at', '<=', toDbTime(deps.clock.now())).pluck('id');
    let n = 0;
    for (const id of due) if (await reveal(db, Number(id))) n++;
    return n;
  }

  /**
   * The invited list of a subject: refused to everyone before the reveal time (the attempt is
   * audited in its own transaction), every invitation named after it.
   */
  async function invitedList(db: Db, actor: Actor, subject: { type: string; id: number }) {
    const rows = await db('supplier_invitations').where({ subject_type: subject.type, subject_id: subject.id }).orderBy('id');
    const revealAt = rows.length ? fromDbTime(rows[0].reveal_at)! : null;
    if (revealAt && revealAt.getTime() > deps.clock.now().getTime()) {
      await withTx(db, (tx) => record(tx, actor, { action: 'sealed.read_attempt', entityType: subject.type, entityId: subject.id, after: { what: 'supplier_invitations', revealAt: revealAt.toISOString() } }));
      throw new ForbiddenError('The invited suppliers are sealed until the bids close', { revealAt: revealAt.toISOString() }, 'INVITATIONS_SEALED');
    }
    const ids = rows.map((r: any) => ({ source: r.source as string, supplierId: sealer.open<{ supplierId: number }>(r.payload_sealed, invitationCtx(subject)).supplierId }));
    const names = new Map((await db('suppliers').whereIn('id', ids.length ? ids.map((i) => i.supplierId) : [-1]).select('id', 'name')).map((s: any) => [Number(s.id), s.name as string]));
    return { revealAt: revealAt?.toISOString() ?? null, items: ids.map((i) => ({ ...i, name: names.get(i.supplierId) ?? '' })).sort((a, b) => a.supplierId - b.supplierId) };
  }

  /** A supplier's own invitations: found by computing its tag for each subject invited to lately. */
  async function myInvitations(db: Knex, supplierId: number) {
    const since = toDbTime(deps.clock.now().getTime() - 365 * 86_400_000);
    const subjects: Array<{ subject_type: string; subject_id: number }> = await db('supplier_invitations').where('created_at', '>=', since).distinct('subject_type', 'subject_id').limit(5000);
    if (!subjects.length) return [];
    const byTag = new Map(subjects.map((s) => [tagOf({ type: s.subject_type, id: Number(s.subject_id) }, supplierId), s]));
    const rows = await db('supplier_invitations').whereIn('tag', [...byTag.keys()]).orderBy('id', 'desc');
    return rows.map((r: any) => ({ id: Number(r.id), subjectType: r.subject_type as string, subjectId: Number(r.subject_id), source: r.source as string, drawId: r.draw_id === null ? null : Number(r.draw_id), invitedAt: isoFromDb(r.created_at), revealAt: isoFromDb(r.reveal_at) }));
  }

  /** The public record: the seal when drawn; secret, seed, pool and result after the reveal (verifiable with selection.ts). */
  function publicRecord(d: SupplierDrawRow) {
    const revealed = d.status === 'revealed';
    const rounds = revealed ? [{ roundNo: 1, commitment: commitmentOf(d.seed!, nodeHashes), poolHash: d.pool_hash, seed: d.seed!, pool: JSON.parse(d.pool_json!) as PoolGroup[], result: JSON.parse(d.result_json!) as number[][] }] : null;
    const rec: PublicDrawRecord & Record<string, unknown> = {
      id: d.id,
      subjectType: d.subject_type,
      subjectRef: d.subject_ref,
      categoryCode: d.category_code,
      invitedCount: d.invited_count,
      status: d.status,
      scheme: 2,
      commitment: d.commitment,
      poolHash: d.pool_hash,
      committedAt: isoFromDb(d.created_at),
      revealAt: isoFromDb(d.reveal_at),
      revealedAt: isoFromDb(d.revealed_at),
      secret: revealed ? d.secret : null,
      rounds,
    };
    return rec;
  }

  function summary(d: SupplierDrawRow) {
    return { id: d.id, subjectType: d.subject_type, subjectId: d.subject_id, subjectRef: d.subject_ref, categoryCode: d.category_code, invitedCount: d.invited_count, status: d.status, commitment: d.commitment, poolHash: d.pool_hash, revealAt: isoFromDb(d.reveal_at), createdAt: isoFromDb(d.created_at) };
  }

  return { drawSuppliers, inviteListed, isInvited, invitedCount, moveReveal, reveal, revealDue, invitedList, myInvitations, publicRecord, summary, loadDraw, qualifiedSuppliers };
}
