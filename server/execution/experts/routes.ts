// HTTP for the expert library. Expert identities are personal data: the procurement centre,
// supervisors and admins; an expert sees and keeps only their own profile.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { toDbTime, type Clock } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import { expertIdOf } from '../draws/routes';
import * as service from './service';
import { expertDetail, expertFromRow } from './repository';
import * as s from './schemas';

const STAFF = ['operator', 'supervisor', 'admin'] as const;

export function expertRoutes(db: Db, clock: Clock) {
  const detail = async (id: number) => {
    const d = await expertDetail(db, id, clock.now());
    if (!d) throw new NotFoundError(`Expert ${id} not found`);
    return d;
  };
  return defineRoutes([
    {
      method: 'get',
      path: '/api/experts',
      tag: 'expert library',
      summary: 'Search the expert library',
      roles: STAFF,
      query: s.listQuery,
      response: pagedSchema({ type: 'object' }),
      handler: async ({ query }) => {
        const q = db('experts as e').select('e.*').orderBy('e.id');
        if (query.q) q.where((w) => w.where('e.name', 'like', `%${query.q}%`).orWhere('e.employer_name', 'like', `%${query.q}%`));
        if (query.status) q.where('e.status', query.status);
        if (query.specialty) q.whereIn('e.id', db('expert_specialties').select('expert_id').where('category_code', query.specialty));
        if (query.onLeave) {
          const t = toDbTime(clock.now());
          q.whereIn('e.id', db('expert_leaves').select('expert_id').whereNull('cancelled_at').where('starts_at', '<=', t).where('ends_at', '>', t));
        }
        return paged(q, query.page, query.pageSize, expertFromRow);
      },
    },
    {
      method: 'get',
      path: '/api/experts/:id',
      tag: 'expert library',
      summary: 'One expert: profile, specialties, leave, conflicts, evaluations sat and ratings',
      roles: STAFF,
      params: s.idParams,
      handler: ({ params }) => detail(params.id),
    },
    {
      method: 'post',
      path: '/api/experts',
      tag: 'expert library',
      summary: 'Enrol an expert (optionally with a login account)',
      roles: ['operator'],
      body: s.enrolBody,
      handler: ({ body, actor }) => withTx(db, (tx) => service.enrol(tx, actor, body)),
    },
    {
      method: 'post',
      path: '/api/experts/:id/account',
      tag: 'expert library',
      summary: 'Issue a login to an expert enrolled without one',
      roles: ['operator'],
      params: s.idParams,
      body: s.accountBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.createAccount(tx, actor, params.id, body)),
    },
    {
      method: 'patch',
      path: '/api/experts/:id',
      tag: 'expert library',
      summary: "Update an expert's profile, employer, cap or specialties",
      roles: ['operator'],
      params: s.idParams,
      body: s.updateBody,
      handler: async ({ params, body, actor }) => {
        await withTx(db, (tx) => service.updateProfile(tx, actor, params.id, body));
        return detail(params.id);
      },
    },
    {
      method: 'post',
      path: '/api/experts/:id/status',
      tag: 'expert library',
      summary: 'Suspend, disqualify or reinstate an expert (with a reason)',
      roles: ['operator'],
      params: s.idParams,
      body: s.statusBody,
      status: 200,
      handler: async ({ params, body, actor }) => {
        await withTx(db, (tx) => service.setStatus(tx, actor, params.id, body.status, body.reason));
        return detail(params.id);
      },
    },
    {
      method: 'post',
      path: '/api/experts/:id/leaves',
      tag: 'expert library',
      summary: 'Record a leave period (the expert is not drawn during it)',
      roles: ['operator'],
      params: s.idParams,
      body: s.leaveBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.addLeave(tx, actor, params.id, body)),
    },
    {
      method: 'post',
      path: '/api/experts/:id/leaves/:sub/cancel',
      tag: 'expert library',
      summary: 'Cancel a leave period',
      roles: ['operator'],
      params: s.idSubParams,
      handler: ({ params, actor }) => withTx(db, (tx) => service.cancelLeave(tx, actor, params.id, params.sub)),
    },
    {
      method: 'post',
      path: '/api/experts/:id/conflicts',
      tag: 'expert library',
      summary: 'Record a declared conflict with an organisation or a supplier',
      roles: ['operator'],
      params: s.idParams,
      body: s.conflictBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.declareConflict(tx, actor, params.id, body)),
    },
    {
      method: 'post',
      path: '/api/experts/:id/conflicts/:sub/withdraw',
      tag: 'expert library',
      summary: 'Withdraw a declared conflict (operator, on evidence)',
      roles: ['operator'],
      params: s.idSubParams,
      handler: ({ params, actor }) => withTx(db, (tx) => service.withdrawConflict(tx, actor, params.id, params.sub)),
    },
    {
      method: 'post',
      path: '/api/expert-evaluations/:id/rating',
      tag: 'expert library',
      summary: "Rate an expert's work on an evaluation they sat",
      roles: ['operator'],
      params: s.idParams,
      body: s.ratingBody,
      handler: ({ params, body, actor }) => withTx(db, (tx) => service.rateEvaluation(tx, actor, params.id, body.score, body.comment)),
    },
    {
      method: 'get',
      path: '/api/my/expert',
      tag: 'expert library',
      summary: "The expert's own profile",
      roles: ['expert'],
      handler: async ({ user }) => detail(await expertIdOf(db, user!)),
    },
    {
      method: 'patch',
      path: '/api/my/expert',
      tag: 'expert library',
      summary: 'Update own contact details and title',
      roles: ['expert'],
      body: s.ownUpdateBody,
      handler: async ({ user, body, actor }) => {
        const id = await expertIdOf(db, user!);
        await withTx(db, (tx) => service.updateProfile(tx, actor, id, body));
        return detail(id);
      },
    },
    {
      method: 'post',
      path: '/api/my/expert/leaves',
      tag: 'expert library',
      summary: 'Declare own leave',
      roles: ['expert'],
      body: s.leaveBody,
      handler: async ({ user, body, actor }) => {
        const id = await expertIdOf(db, user!);
        return withTx(db, (tx) => service.addLeave(tx, actor, id, body));
      },
    },
    {
      method: 'post',
      path: '/api/my/expert/leaves/:id/cancel',
      tag: 'expert library',
      summary: 'Cancel own leave',
      roles: ['expert'],
      params: s.idParams,
      handler: async ({ user, params, actor }) => {
        const id = await expertIdOf(db, user!);
        await withTx(db, (tx) => service.cancelLeave(tx, actor, id, params.id));
      },
    },
    {
      method: 'post',
      path: '/api/my/expert/conflicts',
      tag: 'expert library',
      summary: 'Declare a conflict of interest (relative, former employer, litigation)',
      roles: ['expert'],
      body: s.conflictBody,
      handler: async ({ user, body, actor }) => {
        const id = await expertIdOf(db, user!);
        return withTx(db, (tx) => service.declareConflict(tx, actor, id, body));
      },
    },
  ]);
}
