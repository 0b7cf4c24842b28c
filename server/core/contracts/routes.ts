// HTTP for contracts: drafting, both parties' signatures, acceptance.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { defineRoutes } from '../../http/routes';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as svc from './service';
import { contractFromRow } from './repository';
import { idParams } from '../requisitions/schemas';

const party = (u: SessionUser | null): svc.Party => ({ userId: u!.id, orgId: u!.orgId, supplierId: u!.supplierId });

async function contractView(db: Db, id: number, user: SessionUser) {
  const c = await db('contracts as c').join('procurement_projects as p', 'p.id', 'c.project_id').join('suppliers as s', 's.id', 'c.supplier_id').where('c.id', id).select('c.*', 'p.org_id', 's.name as supplier_name').first();
  const mine = user.roles.some((r) => ['operator', 'finance', 'supervisor', 'admin'].includes(r)) || (user.roles.includes('supplier') ? user.supplierId === c?.supplier_id : user.orgId === c?.org_id);
  if (!c || !mine) throw new NotFoundError(`Contract ${id} not found`, null, 'CONTRACT_NOT_FOUND');
  return contractFromRow(c);
}

export function contractRoutes(db: Db) {
  return defineRoutes([
    {
      method: 'post',
      path: '/api/contracts',
      tag: 'contracts',
      summary: 'Draft the contract at the award price (after the challenge period)',
      roles: ['operator', 'purchaser'],
      body: { type: 'object', additionalProperties: false, required: ['projectId', 'terms'], properties: { projectId: { type: 'integer', minimum: 1 }, terms: { type: 'string', minLength: 2, maxLength: 20000 } } },
      handler: async ({ body, user, actor }) => contractView(db, await withTx(db, (tx) => svc.createContract(tx, actor, party(user), body)), user!),
    },
    {
      method: 'get',
      path: '/api/contracts/:id',
      tag: 'contracts',
      summary: 'One contract',
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin', 'supplier'],
      params: idParams,
      handler: ({ params, user }) => contractView(db, params.id, user!),
    },
    {
      method: 'post',
      path: '/api/contracts/:id/sign',
      tag: 'contracts',
      summary: 'Sign as the purchasing unit or as the awarded supplier (eligibility checked at signing)',
      roles: ['purchaser', 'supplier'],
      params: idParams,
      status: 200,
      handler: async ({ params, user, actor }) => {
        await withTx(db, (tx) => svc.signContract(tx, actor, party(user), params.id));
        return contractView(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/contracts/:id/acceptance',
      tag: 'contracts',
      summary: 'Record acceptance of the delivery; raises the payment request to the treasury',
      roles: ['purchaser'],
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['note'], properties: { note: { type: 'string', minLength: 2, maxLength: 4000 } } },
      status: 200,
      handler: async ({ params, body, user, actor }) => {
        await withTx(db, (tx) => svc.acceptDelivery(tx, actor, party(user), params.id, body));
        return contractView(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/payment-requests/:ref/resubmit',
      tag: 'contracts',
      summary: 'Send a payment request the treasury returned again, with what was fixed',
      roles: ['purchaser'],
      params: { type: 'object', properties: { ref: { type: 'string', pattern: '^PAY-[0-9A-Za-z-]+$', maxLength: 32 } }, required: ['ref'] },
      body: { type: 'object', additionalProperties: false, required: ['note'], properties: { note: { type: 'string', minLength: 2, maxLength: 2000 } } },
      handler: async ({ params, body, user, actor }) => {
        await withTx(db, (tx) => svc.resubmitPayment(tx, actor, party(user), params.ref, body));
        return { ref: params.ref, status: 'requested' };
      },
    },
  ]);
}
