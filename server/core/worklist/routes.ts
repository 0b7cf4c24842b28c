// HTTP for the home screen: the signed-in user's to-do list, one item per kind of work and role.
import type { Db } from '../../db/knex';
import type { Clock } from '../../db/time';
import { defineRoutes } from '../../http/routes';
import { ROLES } from '../../http/actor';
import { SEVERITIES, worklist, type WorklistDeps } from './service';

export const homeResponse = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'role', 'count', 'href'],
        properties: {
          key: { type: 'string', description: 'the kind of work, e.g. approver.approvals' },
          role: { enum: [...ROLES] },
          count: { type: 'integer', minimum: 0, description: 'things waiting (0: nothing to do)' },
          href: { type: 'string', pattern: '^/', description: 'the client page: the one thing, or the list with filters where the page has them' },
          dueAt: { type: ['string', 'null'], format: 'date-time', description: 'the earliest time limit (or, for competitions, start or end), UTC' },
          overdue: { type: 'integer', minimum: 0, description: 'how many are past their time limit' },
          severity: { enum: SEVERITIES },
        },
      },
    },
  },
};

export function worklistRoutes(deps: WorklistDeps & { db: Db; clock: Clock }) {
  return defineRoutes([
    {
      method: 'get',
      path: '/api/home',
      tag: 'home',
      summary: "The signed-in user's work: for each of their roles, each kind of work waiting, with counts, links, the earliest time limit and overdue counts",
      roles: 'authenticated',
      response: homeResponse,
      handler: async ({ user }) => ({ items: await worklist(deps, user!, deps.clock.now()) }),
    },
  ]);
}
