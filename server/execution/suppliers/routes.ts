// HTTP for the supplier library: the portal registration (public), the operator's review desk,
// credit records and the blacklist, and the supplier's own profile.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime, type Clock } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { paged, pagedSchema } from '../../http/paging';
import { ForbiddenError, NotFoundError, TooManyRequestsError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as service from './service';
import { supplierDetail, supplierFromRow } from './repository';
import * as s from './schemas';

const LIBRARY_STAFF = ['operator', 'supervisor', 'admin'] as const;
const REGISTRATIONS_PER_HOUR = 10;

function ownSupplierId(user: SessionUser): number {
  if (!user.supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER');
  return user.supplierId;
}

/** A small per-IP throttle on the public registration form (accounts are created there). */
function registrationThrottle(clock: Clock) {
  const hits = new Map<string, number[]>();
  return (ip: string) => {
    const t = clock.now().getTime();
    const recent = (hits.get(ip) ?? []).filter((x) => t - x < 3600_000);
    if (recent.length >= REGISTRATIONS_PER_HOUR) throw new TooManyRequestsError('Too many registrations from this address; try again later', Math.ceil((recent[0] + 3600_000 - t) / 1000));
    recent.push(t);
    hits.set(ip, recent);
  };
}

export function supplierRoutes(db: Db, clock: Clock) {
  const throttle = registrationThrottle(clock);
  return defineRoutes([
    {
      method: 'get',
      path: '/api/suppliers',
      tag: 'supplier library',
      summary: 'Search the supplier library (review queue: status=pending, pendingChanges=true)',
      roles: LIBRARY_STAFF,
      query: s.listQuery,
      response: pagedSchema({ type: 'object' }),
      handler: async ({ query }) => {
        const q = db('suppliers as s').select('s.*').orderBy('s.id');
        if (query.q) q.where((w) => w.where('s.name', 'like', `%${query.q}%`).orWhere('s.credit_code', 'like', `${query.q}%`));
        if (query.status) q.where('s.status', query.status);
        if (query.category) q.whereIn('s.id', db('supplier_categories').select('supplier_id').where('category_code', query.category));
        if (query.pendingChanges) q.whereIn('s.id', db('supplier_change_requests').select('supplier_id').where('status', 'pending'));
        if (query.blacklisted) {
          const t = toDbTime(clock.now());
          q.whereIn('s.id', db('supplier_blacklist').select('supplier_id').whereNull('lifted_at').where('starts_at', '<=', t).where('ends_at', '>', t));
        }
        return paged(q, query.page, query.pageSize, supplierFromRow);
      },
    },
    {
      method: 'get',
      path: '/api/suppliers/:id',
      tag: 'supplier library',
      summary: 'One supplier: qualifications, contacts, reviews, credit record, blacklist',
      roles: [...LIBRARY_STAFF, 'supplier'],
      params: s.idParams,
      handler: async ({ params, user }) => {
        // A supplier may read only its own record.
        if (!user!.roles.some((r) => (LIBRARY_STAFF as readonly string[]).includes(r)) && user!.supplierId !== params.id) throw new NotFoundError(`Supplier ${params.id} not found`);
        const d = await supplierDetail(db, params.id, clock.now());
        if (!d) throw new NotFoundError(`Supplier ${params.id} not found`);
        return d;
      },
    },
    {
      method: 'post',
      path: '/api/portal/supplier-registrations',
      tag: 'supplier library',
      summary: 'Public self-registration: company, qualifications, contacts and a user account (awaits review)',
      roles: 'public',
      body: s.registrationBody,
      handler: async ({ body, actor, req }) => {
        throttle(req.ip ?? 'unknown');
        return withTx(db, (tx) => service.register(tx, actor, body));
      },
    },
    {
      method: 'post',
      path: '/api/suppliers/:id/review',
      tag: 'supplier library',
      summary: 'Decide an application: approve, reject (reason) or request more (reason)',
      roles: ['operator'],
      params: s.idParams,
      body: s.reviewBody,
      status: 200,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.review(tx, actor, params.id, body.decision, body.reason)),
    },
    {
      method: 'post',
      path: '/api/suppliers/:id/change-requests/:sub/review',
      tag: 'supplier library',
      summary: "Decide an approved supplier's qualification change",
      roles: ['operator'],
      params: s.idSubParams,
      body: s.changeReviewBody,
      status: 200,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.reviewChange(tx, actor, params.id, params.sub, body.decision, body.reason)),
    },
    {
      method: 'post',
      path: '/api/suppliers/:id/credit-records',
      tag: 'supplier library',
      summary: 'Record bad conduct (with its source and date) in the credit record',
      roles: ['operator', 'supervisor'],
      params: s.idParams,
      body: s.creditRecordBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.addCreditRecord(tx, actor, params.id, body)),
    },
    {
      method: 'post',
      path: '/api/suppliers/:id/blacklist',
      tag: 'supplier library',
      summary: 'Blacklist a supplier for a period (enforced wherever a supplier acts)',
      roles: ['operator', 'supervisor'],
      params: s.idParams,
      body: s.blacklistBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.addBlacklist(tx, actor, params.id, body)),
    },
    {
      method: 'post',
      path: '/api/suppliers/:id/blacklist/:sub/lift',
      tag: 'supplier library',
      summary: 'Lift a blacklist entry early, by a decision',
      roles: ['operator', 'supervisor'],
      params: s.idSubParams,
      body: s.liftBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.liftBlacklist(tx, actor, params.id, params.sub, body.reason)),
    },
    {
      method: 'get',
      path: '/api/my/supplier',
      tag: 'supplier library',
      summary: "The supplier's own profile and its review state",
      roles: ['supplier'],
      handler: async ({ user }) => supplierDetail(db, ownSupplierId(user!), clock.now()),
    },
    {
      method: 'put',
      path: '/api/my/supplier/contacts',
      tag: 'supplier library',
      summary: 'Update address and contacts (no review needed)',
      roles: ['supplier'],
      body: s.contactDetailsSchema,
      handler: async ({ user, body, actor }) => {
        const id = ownSupplierId(user!);
        await withTx(db, (tx) => service.updateContactDetails(tx, actor, id, body));
        return supplierDetail(db, id, clock.now());
      },
    },
    {
      method: 'put',
      path: '/api/my/supplier/qualifications',
      tag: 'supplier library',
      summary: 'Change qualifications, categories or brands: goes back to review',
      roles: ['supplier'],
      body: s.qualificationsSchema,
      handler: async ({ user, body, actor }) => withTx(db, (tx) => service.submitQualifications(tx, actor, ownSupplierId(user!), body)),
    },
  ]);
}
