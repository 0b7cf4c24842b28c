// HTTP for procurement projects: the procurement centre records each legal step; everyone with
// a stake reads the project, its stage history and its deadlines.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { defineRoutes } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as svc from './service';
import * as repo from './repository';
import { happyPath } from './state-machine';
import { METHODS } from '../methods/rules';
import { idParams } from '../requisitions/schemas';
import { contractFromRow } from '../contracts/repository';
import { challengeFromRow, fileChallenge, replyChallenge } from './challenges';
import { loadCalendar, type WorkingCalendar } from '../rules/calendar';

const CITYWIDE = ['operator', 'finance', 'supervisor', 'admin'];
const READERS = ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin', 'supplier'] as const;
const fenField = { type: 'integer', minimum: 1, maximum: 9_000_000_000_000 };

function scopeFor(user: SessionUser) {
  if (user.roles.some((r) => CITYWIDE.includes(r))) return {};
  if (user.roles.includes('supplier')) return { supplierId: user.supplierId ?? -1 };
  return { orgId: user.orgId ?? -1 };
}

/**
 * Whether a stage's time limit was counted over a provisional calendar day (a year whose holiday
 * arrangement is computed and not yet confirmed). The contract's limit counts calendar days.
 */
const stageDueProvisional = (cal: WorkingCalendar, st: { stage: string; enteredAt: string | null; dueAt: string | null }) => st.stage !== 'contract' && cal.isProvisionalSpan(st.enteredAt, st.dueAt);

export async function projectDetail(db: Db, id: number, user: SessionUser) {
  const row = await repo.projects(db, scopeFor(user)).where('p.id', id).first();
  if (!row) throw new NotFoundError(`Project ${id} not found`, null, 'PROJECT_NOT_FOUND');
  const contract = await db('contracts').where({ project_id: id }).first();
  const payment = await db('payment_requests').where({ project_id: id }).first();
  const cal = await loadCalendar(db);
  const project = repo.projectFromRow(row);
  return {
    ...project,
    deadlineProvisional: cal.isProvisionalSpan(project.noticeAt ?? project.createdAt, project.deadlineAt),
    path: happyPath(row.method),
    stages: (await repo.stages(db, id)).map(repo.stageFromRow).map((st) => ({ ...st, dueProvisional: stageDueProvisional(cal, st) })),
    contract: contract ? contractFromRow(contract) : null,
    challenges: (await db('project_challenges as c').join('suppliers as s', 's.id', 'c.supplier_id').where('c.project_id', id).select('c.*', 's.name as supplier_name').orderBy('c.id'))
      .map(challengeFromRow)
      .map((c: any) => ({ ...c, replyDueProvisional: cal.isProvisionalSpan(c.receivedAt, c.replyDueAt) })),
    payment: payment ? { ref: payment.ref, status: payment.status, amountFen: Number(payment.amount_fen), treasuryRef: payment.treasury_ref } : null,
  };
}

