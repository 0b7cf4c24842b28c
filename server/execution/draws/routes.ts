// HTTP for the draw: operators request and follow it (counts only), experts answer their own
// invitations, everyone may read the public record, nobody reads the result before reveal.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { defineRoutes } from '../../http/routes';
import { ForbiddenError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import type { SessionUser } from '../../http/auth/sessions';
import type { DrawService } from './service';
import { drawSummary, sealRecord, groupsOf, publishedPanel, type DrawRow } from './repository';
import { idParams, drawRequestBody, drawListQuery } from './schemas';
import { isoFromDb } from '../../db/time';

const STAFF = ['operator', 'supervisor', 'admin'] as const;

export async function expertIdOf(db: Db, user: SessionUser): Promise<number> {
  const e = await db('experts').where({ user_id: user.id }).first('id');
  if (!e) throw new ForbiddenError('This account is not linked to an expert in the library', null, 'NOT_AN_EXPERT');
  return Number(e.id);
}

/**
 * The seats of a revealed panel per specialty: asked for, taken (the expert accepted) and left
 * empty. A seat nobody took is said, not hidden: the public sees a committee of 4 where 5 sat.
 */
export function seatsOf(groups: Array<{ specialty: string; count: number }>, panel: Array<{ specialty: string; answer: string }>) {
  const asked = new Map<string, number>();
  for (const g of groups) asked.set(g.specialty, (asked.get(g.specialty) ?? 0) + g.count);
  return [...asked].map(([specialty, count]) => {
    const accepted = Math.min(count, panel.filter((p) => p.specialty === specialty && p.answer === 'accepted').length);
    return { specialty, count, accepted, unfilled: count - accepted };
  });
}

/**
 * The public record. Before the reveal it says only what was asked for and the seal (commitment,
 * its time, round 1's keyed pool hash): nothing that changes when an invitee answers, so no
 * confirmations, replacements or pool sizes. After the reveal: every round and the panel.
 */
export async function publicRecord(db: Db, d: DrawRow) {
  const revealed = d.status === 'revealed';
  const panel = publishedPanel(d);
  return {
    id: d.id,
    projectRef: d.project_ref,
    groups: groupsOf(d),
    totalCount: d.total_count,
    evaluationAt: isoFromDb(d.evaluation_at),
    revealAt: isoFromDb(d.reveal_at),
    status: d.status,
    createdAt: isoFromDb(d.created_at),
    revealedAt: isoFromDb(d.revealed_at),
    ...(revealed ? { confirmedCount: d.confirmed_count } : {}),
    ...(await sealRecord(db, d)),
    panel: panel?.map((p) => ({ expertId: p.expertId, name: p.name, title: p.title, roundNo: p.roundNo, specialty: p.specialty, answer: p.answer })) ?? null,
    seats: panel ? seatsOf(groupsOf(d), panel) : null,
  };
}

export function drawRoutes(db: Db, draws: DrawService) {
  return defineRoutes([
    {
      method: 'post',
      path: '/api/draws',
      tag: 'expert draw',
      summary: 'Request a sealed expert draw for a project (the system draws at once and invites)',
      roles: ['operator'],
      body: drawRequestBody,
      handler: async ({ body, actor }) => {
        try {
          return await withTx(db, (tx) => draws.requestDraw(tx, actor, body));
        } catch (e) {
          // A refused draw leaves no trace otherwise: repeated refusals are how someone would
          // probe who is busy with another sealed draw, so supervision sees each one.
          if (e instanceof RuleError && e.code === 'POOL_TOO_SMALL') {
            await withTx(db, (tx) => record(tx, actor, { action: 'draw.request_refused', entityType: 'draw_request', entityId: body.projectRef, after: { code: e.code, projectRef: body.projectRef, purchasingOrgId: body.purchasingOrgId, suppliers: body.supplierIds.length, groups: body.groups, evaluationAt: body.evaluationAt } }));
          }
          throw e;
        }
      },
    },
    {
      method: 'get',
      path: '/api/draws',
      tag: 'expert draw',
      summary: 'Draws with their commitments and counts (never names before reveal)',
      roles: STAFF,
      query: drawListQuery,
      handler: async ({ query }) => {
        const q = db('draws').orderBy('id', 'desc');
        if (query.status) q.where({ status: query.status });
        if (query.projectRef) q.where('project_ref', 'like', `%${query.projectRef}%`);
        const total = Number((await q.clone().clearOrder().count({ n: '*' }).first())?.n ?? 0);
        const rows: DrawRow[] = await q.offset((query.page - 1) * query.pageSize).limit(query.pageSize);
        const items = [];
        for (const r of rows) items.push(await drawSummary(db, r));
        return { items, total, page: query.page, pageSize: query.pageSize };
      },
    },
    {
      method: 'get',
      path: '/api/draws/:id',
      tag: 'expert draw',
      summary: 'One draw: request, commitments, confirmed count (not who)',
      roles: STAFF,
      params: idParams,
      handler: async ({ params }) => drawSummary(db, await draws.loadDraw(db, params.id)),
    },
    {
      method: 'get',
      path: '/api/draws/:id/result',
      tag: 'expert draw',
      summary: 'The drawn panel: 403 DRAW_SEALED for every role before the reveal time (the attempt is audited)',
      roles: 'authenticated',
      params: idParams,
      handler: ({ params, actor }) => draws.readResult(db, actor, params.id),
    },
    {
      method: 'get',
      path: '/api/public/draws',
      tag: 'expert draw',
      summary: 'Public draw records: commitments before reveal; seed, pool and result after',
      roles: 'public',
      query: { type: 'object', additionalProperties: false, properties: { page: { type: 'integer', minimum: 1, default: 1 }, pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 } } },
      handler: async ({ query }) => {
        const total = Number((await db('draws').count({ n: '*' }).first())?.n ?? 0);
        const rows: DrawRow[] = await db('draws').orderBy('id', 'desc').offset((query.page - 1) * query.pageSize).limit(query.pageSize);
        return {
          items: rows.map((d) => ({ id: d.id, projectRef: d.project_ref, status: d.status, totalCount: d.total_count, revealAt: isoFromDb(d.reveal_at), createdAt: isoFromDb(d.created_at) })),
          total,
          page: query.page,
          pageSize: query.pageSize,
        };
      },
    },
    {
      method: 'get',
      path: '/api/public/draws/:id',
      tag: 'expert draw',
      summary: 'One public draw record, enough to recompute the selection after reveal',
      roles: 'public',
      params: idParams,
      handler: async ({ params }) => publicRecord(db, await draws.loadDraw(db, params.id)),
    },
    {
      method: 'get',
      path: '/api/my/invitations',
      tag: 'expert draw',
      summary: "The expert's own evaluation invitations",
      roles: ['expert'],
      handler: async ({ user }) => ({ items: await draws.myInvitations(db, await expertIdOf(db, user!)) }),
    },
    {
      method: 'post',
      path: '/api/my/invitations/:id/accept',
      tag: 'expert draw',
      summary: 'Accept an invitation to sit on an evaluation committee',
      roles: ['expert'],
      params: idParams,
      status: 200,
      handler: async ({ params, user, actor }) => {
        const expertId = await expertIdOf(db, user!);
        return withTx(db, (tx) => draws.respond(tx, actor, expertId, params.id, 'accept'));
      },
    },
    {
      method: 'post',
      path: '/api/my/invitations/:id/decline',
      tag: 'expert draw',
      summary: 'Decline an invitation; a replacement is drawn at once from the remaining pool',
      roles: ['expert'],
      params: idParams,
      status: 200,
      handler: async ({ params, user, actor }) => {
        const expertId = await expertIdOf(db, user!);
        return withTx(db, (tx) => draws.respond(tx, actor, expertId, params.id, 'decline'));
      },
    },
  ]);
}
