// HTTP for framework-agreement procurement: the procurement centre's call for entry, the
// suppliers' sealed responses and signatures, the purchasing units' orders, the public portal.
import type { Knex } from 'knex';
import { withTx } from '../../db/tx';
import { defineRoutes } from '../../http/routes';
import { ForbiddenError, NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import { isoFromDb } from '../../db/time';
import * as s from './schemas';
import * as svc from './service';
import * as repo from './repository';

const TAG = 'framework-agreements';
const CENTRE = ['operator', 'admin', 'supervisor'];

function supplierOf(user: SessionUser | null): number {
  if (!user?.supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER_ACCOUNT');
  return user.supplierId;
}

/** One agreement as this reader may see it: responses stay sealed (a count) until the opening. */
export async function agreementView(db: Knex, id: number, user: SessionUser | null, now: Date) {
  const a = await db('framework_agreements').where({ id }).first();
  const centre = !!user && user.roles.some((r) => CENTRE.includes(r));
  if (!a || (a.status === 'draft' && !centre)) throw new NotFoundError(`Framework agreement ${id} not found`, null, 'AGREEMENT_NOT_FOUND');
  const opened = !['draft', 'calling', 'opening'].includes(a.status);
  const published = ['entries_published', 'active'].includes(a.status);
  const responses = await db('framework_responses as r').join('suppliers as s', 's.id', 'r.supplier_id').where('r.agreement_id', id).whereNot('r.status', 'withdrawn').orderBy('r.rank').orderBy('r.id').select('r.*', 's.name as supplier_name');
  const own = user?.supplierId ? responses.find((r: any) => r.supplier_id === user.supplierId) : undefined;
  const orders = await repo.ordersOf(db, id);
  return {
    ...repo.agreementFromRow(a, svc.today(now)),
    items: await repo.items(db, id),
    // How many responded is the centre's to know before the opening (it tells a supplier its competition);
    // everyone's once the deadline has passed.
    responseCount: centre || opened || a.status === 'opening' ? responses.length : null,
    responses: centre && opened ? responses.map((r: any) => ({ supplierId: r.supplier_id, supplierName: r.supplier_name, receiptNo: r.receipt_no, totalFen: r.total_fen === null ? null : Number(r.total_fen), valid: r.valid === null ? null : !!r.valid, invalidReason: r.invalid_reason, qualityScore: r.quality_score, rank: r.rank, submittedAt: isoFromDb(r.submitted_at) })) : [],
    myResponse: own ? { receiptNo: own.receipt_no, digest: own.digest, envelopeDigest: own.envelope_sha256, status: own.status, keyAttempts: Number(own.key_attempts ?? 0), envelope: a.status === 'opening' && own.status === 'sealed' ? own.sealed : null, submittedAt: isoFromDb(own.submitted_at), totalFen: opened && own.total_fen !== null ? Number(own.total_fen) : null, valid: opened && own.valid !== null ? !!own.valid : null, invalidReason: opened ? own.invalid_reason : null, rank: published ? own.rank : null } : null,
    entries: published ? await repo.entriesWithPrices(db, id) : [],
    // A unit sees its own orders; the centre and supervision all of them.
    orders: centre ? orders : user?.roles.includes('purchaser') ? orders.filter((o) => o.orgId === user.orgId) : user?.supplierId ? orders.filter((o) => o.supplierId === user.supplierId) : [],
  };
}

export async function listAgreements(db: Knex, user: SessionUser | null, now: Date, status?: string) {
  const centre = !!user && user.roles.some((r) => CENTRE.includes(r));
  const q = db('framework_agreements').orderBy('id', 'desc');
  if (!centre) q.whereNot({ status: 'draft' });
  const day = svc.today(now);
  const rows = (await q).map((a: any) => repo.agreementFromRow(a, day));
  const entries = await db('framework_entries').select('agreement_id', 'supplier_id', 'signed_at');
  const list = rows.map((a) => ({
    ...a,
    entryCount: entries.filter((e: any) => e.agreement_id === a.id).length,
    mine: !!user?.supplierId && entries.some((e: any) => e.agreement_id === a.id && e.supplier_id === user.supplierId),
  }));
  return status ? list.filter((a) => a.status === status) : list;
}

/** Public portal: every agreement past its draft, with entries, prices and orders once published. */
async function portalAgreement(db: Knex, ref: string, now: Date) {
  const a = await db('framework_agreements').where({ ref }).whereNot({ status: 'draft' }).first('id');
  if (!a) throw new NotFoundError(`Framework agreement ${ref} not found`, null, 'AGREEMENT_NOT_FOUND');
  const v = await agreementView(db, a.id, null, now);
  const orders = await repo.ordersOf(db, a.id);
  return { ...v, orders: orders.filter((o) => o.awardFen !== null).map(({ reason: _r, ...o }) => o) };
}

export function frameworkRoutes(deps: svc.FrameworkDeps, clock: { now(): Date }) {
  const { db } = deps;
  return defineRoutes([
    { method: 'get', path: '/api/framework-agreements', tag: TAG, summary: 'Framework agreements (the centre sees drafts too)', roles: 'authenticated', query: s.listQuery, handler: ({ user, query }) => listAgreements(db, user, clock.now(), query.status) },
    { method: 'get', path: '/api/framework-agreements/:id', tag: TAG, summary: 'One agreement as this user may see it (responses sealed until the opening)', roles: 'authenticated', params: s.idParams, handler: ({ user, params }) => agreementView(db, params.id, user, clock.now()) },
    {
      method: 'post', path: '/api/framework-agreements', tag: TAG, summary: 'Draft a call for entry (category, term, entry method and conditions, items with maximum prices)', roles: ['operator'], body: s.callBody, status: 201,
      handler: async ({ user, actor, body }) => agreementView(db, await withTx(db, (tx) => svc.createCall(tx, actor, body)), user, clock.now()),
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/publish', tag: TAG, summary: 'Publish the call for entry with its response deadline', roles: ['operator'], params: s.idParams, body: s.publishBody, status: 200,
      handler: async ({ user, actor, params, body }) => {
        await withTx(db, (tx) => svc.publishCall(tx, actor, deps.scheduler, params.id, body));
        return agreementView(db, params.id, user, clock.now());
      },
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/responses', tag: TAG, summary: 'Hand in (or replace) the response sealed in the browser (envelope and digest); answers with the receipt', roles: ['supplier'], params: s.idParams, body: s.responseBody, status: 201,
      handler: ({ user, actor, params, body }) => withTx(db, (tx) => svc.submitResponse(tx, actor, supplierOf(user), params.id, body)),
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/responses/withdraw', tag: TAG, summary: 'Withdraw the sealed response before the deadline', roles: ['supplier'], params: s.idParams, status: 200,
      handler: async ({ user, actor, params }) => {
        await withTx(db, (tx) => svc.withdrawResponse(tx, actor, supplierOf(user), params.id));
        return agreementView(db, params.id, user, clock.now());
      },
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/open', tag: TAG, summary: 'Open the key window after the deadline (the deadline job does it by itself)', roles: ['operator'], params: s.idParams, status: 200,
      handler: async ({ user, actor, params }) => {
        await withTx(db, (tx) => svc.openResponses(tx, actor, deps.scheduler, params.id));
        return agreementView(db, params.id, user, clock.now());
      },
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/responses/key', tag: TAG, summary: 'In the key window: hand in the key of your own sealed response (a wrong key is refused, bounded attempts)', roles: ['supplier'], params: s.idParams, body: s.keyBody, status: 200,
      handler: ({ user, actor, params, body }) => svc.submitResponseKey(deps, actor, supplierOf(user), params.id, body.keyHex),
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/evaluate', tag: TAG, summary: 'Record quality scores and rejections; the entry rule picks the entry suppliers and the entry notice is published', roles: ['operator'], params: s.idParams, body: s.evaluateBody, status: 200,
      handler: async ({ user, actor, params, body }) => {
        await withTx(db, (tx) => svc.evaluate(tx, actor, params.id, body));
        return agreementView(db, params.id, user, clock.now());
      },
    },
    {
      method: 'post', path: '/api/framework-agreements/:id/sign', tag: TAG, summary: 'An entry supplier signs the agreement (the last signature makes it active)', roles: ['supplier'], params: s.idParams, status: 200,
      handler: async ({ user, actor, params }) => {
        await withTx(db, (tx) => svc.signEntry(tx, actor, supplierOf(user), params.id));
        return agreementView(db, params.id, user, clock.now());
      },
    },
    { method: 'get', path: '/api/framework-orders/options', tag: TAG, summary: 'For a framework_order project: the agreement in force, its modes, each entry supplier at its agreement prices', roles: ['purchaser', 'operator'], query: s.optionsQuery, handler: ({ user, query }) => svc.orderOptions(db, user!, query.projectId, clock.now()) },
    { method: 'post', path: '/api/framework-orders', tag: TAG, summary: 'Place the order: direct selection (reason recorded), rotation, or a second competition on the auction engine', roles: ['purchaser', 'operator'], body: s.orderBody, status: 201, handler: ({ user, actor, body }) => svc.placeOrder(deps, actor, user!, body) },
    { method: 'get', path: '/api/reports/framework', tag: 'reports', summary: 'Framework agreements: entry suppliers, orders by mode, amounts at agreement prices against awards, second-competition results', roles: ['finance', 'supervisor', 'admin', 'operator'], handler: () => repo.frameworkReport(db, svc.today(clock.now())) },
    { method: 'get', path: '/api/portal/framework-agreements', tag: 'portal', summary: 'Framework agreements on the public portal', roles: 'public', query: s.listQuery, handler: ({ query }) => listAgreements(db, null, clock.now(), query.status) },
    { method: 'get', path: '/api/portal/framework-agreements/:ref', tag: 'portal', summary: 'One agreement on the public portal: items, entry suppliers with their prices, orders and second-competition results', roles: 'public', params: s.refParams, handler: ({ params }) => portalAgreement(db, params.ref, clock.now()) },
  ]);
}