export function projectRoutes(db: Db) {
  const step = (path: string, summary: string, body: Record<string, unknown> | undefined, run: (tx: any, actor: any, id: number, body: any) => Promise<unknown>) => ({
    method: 'post' as const,
    path: `/api/projects/:id/${path}`,
    tag: 'projects',
    summary,
    roles: ['operator'] as const,
    params: idParams,
    body,
    status: 200,
    handler: async ({ params, body, user, actor }: any) => {
      await withTx(db, (tx) => run(tx, actor, params.id, body));
      return projectDetail(db, params.id, user);
    },
  });
  return defineRoutes([
    {
      method: 'get',
      path: '/api/projects',
      tag: 'projects',
      summary: 'Procurement projects (a unit sees its own, a supplier those awarded to it)',
      roles: READERS,
      query: { type: 'object', additionalProperties: false, properties: { stage: { type: 'string', maxLength: 32 }, method: { enum: [...METHODS] }, awaitingCompetition: { type: 'boolean' }, ...pageQuery } },
      response: pagedSchema({ type: 'object' }),
      handler: ({ query, user }) => {
        const q = repo.projects(db, { ...scopeFor(user!), stage: query.stage, method: query.method });
        if (!query.awaitingCompetition) return paged(q, query.page, query.pageSize, repo.projectFromRow);
        // The competition form's picker: online-competition projects in their competition stage
        // with no live competition yet, with the category their requisition buys.
        q.where({ 'p.method': 'online_price_competition', 'p.stage': 'competition' })
          .whereNotExists(db('auctions as a').whereRaw('a.project_id = p.id').whereNot('a.status', 'failed').select('a.id'))
          .join('requisitions as r', 'r.id', 'p.requisition_id')
          .select('r.category_code');
        return paged(q, query.page, query.pageSize, (r) => ({ ...repo.projectFromRow(r), categoryCode: r.category_code }));
      },
    },
    {
      method: 'get',
      path: '/api/projects/deadlines',
      tag: 'projects',
      summary: 'Open stages with a time limit, soonest first (the procurement centre desk)',
      roles: ['operator', 'supervisor', 'admin'],
      handler: async () => {
        const cal = await loadCalendar(db);
        const rows = await repo.openDeadlines(db).limit(200);
        return { items: rows.map((r: any) => { const st = repo.stageFromRow(r); return { projectId: r.project_id, ref: r.ref, title: r.title, method: r.project_method, ...st, dueProvisional: stageDueProvisional(cal, st) }; }) };
      },
    },
    {
      method: 'get',
      path: '/api/projects/cycle-times',
      tag: 'projects',
      summary: 'Days per stage and method over finished stages',
      roles: ['operator', 'finance', 'supervisor', 'admin'],
      handler: async () => ({ items: await repo.cycleTimes(db) }),
    },
    {
      method: 'get',
      path: '/api/projects/:id',
      tag: 'projects',
      summary: 'One project with its stage history (entry, exit, due, overdue), contract and payment',
      roles: READERS,
      params: idParams,
      handler: ({ params, user }) => projectDetail(db, params.id, user!),
    },
    step('notice', 'Public tender: publish the tender notice with the bid deadline (at least 20 days)', { type: 'object', additionalProperties: false, required: ['deadlineAt'], properties: { deadlineAt: { type: 'string', format: 'date-time' } } }, (tx, a, id, b) => svc.publishNotice(tx, a, id, b)),
    step('documents', 'Issue the documents: tender bidding or inquiry/negotiation responses open until the deadline', { type: 'object', additionalProperties: false, properties: { deadlineAt: { type: 'string', format: 'date-time' } } }, (tx, a, id, b) => svc.issueDocuments(tx, a, id, b)),
    step('close', 'Close bidding or responses after the deadline (the deadline job does this by itself)', undefined, (tx, a, id) => svc.closeAtDeadline(tx, a, id)),
    step('opening', 'Public tender: record the bid opening (fewer than 3 bids fails the tender)', { type: 'object', additionalProperties: false, required: ['bidsReceived'], properties: { bidsReceived: { type: 'integer', minimum: 0, maximum: 10000 } } }, (tx, a, id, b) => svc.recordOpening(tx, a, id, b)),
    step('result', 'Record the evaluation or competition result (fewer than 3 valid responses fails the project)', { type: 'object', additionalProperties: false, required: ['validResponses', 'supplierId', 'amountFen'], properties: { validResponses: { type: 'integer', minimum: 0, maximum: 10000 }, supplierId: { type: 'integer', minimum: 1 }, amountFen: fenField, sourceRef: { type: 'string', maxLength: 64 } } }, (tx, a, id, b) => svc.recordResult(tx, a, id, b)),
    step('justification', 'Single source: publish the justification (5 working days before negotiation)', undefined, (tx, a, id) => svc.publishJustification(tx, a, id)),
    step('negotiation', 'Single source: record the negotiated result', { type: 'object', additionalProperties: false, required: ['supplierId', 'amountFen'], properties: { supplierId: { type: 'integer', minimum: 1 }, amountFen: fenField } }, (tx, a, id, b) => svc.recordNegotiation(tx, a, id, b)),
    {
      method: 'post',
      path: '/api/projects/:id/challenges',
      tag: 'projects',
      summary: 'Record a challenge to the result (during the award notice or the challenge period); it holds the contract until answered',
      roles: ['operator', 'supplier'],
      params: idParams,
      body: { type: 'object', additionalProperties: false, required: ['supplierId', 'summary'], properties: { supplierId: { type: 'integer', minimum: 1 }, summary: { type: 'string', minLength: 2, maxLength: 4000 } } },
      handler: async ({ params, body, user, actor }) => {
        const challengeId = await withTx(db, (tx) => fileChallenge(tx, actor, { supplierId: user!.supplierId }, params.id, body));
        // A challenging supplier is usually not the awarded one: it gets its challenge, not the project.
        if (user!.roles.includes('supplier') && !user!.roles.includes('operator')) return { challengeId };
        return projectDetail(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/projects/:id/challenges/:challengeId/reply',
      tag: 'projects',
      summary: 'Answer a challenge (within 7 working days): upheld annuls the result, dismissed lets the contract proceed',
      roles: ['operator'],
      params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, challengeId: { type: 'integer', minimum: 1 } }, required: ['id', 'challengeId'] },
      body: { type: 'object', additionalProperties: false, required: ['upheld', 'reply'], properties: { upheld: { type: 'boolean' }, reply: { type: 'string', minLength: 2, maxLength: 4000 } } },
      status: 200,
      handler: async ({ params, body, user, actor }) => {
        await withTx(db, (tx) => replyChallenge(tx, actor, { userId: user!.id }, params.id, params.challengeId, body));
        return projectDetail(db, params.id, user!);
      },
    },
    step('failure', 'Declare the project failed where the procedure allows it; releases the money', { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 2, maxLength: 255 } } }, (tx, a, id, b) => svc.declareFailure(tx, a, id, b)),
  ]);
}
