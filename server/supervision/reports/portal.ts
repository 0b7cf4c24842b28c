// The public portal's data beyond notices: results with winner and price, a project's public
// page with its timeline, and the home page figures. Only what is already public is shown: a
// project appears once its procedure has been announced; bids never appear here.
import type { Db } from '../../db/knex';
import type { Clock } from '../../db/time';
import { chinaDayEnd, chinaDayStart, isoFromDb, toDbTime } from '../../db/time';
import { toInt } from '../../db/knex';
import { defineRoutes } from '../../http/routes';
import { NotFoundError } from '../../http/errors';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { METHODS } from '../../core/methods/rules';
import { savingsBp, shareBp } from './allocation';
import { ocidOf } from '../ocds/build';
import { publicRefsOfProject } from './sources';

const OPEN_STAGES = ['prequalification', 'suppliers_invited', 'notice_published', 'bidding_open', 'opening', 'responses_open', 'justification_notice', 'negotiation', 'competition', 'evaluation'];

const resultRow = (r: any) => ({
  ref: r.ref,
  title: r.title,
  orgId: r.org_id,
  orgNameZh: r.org_name_zh,
  orgNameEn: r.org_name_en,
  method: r.method,
  categoryCode: r.category_code,
  stage: r.stage,
  budgetFen: toInt(r.budget_fen),
  awardFen: toInt(r.award_fen),
  savingsBp: savingsBp(toInt(r.budget_fen), toInt(r.award_fen)),
  supplierName: r.supplier_name,
  supplierSize: r.supplier_size,
  awardedAt: isoFromDb(r.award_notice_at),
});

function isPublic(p: any, noticeCount: number): boolean {
  return noticeCount > 0 || !!p.notice_at || !!p.award_notice_at || p.method === 'online_price_competition';
}

