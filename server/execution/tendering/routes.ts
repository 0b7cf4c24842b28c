// HTTP for tendering: documents (operator), sealed bids and keys (supplier), evaluation (the
// committee's experts), award (purchaser or operator), and the public portal.
import { defineRoutes, type RouteDef } from '../../http/routes';
import { pageQuery, pagedSchema } from '../../http/paging';
import { ForbiddenError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import { TENDER_STATUSES } from './state-machine';
import { TEMPLATES } from './templates';
import { TENDER_RULES } from './rules';
import * as s from './schemas';
import * as documents from './documents/service';
import { invitationsOf } from './documents/service';
import * as bids from './bids/service';
import * as opening from './opening/service';
import * as evaluation from './evaluation/service';
import { linkCommitteeFromDraw } from './evaluation/committee';
import { awardTender } from './award/service';
import { findTender } from './repository';
import * as queries from './queries';
import type { TenderingDeps } from './deps';

const TAG = 'tendering';

export function tenderingRoutes(deps: TenderingDeps): RouteDef[] {
  const { db } = deps;
  const supplierId = (u: SessionUser | null) => bids.supplierOf(u?.supplierId);
  const invitations = invitationsOf(deps);
  const invitedProjects = async (supplierId: number) => (await invitations.myInvitations(db, supplierId)).filter((m) => m.subjectType === 'project').map((m) => m.subjectId);
  const expertId = (actor: Parameters<typeof evaluation.expertIdFor>[1], id: number) => evaluation.expertIdFor(deps, actor, id);
  return defineRoutes([
    // Documents
    { method: 'get', path: '/api/tender-templates', tag: TAG, summary: 'Standard tender-document templates (goods, services, works) and the legal rules they are checked against', roles: ['operator', 'supervisor', 'admin'], handler: () => ({ templates: TEMPLATES, rules: TENDER_RULES }) },
    { method: 'post', path: '/api/tenders', tag: TAG, summary: 'Draft a tender from a template (legal rules checked)', roles: ['operator'], body: s.tenderBody, handler: ({ actor, body }) => documents.createTender(deps, actor, body) },
    { method: 'put', path: '/api/tenders/:id', tag: TAG, summary: 'Change a draft tender', roles: ['operator'], params: s.idParams, body: s.tenderBody, handler: ({ actor, params, body }) => documents.updateDraft(deps, actor, params.id, body) },
    { method: 'post', path: '/api/tenders/:id/publish', tag: TAG, summary: 'Publish the notice and documents on the portal; schedules the opening', roles: ['operator'], params: s.idParams, status: 200, handler: ({ actor, params }) => documents.publishTender(deps, actor, params.id) },
    { method: 'post', path: '/api/tenders/:id/notices', tag: TAG, summary: 'Publish a clarification or amendment (a late substantive amendment extends the deadline)', roles: ['operator'], params: s.idParams, body: s.noticeBody, handler: ({ actor, params, body }) => documents.publishNotice(deps, actor, params.id, body) },
    { method: 'post', path: '/api/tenders/:id/cancel', tag: TAG, summary: 'Cancel a draft or published tender', roles: ['operator'], params: s.idParams, body: s.cancelBody, status: 200, handler: ({ actor, params, body }) => documents.cancelTender(deps, actor, params.id, body.reason) },
    {
      method: 'get',
      path: '/api/tenders',
      tag: TAG,
      summary: 'Tenders this user may see',
      roles: 'authenticated',
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: [...TENDER_STATUSES] }, ...pageQuery } },
      response: pagedSchema({ type: 'object' }),
      handler: ({ user, query }) => queries.listTenders(db, user!, query, invitedProjects),
    },
    { method: 'get', path: '/api/tenders/:id', tag: TAG, summary: 'One tender as this user may see it (own receipts, opening record, results when public)', roles: 'authenticated', params: s.idParams, handler: ({ user, params }) => queries.tenderDetail(db, user, params.id, deps.clock.now(), opening.ownSealedPrice(deps.config.secrets.sealKey), invitedProjects) },
    // Sealed bids
    { method: 'post', path: '/api/tenders/:id/bids', tag: TAG, summary: 'Submit (or replace) a sealed bid: ciphertext and plaintext digest only; returns the receipt', roles: ['supplier'], params: s.idParams, body: s.bidBody, bodyLimit: s.BID_BODY_LIMIT, handler: ({ actor, user, params, body }) => bids.submitBid(deps, actor, supplierId(user), params.id, body) },
    { method: 'post', path: '/api/tenders/:id/bids/withdraw', tag: TAG, summary: 'Withdraw your sealed bid before the deadline', roles: ['supplier'], params: s.idParams, status: 200, handler: ({ actor, user, params }) => bids.withdrawBid(deps, actor, supplierId(user), params.id) },
    { method: 'get', path: '/api/tenders/:id/bids/mine', tag: TAG, summary: 'Your submissions in this tender (receipts and statuses)', roles: ['supplier'], params: s.idParams, handler: async ({ user, params }) => ({ items: await bids.myBids(deps, supplierId(user), params.id) }) },
    // Opening
    { method: 'post', path: '/api/tenders/:id/opening/key', tag: TAG, summary: 'Hand in the key of your bid during the decryption window (a wrong key is refused with 422 WRONG_KEY and the bid stays sealed; at most tenderMaxKeyAttempts keys per bid)', roles: ['supplier'], params: s.idParams, body: s.keyBody, status: 200, handler: ({ actor, user, params, body }) => opening.submitKey(deps, actor, supplierId(user), params.id, body.key) },
    // Evaluation
    { method: 'post', path: '/api/tenders/:id/committee/from-draw', tag: TAG, summary: "Take the evaluation committee from the sealed expert draw's revealed result", roles: ['operator'], params: s.idParams, body: s.drawBody, handler: ({ actor, params, body }) => linkCommitteeFromDraw(deps, actor, params.id, body.drawId) },
    {
      method: 'get',
      path: '/api/tenders/:id/evaluation',
      tag: TAG,
      summary: 'The evaluation session: terms, valid bids, your scores, progress, report',
      roles: ['expert', 'operator', 'supervisor', 'admin'],
      params: s.idParams,
      handler: async ({ actor, user, params }) => {
        if (user!.roles.includes('expert') && !user!.roles.some((r) => ['operator', 'supervisor', 'admin'].includes(r))) return evaluation.evaluationView(deps, params.id, await expertId(actor, params.id), actor);
        return evaluation.evaluationView(deps, params.id, null, actor);
      },
    },
    { method: 'get', path: '/api/tenders/:id/evaluation/bids/:bidId', tag: TAG, summary: 'Open one valid bid (logged)', roles: ['expert'], params: s.bidParams, handler: async ({ actor, params }) => evaluation.viewBid(deps, actor, await expertId(actor, params.id), params.id, params.bidId) },
    { method: 'put', path: '/api/tenders/:id/evaluation/bids/:bidId/scores', tag: TAG, summary: 'Record your compliance checks and criterion points for a bid (each change logged)', roles: ['expert'], params: s.bidParams, body: s.scoreBody, handler: async ({ actor, params, body }) => evaluation.saveScores(deps, actor, await expertId(actor, params.id), params.id, params.bidId, body) },
    { method: 'post', path: '/api/tenders/:id/evaluation/submit', tag: TAG, summary: 'Submit your scores (final)', roles: ['expert'], params: s.idParams, status: 200, handler: async ({ actor, params }) => evaluation.submitScores(deps, actor, await expertId(actor, params.id), params.id) },
    { method: 'post', path: '/api/tenders/:id/evaluation/members/:expertId/return', tag: TAG, summary: "The chair returns a member's submitted scores for correction, with the reason (audited)", roles: ['expert'], params: s.memberParams, body: s.returnScoresBody, status: 200, handler: async ({ actor, params, body }) => evaluation.returnScores(deps, actor, await expertId(actor, params.id), params.id, params.expertId, body.reason) },
    { method: 'post', path: '/api/tenders/:id/evaluation/bids/:bidId/explanation-request', tag: TAG, summary: 'Ask an abnormally low bidder for a written explanation', roles: ['expert'], params: s.bidParams, body: s.explanationRequestBody, status: 200, handler: async ({ actor, params, body }) => evaluation.requestExplanation(deps, actor, await expertId(actor, params.id), params.id, params.bidId, body.note) },
    { method: 'post', path: '/api/tenders/:id/evaluation/bids/:bidId/abnormal-decision', tag: TAG, summary: 'Accept an abnormally low price, or disqualify the bid', roles: ['expert'], params: s.bidParams, body: s.decisionBody, status: 200, handler: async ({ actor, params, body }) => evaluation.decideAbnormal(deps, actor, await expertId(actor, params.id), params.id, params.bidId, body.accepted, body.reason) },
    { method: 'post', path: '/api/tenders/:id/explanation', tag: TAG, summary: 'Answer the committee: explain your abnormally low price', roles: ['supplier'], params: s.idParams, body: s.explanationBody, status: 200, handler: ({ actor, user, params, body }) => evaluation.submitExplanation(deps, actor, supplierId(user), params.id, body.text) },
    { method: 'post', path: '/api/tenders/:id/evaluation/confirm', tag: TAG, summary: 'Confirm the evaluation report (by its SHA-256)', roles: ['expert'], params: s.idParams, body: s.confirmBody, status: 200, handler: async ({ actor, params, body }) => evaluation.confirmReport(deps, actor, await expertId(actor, params.id), params.id, body.reportSha256) },
    {
      method: 'get',
      path: '/api/tenders/:id/evaluation/log',
      tag: TAG,
      summary: 'The evaluation session log (who opened what, when, every score change)',
      roles: ['operator', 'supervisor', 'admin', 'expert'],
      params: s.idParams,
      handler: async ({ actor, user, params }) => {
        if (!user!.roles.some((r) => ['operator', 'supervisor', 'admin'].includes(r))) await expertId(actor, params.id);
        return { items: await evaluation.evaluationLog(deps, params.id) };
      },
    },
    // Award
    {
      method: 'post',
      path: '/api/tenders/:id/award',
      tag: TAG,
      summary: 'Confirm the result: award a recommended candidate, publish the award notice, start the challenge period',
      roles: ['purchaser', 'operator'],
      params: s.idParams,
      body: s.awardBody,
      status: 200,
      handler: async ({ actor, user, params, body }) => {
        const t = await findTender(db, params.id);
        if (actor.role === 'purchaser' && t.purchasing_org_id !== user!.orgId) throw new ForbiddenError('Only the purchasing unit confirms its own tender', null, 'NOT_YOUR_TENDER');
        return awardTender(deps, actor, params.id, body);
      },
    },
    // Portal
    { method: 'get', path: '/api/portal/tenders', tag: 'portal', summary: 'Published tenders (public)', roles: 'public', query: { type: 'object', additionalProperties: false, properties: { ...pageQuery } }, response: pagedSchema({ type: 'object' }), handler: ({ query }) => queries.portalList(db, query) },
    { method: 'get', path: '/api/portal/tenders/:id', tag: 'portal', summary: 'A tender release (OCDS shape): notice, clarifications, opening record, award', roles: 'public', params: s.idParams, handler: ({ params }) => queries.portalRelease(db, params.id) },
  ]);
}
