// HTTP for competitive consultation: documents, invitations and the final-quotation call
// (operator), first responses and acknowledgements (supplier), rounds, changes and eliminations
// (the team's experts), and each role's view. The final quotations themselves are tender routes
// (/api/tenders/:tenderId/bids, /opening/key, /evaluation, /award).
import { defineRoutes, type RouteDef } from '../../http/routes';
import { pageQuery, pagedSchema } from '../../http/paging';
import { ForbiddenError } from '../../http/errors';
import type { Actor } from '../../http/actor';
import type { SessionUser } from '../../http/auth/sessions';
import { supplierOf } from '../tendering/bids/service';
import { CONSULTATION_STATUSES } from './state-machine';
import { loadConsultationLegal } from './rules';
import { teamExpertIdForUser } from './repository';
import * as s from './schemas';
import * as svc from './service';
import * as queries from './queries';
import type { ConsultationDeps } from './deps';

const TAG = 'consultation';

export function consultationRoutes(deps: ConsultationDeps): RouteDef[] {
  const { db } = deps;
  const supplierId = (u: SessionUser | null) => supplierOf(u?.supplierId);
  const teamMember = async (actor: Actor, id: number) => {
    const e = actor.userId ? await teamExpertIdForUser(db, id, actor.userId) : null;
    if (!e) throw new ForbiddenError("You are not on this consultation's team", null, 'NOT_ON_TEAM');
    return e;
  };
  // The consultations a supplier was invited to by a draw: found by its own sealed invitation tags.
  const invitedTo = async (supplierId: number) => (await svc.invitations(deps).myInvitations(db, supplierId)).filter((i) => i.subjectType === 'consultation').map((i) => i.subjectId);
  return defineRoutes([
    {
      method: 'get',
      path: '/api/consultation-rules',
      tag: TAG,
      summary: 'The legal numbers of competitive consultation in force, each with its source',
      roles: 'authenticated',
      handler: async () => {
        const l = await loadConsultationLegal(db);
        return { firstResponseDays: l.firstResponseDays, minSuppliers: l.minSuppliers, exceptionMinSuppliers: l.exceptionMinSuppliers, teamMinimum: l.teamMinimum, amendmentDays: l.amendmentDays, awardNoticeWorkingDays: l.awardNoticeWorkingDays, challengePeriodWorkingDays: l.challengePeriodWorkingDays };
      },
    },
    { method: 'post', path: '/api/consultations', tag: TAG, summary: 'Draft consultation documents (tender template terms, comprehensive scoring; legal rules checked)', roles: ['operator'], body: s.consultationBody, handler: ({ actor, body }) => svc.createConsultation(deps, actor, body) },
    { method: 'post', path: '/api/consultations/:id/invitations', tag: TAG, summary: 'Invite suppliers by the verifiable random supplier draw (at least the minimum; the list stays sealed until the first-response deadline)', roles: ['operator'], params: s.idParams, body: s.invitationBody, status: 200, handler: ({ actor, params, body }) => svc.drawInvitations(deps, actor, params.id, body) },
    { method: 'post', path: '/api/consultations/:id/issue', tag: TAG, summary: 'Issue the documents (first-response period from the rule book checked); publishes the notice', roles: ['operator'], params: s.idParams, status: 200, handler: ({ actor, params }) => svc.issueDocuments(deps, actor, params.id) },
    { method: 'post', path: '/api/consultations/:id/cancel', tag: TAG, summary: 'Cancel a draft or issued consultation', roles: ['operator'], params: s.idParams, body: s.cancelBody, status: 200, handler: ({ actor, params, body }) => svc.cancelConsultation(deps, actor, params.id, body.reason) },
    { method: 'post', path: '/api/consultations/:id/close-responses', tag: TAG, summary: 'Close first responses after the deadline (the deadline job does it too); too few responses fail the consultation', roles: ['operator'], params: s.idParams, status: 200, handler: ({ actor, params }) => svc.closeResponses(deps, params.id, actor) },
    { method: 'post', path: '/api/consultations/:id/team/from-draw', tag: TAG, summary: 'The consultation team from a revealed sealed expert draw (odd, >= 3, experts >= 2/3)', roles: ['operator'], params: s.idParams, body: s.drawBody, status: 200, handler: ({ actor, params, body }) => svc.linkTeamFromDraw(deps, actor, params.id, body.drawId) },
    { method: 'post', path: '/api/consultations/:id/final-quotations', tag: TAG, summary: 'Call the sealed final quotations from the remaining suppliers (a tender of procedure competitive_consultation)', roles: ['operator'], params: s.idParams, body: s.finalQuotationBody, status: 200, handler: ({ actor, params, body }) => svc.callFinalQuotations(deps, actor, params.id, body) },
    { method: 'post', path: '/api/consultations/:id/responses', tag: TAG, summary: 'Submit (or replace) your first response before the deadline', roles: ['supplier'], params: s.idParams, body: s.responseBody, handler: ({ actor, user, params, body }) => svc.submitResponse(deps, actor, supplierId(user), params.id, body) },
    { method: 'post', path: '/api/consultations/:id/changes/:changeId/acknowledge', tag: TAG, summary: 'Acknowledge a change to the documents sent to you', roles: ['supplier'], params: s.changeParams, status: 200, handler: ({ actor, user, params }) => svc.acknowledgeChange(deps, actor, supplierId(user), params.id, params.changeId) },
    { method: 'post', path: '/api/consultations/:id/rounds', tag: TAG, summary: 'Record a consultation round with one supplier (the team meets each supplier separately)', roles: ['expert'], params: s.idParams, body: s.roundBody, handler: async ({ actor, params, body }) => svc.recordRound(deps, actor, await teamMember(actor, params.id), params.id, body) },
    {
      method: 'post',
      path: '/api/consultations/:id/changes',
      tag: TAG,
      summary: 'Change the documents: the operator before the first-response deadline (may move it), the team during consultation; sent to every remaining supplier',
      roles: ['operator', 'expert'],
      params: s.idParams,
      body: s.changeBody,
      handler: async ({ actor, user, params, body }) => svc.issueChange(deps, actor, { expertId: user!.roles.includes('operator') ? null : await teamMember(actor, params.id) }, params.id, body),
    },
    { method: 'post', path: '/api/consultations/:id/eliminations', tag: TAG, summary: "End a supplier's part (its response does not meet the requirements), with the reason", roles: ['expert'], params: s.idParams, body: s.eliminationBody, status: 200, handler: async ({ actor, params, body }) => svc.eliminateSupplier(deps, actor, await teamMember(actor, params.id), params.id, body) },
    {
      method: 'get',
      path: '/api/consultations',
      tag: TAG,
      summary: 'Consultations this user may see',
      roles: 'authenticated',
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: [...CONSULTATION_STATUSES] }, ...pageQuery } },
      response: pagedSchema({ type: 'object' }),
      handler: ({ user, query }) => queries.listConsultations(db, user!, query, invitedTo),
    },
    { method: 'get', path: '/api/consultations/:id', tag: TAG, summary: 'One consultation as this user may see it (a supplier: its own part only)', roles: 'authenticated', params: s.idParams, handler: ({ user, params }) => queries.consultationDetail(db, user!, params.id, invitedTo) },
  ]);
}