export function portalRoutes(db: Db, clock: Clock) {
  const results = () =>
    db('procurement_projects as p')
      .join('requisitions as r', 'r.id', 'p.requisition_id')
      .join('organisations as o', 'o.id', 'p.org_id')
      .join('suppliers as s', 's.id', 'p.awarded_supplier_id')
      .whereNotNull('p.award_notice_at')
      .whereNot('p.stage', 'failed')
      .select('p.ref', 'p.title', 'p.org_id', 'p.method', 'p.stage', 'p.budget_fen', 'p.award_fen', 'p.award_notice_at', 'r.category_code', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 's.name as supplier_name', 's.size as supplier_size');

  return defineRoutes([
    {
      method: 'get',
      path: '/api/portal/results',
      tag: 'portal',
      summary: 'Award results with winner and price, newest first, searchable',
      roles: 'public',
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          orgId: { type: 'integer', minimum: 1 },
          category: { type: 'string', pattern: '^[A-Z][0-9A-Z]{0,31}$' },
          method: { enum: [...METHODS] },
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          minAmountFen: { type: 'integer', minimum: 0 },
          maxAmountFen: { type: 'integer', minimum: 0 },
          q: { type: 'string', maxLength: 60 },
          ...pageQuery,
        },
      },
      response: pagedSchema({ type: 'object' }),
      handler: async ({ query }) => {
        const q = results().orderBy('p.award_notice_at', 'desc').orderBy('p.id', 'desc');
        if (query.orgId) q.where('p.org_id', query.orgId);
        if (query.category) q.where('r.category_code', 'like', `${query.category}%`);
        if (query.method) q.where('p.method', query.method);
        if (query.from) q.where('p.award_notice_at', '>=', toDbTime(chinaDayStart(query.from)));
        if (query.to) q.where('p.award_notice_at', '<', toDbTime(chinaDayEnd(query.to)));
        if (query.minAmountFen !== undefined) q.where('p.award_fen', '>=', query.minAmountFen);
        if (query.maxAmountFen !== undefined) q.where('p.award_fen', '<=', query.maxAmountFen);
        if (query.q) q.where((w) => w.where('p.title', 'like', `%${query.q}%`).orWhere('s.name', 'like', `%${query.q}%`).orWhere('p.ref', query.q));
        return paged(q, query.page, query.pageSize, resultRow);
      },
    },
    {
      method: 'get',
      path: '/api/portal/projects/:ref',
      tag: 'portal',
      summary: 'A project’s public page: facts, items, result and timeline (stages and notices)',
      roles: 'public',
      params: { type: 'object', properties: { ref: { type: 'string', pattern: '^[A-Za-z0-9-]{1,32}$' } }, required: ['ref'] },
      handler: async ({ params }) => {
        const p = await db('procurement_projects as p').join('organisations as o', 'o.id', 'p.org_id').leftJoin('suppliers as s', 's.id', 'p.awarded_supplier_id').where('p.ref', params.ref).select('p.*', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 's.name as supplier_name', 's.size as supplier_size').first();
        const notices = p ? await db('notices').whereIn('project_ref', await publicRefsOfProject(db, p.id, p.ref)).orderBy('published_at').orderBy('id').select('id', 'kind', 'title_zh', 'title_en', 'published_at', 'amount_fen') : [];
        if (!p || !isPublic(p, notices.length)) throw new NotFoundError(`No public project ${params.ref}`, null, 'PROJECT_NOT_FOUND');
        const [req, items, stages, contract] = await Promise.all([
          db('requisitions').where({ id: p.requisition_id }).first('category_code', 'category_kind'),
          db('requisition_items').where({ requisition_id: p.requisition_id }).orderBy('line_no').select('line_no', 'category_code', 'name', 'specification', 'quantity', 'unit'),
          db('project_stages').where({ project_id: p.id }).orderBy('id').select('stage', 'entered_at', 'exited_at', 'due_at'),
          db('contracts').where({ project_id: p.id }).first('ref', 'status', 'amount_fen', 'purchaser_signed_at', 'supplier_signed_at', 'accepted_at'),
        ]);
        const awarded = !!p.award_notice_at && p.stage !== 'failed';
        const signedAt = contract && (contract.status === 'signed' || contract.status === 'accepted') ? [contract.purchaser_signed_at, contract.supplier_signed_at].filter(Boolean).sort().pop() : null;
        const timeline = [
          ...stages.map((s: any) => ({ at: isoFromDb(s.entered_at), kind: 'stage', stage: s.stage, until: isoFromDb(s.exited_at), dueAt: isoFromDb(s.due_at) })),
          ...notices.map((n: any) => ({ at: isoFromDb(n.published_at), kind: 'notice', noticeId: n.id, noticeKind: n.kind, titleZh: n.title_zh, titleEn: n.title_en })),
          ...(signedAt ? [{ at: isoFromDb(signedAt), kind: 'contract_signed' }] : []),
        ].sort((a, b) => String(a.at).localeCompare(String(b.at)));
        return {
          ref: p.ref,
          ocid: ocidOf(p.ref),
          title: p.title,
          orgNameZh: p.org_name_zh,
          orgNameEn: p.org_name_en,
          method: p.method,
          stage: p.stage,
          categoryCode: req?.category_code ?? null,
          budgetFen: toInt(p.budget_fen),
          deadlineAt: isoFromDb(p.deadline_at),
          result: awarded ? { supplierName: p.supplier_name, supplierSize: p.supplier_size, awardFen: toInt(p.award_fen), savingsBp: savingsBp(toInt(p.budget_fen), toInt(p.award_fen)), awardedAt: isoFromDb(p.award_notice_at) } : null,
          failureReason: p.stage === 'failed' ? p.failure_reason : null,
          contract: signedAt ? { ref: contract.ref, amountFen: toInt(contract.amount_fen), signedAt: isoFromDb(signedAt), acceptedAt: isoFromDb(contract.accepted_at) } : null,
          items: items.map((i: any) => ({ lineNo: i.line_no, categoryCode: i.category_code, name: i.name, specification: i.specification, quantity: i.quantity, unit: i.unit })),
          timeline,
        };
      },
    },
    {
      method: 'get',
      path: '/api/portal/units',
      tag: 'portal',
      summary: 'Purchasing units (for the portal filters)',
      roles: 'public',
      handler: () => db('organisations').where({ kind: 'purchasing_unit' }).orderBy('code').select('id', 'name_zh as orgNameZh', 'name_en as orgNameEn'),
    },
    {
      method: 'get',
      path: '/api/portal/categories',
      tag: 'portal',
      summary: 'Catalogue categories (for the portal filters)',
      roles: 'public',
      handler: () => db('catalogue_categories').orderBy('code').select('code', 'parent_code as parentCode', 'name_zh as nameZh', 'name_en as nameEn'),
    },
    {
      method: 'get',
      path: '/api/portal/stats',
      tag: 'portal',
      summary: 'Home page figures for the current year (China Standard Time)',
      roles: 'public',
      handler: async () => {
        const now = clock.now();
        const year = new Date(now.getTime() + 8 * 3600_000).getUTCFullYear();
        const start = toDbTime(new Date(`${year}-01-01T00:00:00+08:00`));
        const [notices, open, awarded, small, suppliers] = await Promise.all([
          db('notices').where('published_at', '>=', start).count({ n: '*' }).first(),
          db('procurement_projects').whereIn('stage', OPEN_STAGES).count({ n: '*' }).first(),
          db('procurement_projects').whereNotNull('award_notice_at').whereNot('stage', 'failed').where('award_notice_at', '>=', start).select(db.raw('COUNT(*) as n'), db.raw('SUM(budget_fen) as budget'), db.raw('SUM(award_fen) as award')).first(),
          db('procurement_projects as p').join('suppliers as s', 's.id', 'p.awarded_supplier_id').whereIn('s.size', ['micro', 'small']).whereNotNull('p.award_notice_at').whereNot('p.stage', 'failed').where('p.award_notice_at', '>=', start).sum({ award: 'p.award_fen' }).first(),
          db('suppliers').where({ status: 'approved' }).count({ n: '*' }).first(),
        ]);
        const budgetFen = toInt((awarded as any)?.budget);
        const awardFen = toInt((awarded as any)?.award);
        return {
          year,
          noticesThisYear: toInt(notices?.n),
          openProcedures: toInt(open?.n),
          awardedProjects: toInt((awarded as any)?.n),
          awardFen,
          savingsFen: budgetFen - awardFen,
          savingsBp: savingsBp(budgetFen, awardFen),
          smallBusinessShareBp: shareBp(toInt((small as any)?.award), awardFen),
          approvedSuppliers: toInt(suppliers?.n),
        };
      },
    },
  ]);
}
