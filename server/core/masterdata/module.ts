// Read access to master data: organisations, catalogue, budget lines.
import type { ModuleContext, PlatformModule } from '../../platform';
import { defineRoutes } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import * as repo from './repository';

// Purchasing staff see their own unit's money; finance and supervisors see every unit's.
const CITYWIDE_BUDGET_ROLES = ['finance', 'supervisor', 'admin'];

export function masterDataModule({ db }: ModuleContext): PlatformModule {
  return {
    name: 'masterdata',
    routes: defineRoutes([
      {
        method: 'get',
        path: '/api/organisations',
        tag: 'master data',
        summary: 'Organisations (purchasing units, finance bureau, procurement centre, supervisors)',
        roles: 'authenticated',
        query: { type: 'object', additionalProperties: false, properties: { kind: { enum: ['purchasing_unit', 'finance_bureau', 'procurement_centre', 'supervisors_office'] } } },
        handler: async ({ query }) => ({ items: (await repo.organisations(db, query)).map(repo.orgFromRow) }),
      },
      {
        method: 'get',
        path: '/api/catalogue',
        tag: 'master data',
        summary: 'The procurement catalogue (goods, services, works)',
        roles: 'public',
        query: { type: 'object', additionalProperties: false, properties: { kind: { enum: ['goods', 'services', 'works'] }, q: { type: 'string', maxLength: 50 } } },
        handler: async ({ query }) => ({ items: (await repo.categories(db, query)).map(repo.categoryFromRow) }),
      },
      {
        method: 'get',
        path: '/api/budget-lines',
        tag: 'master data',
        summary: 'Budget lines with allocated, frozen, spent and available amounts (fen)',
        roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
        query: { type: 'object', additionalProperties: false, properties: { orgId: { type: 'integer', minimum: 1 }, fiscalYear: { type: 'integer', minimum: 2000, maximum: 2100 }, ...pageQuery } },
        response: pagedSchema({ type: 'object' }),
        handler: async ({ query, user }) => {
          const citywide = user!.roles.some((r) => CITYWIDE_BUDGET_ROLES.includes(r)) || user!.roles.includes('operator');
          const orgId = citywide ? query.orgId : user!.orgId ?? -1;
          return paged(repo.budgetLines(db, { orgId, fiscalYear: query.fiscalYear }), query.page, query.pageSize, repo.budgetLineFromRow);
        },
      },
      {
        method: 'get',
        path: '/api/budget-lines/:id',
        tag: 'master data',
        summary: 'One budget line',
        roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        handler: async ({ params, user }) => {
          const row = await repo.budgetLines(db, {}).where('b.id', params.id).first();
          const citywide = user!.roles.some((r) => CITYWIDE_BUDGET_ROLES.includes(r)) || user!.roles.includes('operator');
          if (!row || (!citywide && row.org_id !== user!.orgId)) throw new NotFoundError(`Budget line ${params.id} not found`);
          return repo.budgetLineFromRow(row);
        },
      },
    ]),
  };
}
