// The finance bureau's report API: aggregates, drill-down, filter options and export jobs.
import type { Db } from '../../db/knex';
import { defineRoutes } from '../../http/routes';
import type { ReportExports } from './exports';
import * as q from './queries';
import * as s from './schemas';

const READERS = ['finance', 'supervisor', 'admin'] as const;
const filtersOf = (x: any): q.ReportFilters => ({ from: x.from, to: x.to, orgId: x.orgId, category: x.category, method: x.method, supplierId: x.supplierId });

export function reportRoutes(db: Db, exportsSvc: ReportExports) {
  return defineRoutes([
    { method: 'get', path: '/api/reports/spend', tag: 'reports', summary: 'Spend by unit, category, method, month or supplier (budget, award, savings)', roles: READERS, query: s.spendQuery, handler: ({ query }) => q.spendReport(db, query.by, filtersOf(query)) },
    { method: 'get', path: '/api/reports/savings', tag: 'reports', summary: 'Savings per method: budget against award; competitions: ceiling against winning price', roles: READERS, query: s.filtersQuery, handler: ({ query }) => q.savingsReport(db, filtersOf(query)) },
    { method: 'get', path: '/api/reports/cycle', tag: 'reports', summary: 'Average days per method and stage, approval and requisition-to-contract', roles: READERS, query: s.filtersQuery, handler: ({ query }) => q.cycleReport(db, filtersOf(query)) },
    { method: 'get', path: '/api/reports/suppliers', tag: 'reports', summary: 'Supplier concentration: shares, HHI, small and micro businesses', roles: READERS, query: s.suppliersQuery, handler: ({ query }) => q.suppliersReport(db, filtersOf(query), query.limit) },
    { method: 'get', path: '/api/reports/budget', tag: 'reports', summary: 'Budget execution per budget line (allocated, frozen, spent); period, category and method narrow frozen and spent', roles: READERS, query: s.budgetQuery, handler: ({ query }) => q.budgetReport(db, { year: query.year, orgId: query.orgId, from: query.from, to: query.to, category: query.category, method: query.method }) },
    { method: 'get', path: '/api/reports/drilldown', tag: 'reports', summary: 'The projects behind a total (same filters), paged and sorted', roles: READERS, query: s.drilldownQuery, handler: ({ query }) => q.drilldown(db, filtersOf(query), { page: query.page, pageSize: query.pageSize, sort: query.sort, dir: query.dir }) },
    {
      method: 'get',
      path: '/api/reports/options',
      tag: 'reports',
      summary: 'Filter choices: purchasing units, categories, methods, months with data',
      roles: READERS,
      handler: async () => {
        const [units, categories, months] = await Promise.all([
          db('organisations').where({ kind: 'purchasing_unit' }).orderBy('code').select('id', 'code', 'name_zh as nameZh', 'name_en as nameEn'),
          db('catalogue_categories').orderBy('code').select('code', 'name_zh as nameZh', 'name_en as nameEn', 'parent_code as parentCode'),
          db('report_spend_cube').distinct('month').orderBy('month').pluck('month'),
        ]);
        return { units, categories, months, methods: ['public_tender', 'invitational_tender', 'online_price_competition', 'framework_order', 'inquiry', 'competitive_negotiation', 'competitive_consultation', 'single_source'] };
      },
    },
    { method: 'post', path: '/api/reports/exports', tag: 'reports', summary: 'Start a CSV or XLSX export (a background job; poll its progress)', roles: READERS, status: 202, body: s.exportBody, handler: ({ body, actor }) => exportsSvc.request(actor, { report: body.report, format: body.format, lang: body.lang, params: body.params ?? {} }) },
    { method: 'get', path: '/api/reports/exports/:id', tag: 'reports', summary: 'An export job: status and progress', roles: READERS, params: s.idParams, handler: ({ params, actor }) => exportsSvc.get(actor, params.id) },
    {
      method: 'get',
      path: '/api/reports/exports/:id/file',
      tag: 'reports',
      summary: 'Download a finished export',
      roles: READERS,
      params: s.idParams,
      handler: async ({ params, actor, res }) => {
        const f = await exportsSvc.file(actor, params.id);
        res.setHeader('Content-Type', f.type);
        res.setHeader('Content-Disposition', `attachment; filename="${f.name}"`);
        res.setHeader('Content-Length', String(f.size));
        for await (const chunk of f.chunks) {
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
        }
        res.end();
      },
    },
  ]);
}
