// HTTP API for competitions: /api/auctions (bids travel over the WebSocket, see module.ts).
import type { Knex } from 'knex';
import { defineRoutes, type RouteDef } from '../../http/routes';
import { paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as repo from './repository';
import type { Auction } from './repository';
import { auctionResponse, createBody, idParams, joinBody, listQuery, reasonBody } from './schemas';
import type { AuctionService } from './service';
import { resultFor } from './result';
import { priceHistory } from './history';

const MANAGERS = ['operator', 'admin'] as const;
const CREATORS = ['operator', 'purchaser', 'admin'] as const;

export function auctionJson(a: Auction) {
  return {
    id: a.id,
    code: a.code,
    title: a.title,
    lotDescription: a.lotDescription,
    quantity: a.quantity,
    unit: a.unit,
    categoryCode: a.categoryCode,
    ceilingFen: a.ceilingFen,
    decrementKind: a.decrementKind,
    decrementValue: a.decrementValue,
    durationSec: a.durationSec,
    extensionSec: a.extensionSec,
    maxExtensionSec: a.maxExtensionSec,
    visibility: a.visibility,
    minSuppliers: a.minSuppliers,
    minBrands: a.minBrands,
    status: a.status,
    statusReason: a.statusReason,
    failureCode: a.failureCode,
    remainingMs: a.remainingMs,
    bidCount: a.bidCount,
    orgId: a.orgId,
    requisitionId: a.requisitionId,
    projectId: a.projectId,
    ...repo.times(a),
  };
}

/** What a user may list: suppliers see what is announced in their categories; units their own. */
async function listScope(db: Knex, user: SessionUser, mine: boolean | undefined) {
  if (user.roles.some((r) => r === 'operator' || r === 'admin')) return {};
  if (user.roles.includes('supervisor')) return { hideDrafts: true };
  if (user.roles.some((r) => r === 'purchaser' || r === 'approver')) return { orgId: user.orgId };
  const cats = user.supplierId ? await repo.supplierCategories(db, user.supplierId) : [];
  return { hideDrafts: true, categoryCodes: mine ? undefined : cats, supplierId: user.supplierId ?? -1 };
}

export function auctionRoutes(db: Knex, service: AuctionService): RouteDef[] {
  const visible = async (user: SessionUser, id: number): Promise<Auction> => {
    const a = await repo.findAuction(db, id);
    if (!a) throw new NotFoundError(`Competition ${id} not found`);
    const isStaff = user.roles.some((r) => r === 'operator' || r === 'admin' || r === 'supervisor');
    if (a.status === 'draft' && !user.roles.some((r) => r === 'operator' || r === 'admin') && !(a.orgId !== null && a.orgId === user.orgId)) throw new NotFoundError(`Competition ${id} not found`);
    if (!isStaff && user.roles.some((r) => r === 'purchaser' || r === 'approver') && a.orgId !== user.orgId) throw new NotFoundError(`Competition ${id} not found`);
    return a;
  };
  return defineRoutes([
    {
      method: 'post',
      path: '/api/auctions',
      tag: 'auctions',
      summary: 'Create an online price competition (announced at once unless announce=false)',
      roles: CREATORS,
      body: createBody,
      response: auctionResponse,
      handler: async ({ body, actor, user }) => auctionJson(await service.create(actor, user!, body)),
    },
    {
      method: 'get',
      path: '/api/auctions',
      tag: 'auctions',
      summary: 'Competitions: the portal list (suppliers: their categories; mine=true: joined ones)',
      roles: 'authenticated',
      query: listQuery,
      response: pagedSchema(auctionResponse),
      handler: async ({ query, user }) => {
        const scope = await listScope(db, user!, query.mine);
        const q = repo.listQuery(db, { status: query.status, ...scope });
        const joined = 'supplierId' in scope ? await repo.participantIdsOf(db, scope.supplierId as number) : null;
        if (joined && query.mine) q.whereIn('id', [...joined, -1]);
        return paged(q, query.page, query.pageSize, (r) => {
          const a = auctionJson(repo.auctionFromRow(r));
          return joined ? { ...a, joined: joined.has(a.id) } : a;
        });
      },
    },
    {
      method: 'get',
      path: '/api/auctions/:id',
      tag: 'auctions',
      summary: 'One competition (announcement facts; participants with identities for operators and supervisors)',
      roles: 'authenticated',
      params: idParams,
      handler: async ({ params, user }) => {
        const a = await visible(user!, params.id);
        const parts = await repo.participants(db, a.id);
        const base = { ...auctionJson(a), participantCount: parts.length, brandCount: new Set(parts.map((p) => p.brand)).size };
        if (user!.roles.some((r) => r === 'operator' || r === 'admin' || r === 'supervisor')) {
          const names = await repo.supplierNames(db, parts.map((p) => p.supplierId));
          return { ...base, participants: parts.map((p) => ({ label: p.label, supplierId: p.supplierId, supplierName: names.get(p.supplierId) ?? '', brand: p.brand, model: p.model, joinedAt: p.joinedAt.toISOString() })) };
        }
        if (user!.supplierId) {
          const me = parts.find((p) => p.supplierId === user!.supplierId);
          return { ...base, joined: !!me, myParticipation: me ? { label: me.label, brand: me.brand, model: me.model } : null };
        }
        return base;
      },
    },
    {
      method: 'post',
      path: '/api/auctions/:id/announce',
      tag: 'auctions',
      summary: 'Announce a draft competition on the portal (schedules its start)',
      roles: CREATORS,
      params: idParams,
      body: { type: 'object', additionalProperties: false, properties: {} },
      handler: async ({ params, actor, user }) => {
        await visible(user!, params.id);
        return auctionJson(await service.announce(actor, params.id));
      },
    },
    {
      method: 'post',
      path: '/api/auctions/:id/join',
      tag: 'auctions',
      summary: 'Join before the start, naming the brand and model offered',
      roles: ['supplier'],
      params: idParams,
      body: joinBody,
      handler: async ({ params, body, actor, user }) => service.join(actor, user!, params.id, body),
    },
    {
      method: 'get',
      path: '/api/auctions/:id/state',
      tag: 'auctions',
      summary: 'Current state as the caller may see it (the same message as auction.state on the WebSocket)',
      roles: ['supplier', 'purchaser', 'approver', 'operator', 'supervisor', 'admin'],
      params: idParams,
      handler: async ({ params, user }) => service.state(user!, params.id),
    },
    {
      method: 'get',
      path: '/api/auctions/:id/history',
      tag: 'auctions',
      summary: 'Price history as the caller may see it: the best price over time (hidden from suppliers in rank-only mode while it runs) and a supplier\'s own bids',
      roles: ['supplier', 'purchaser', 'approver', 'operator', 'supervisor', 'admin'],
      params: idParams,
      handler: async ({ params, user }) => {
        const a = await visible(user!, params.id);
        if (!(await service.mayWatch(user!, a))) throw new NotFoundError(`Competition ${params.id} not found`);
        return priceHistory(db, a, user!);
      },
    },
    {
      method: 'get',
      path: '/api/auctions/:id/result',
      tag: 'auctions',
      summary: 'Result of a finished competition: winner, price, savings, anonymised bid ladder with times',
      roles: 'authenticated',
      params: idParams,
      handler: async ({ params, user }) => resultFor(db, await visible(user!, params.id), user!),
    },
    {
      method: 'get',
      path: '/api/portal/auctions/:id/result',
      tag: 'portal',
      summary: 'Public result of a finished competition: winner, price, savings and every bid with its time, under anonymous labels',
      roles: 'public',
      params: idParams,
      handler: async ({ params }) => {
        const a = await repo.findAuction(db, params.id);
        // Only finished competitions are public here; anything else does not exist for the public.
        if (!a || (a.status !== 'closed' && a.status !== 'failed')) throw new NotFoundError(`No finished competition ${params.id}`);
        return resultFor(db, a, null);
      },
    },
    {
      method: 'post',
      path: '/api/auctions/:id/suspend',
      tag: 'auctions',
      summary: 'Suspend a running competition with a reason (the remaining time is kept)',
      roles: MANAGERS,
      params: idParams,
      body: reasonBody,
      handler: async ({ params, body, actor }) => auctionJson(await service.suspend(actor, params.id, body.reason)),
    },
    {
      method: 'post',
      path: '/api/auctions/:id/resume',
      tag: 'auctions',
      summary: 'Resume a suspended competition with a reason',
      roles: MANAGERS,
      params: idParams,
      body: reasonBody,
      handler: async ({ params, body, actor }) => auctionJson(await service.resume(actor, params.id, body.reason)),
    },
  ]);
}
