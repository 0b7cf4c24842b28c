// HTTP routes of the supervision wing. Alert handling, rule settings and the risk register are
// for supervisors only; the read-only views are open to supervisors and administrators.
import { defineRoutes, type RouteDef } from '../http/routes';
import { paged, pagedSchema } from '../http/paging';
import type { Db } from '../db/knex';
import type { Clock } from '../db/time';
import { NotFoundError } from '../http/errors';
import type { AlertService } from './alerts/service';
import { alertFromRow } from './alerts/repository';
import type { RuleSettingsService } from './config/service';
import type { RiskPointService } from './risk/service';
import type { RuleEngine } from './engine/engine';
import { buildBoard } from './board/service';
import { traceOf, traceCsv } from './trace/service';
import { computePerformance } from './performance/compute';
import { alertCounts, challengeCounts, projectFacts, stageHistoryAvailable } from './performance/repository';
import { toOcds } from './sources/process-view';
import * as s from './schemas';

const SUPERVISOR = ['supervisor'] as const;
const READERS = ['supervisor', 'admin'] as const;
const TAG = 'supervision';

export function supervisionRoutes(d: { db: Db; clock: Clock; alerts: AlertService; settings: RuleSettingsService; risks: RiskPointService; engine: RuleEngine }): RouteDef[] {
  const { db, clock, alerts, settings, risks, engine } = d;
  return defineRoutes([
    { method: 'get', path: '/api/supervision/rules', tag: TAG, summary: 'Every red-flag rule with its definition, severity and effective thresholds', roles: READERS, handler: async () => ({ items: await settings.all() }) },
    { method: 'put', path: '/api/supervision/rules/:code', tag: TAG, summary: 'Change a rule\'s thresholds, severity or switch it off (audited)', roles: SUPERVISOR, params: s.codeParams, body: s.ruleUpdateBody, handler: ({ actor, params, body }) => settings.update(actor, params.code, body) },

    { method: 'get', path: '/api/supervision/alerts', tag: TAG, summary: 'Alerts, newest first, filterable', roles: READERS, query: s.alertListQuery, response: pagedSchema({ type: 'object' }), handler: ({ query }) => paged(alerts.list(query), query.page, query.pageSize, alertFromRow) },
    { method: 'get', path: '/api/supervision/alerts/:id', tag: TAG, summary: 'One alert with its handling notes', roles: READERS, params: s.idParams, handler: ({ params }) => alerts.get(params.id) },
    { method: 'post', path: '/api/supervision/alerts/:id/assign', tag: TAG, summary: 'Assign (or reassign) an alert to a supervisor', roles: SUPERVISOR, params: s.idParams, body: s.assignBody, status: 200, handler: ({ actor, params, body }) => alerts.assign(actor, params.id, body.assigneeId, body.note) },
    { method: 'post', path: '/api/supervision/alerts/:id/acknowledge', tag: TAG, summary: 'The assignee acknowledges the alert', roles: SUPERVISOR, params: s.idParams, status: 200, handler: ({ actor, params }) => alerts.acknowledge(actor, params.id) },
    { method: 'post', path: '/api/supervision/alerts/:id/investigate', tag: TAG, summary: 'The assignee starts an investigation, with a note', roles: SUPERVISOR, params: s.idParams, body: s.noteBody, status: 200, handler: ({ actor, params, body }) => alerts.investigate(actor, params.id, body.note) },
    { method: 'post', path: '/api/supervision/alerts/:id/notes', tag: TAG, summary: 'Add an investigation note', roles: SUPERVISOR, params: s.idParams, body: s.noteBody, status: 200, handler: ({ actor, params, body }) => alerts.note(actor, params.id, body.note) },
    { method: 'post', path: '/api/supervision/alerts/:id/close', tag: TAG, summary: 'The assignee closes the alert with a finding', roles: SUPERVISOR, params: s.idParams, body: s.closeBody, status: 200, handler: ({ actor, params, body }) => alerts.close(actor, params.id, body.finding, body.note) },
    { method: 'post', path: '/api/supervision/alerts/:id/risk-point', tag: TAG, summary: 'Link the alert to a risk point (or unlink with null)', roles: SUPERVISOR, params: s.idParams, body: s.linkBody, status: 200, handler: ({ actor, params, body }) => alerts.linkRiskPoint(actor, params.id, body.riskPointId) },
    {
      method: 'get',
      path: '/api/supervision/supervisors',
      tag: TAG,
      summary: 'Active supervisors (assignees)',
      roles: READERS,
      handler: async () => ({ items: (await db('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'r.role': 'supervisor', 'u.status': 'active' }).select('u.id', 'u.display_name').orderBy('u.id')).map((u: any) => ({ id: Number(u.id), displayName: u.display_name })) }),
    },

    { method: 'get', path: '/api/supervision/board', tag: TAG, summary: 'The monitoring board (also pushed on WebSocket channel supervision:board)', roles: READERS, handler: () => buildBoard(db, clock.now()) },
    {
      method: 'get',
      path: '/api/supervision/trace',
      tag: TAG,
      summary: 'Full trace of a project, requisition, competition, tender, contract or supplier from the audit chain (JSON or CSV), found by a reference people use (ZB2026-00006, PRJ-/REQ-/CON-/PAY- numbers, WSJJ- codes, credit codes) or an id; 404 TRACE_SUBJECT_NOT_FOUND when it names nothing',
      roles: READERS,
      query: s.traceQuery,
      handler: async ({ query, res }) => {
        const trace = await traceOf(db, query.subjectType, query.subjectId, query, clock.now());
        const name = `trace-${trace.subject.type}-${trace.subject.reference ?? trace.subject.id}`;
        if (query.format === 'csv') {
          res.setHeader('Content-Type', 'text/csv; charset=utf-8');
          res.setHeader('Content-Disposition', `attachment; filename="${name}.csv"`);
          res.status(200).send(traceCsv(trace));
          return;
        }
        if (query.download) res.setHeader('Content-Disposition', `attachment; filename="${name}.json"`);
        return trace;
      },
    },
    {
      method: 'get',
      path: '/api/supervision/performance',
      tag: TAG,
      summary: 'Performance evaluation per purchasing unit or department for a period, ranked',
      roles: READERS,
      query: s.performanceQuery,
      handler: async ({ query }) => {
        const groupBy = query.groupBy ?? 'unit';
        const period = { from: query.from, to: query.to };
        const available = await stageHistoryAvailable(db);
        const rows = computePerformance(await projectFacts(db, period), { alerts: await alertCounts(db, period, groupBy), challenges: await challengeCounts(db, period, groupBy) }, period, groupBy);
        return { period, groupBy, stageHistoryAvailable: available, items: rows };
      },
    },
    {
      method: 'get',
      path: '/api/supervision/processes/:kind/:id/ocds',
      tag: TAG,
      summary: 'The OCDS compiled release the Cardinal indicators read for a process',
      roles: READERS,
      params: s.processParams,
      handler: async ({ params }) => {
        const v = await engine.sources.view(`${params.kind}:${params.id}`);
        if (!v) throw new NotFoundError(`No process ${params.kind}:${params.id}`, null, 'PROCESS_NOT_FOUND');
        return toOcds(v);
      },
    },

    { method: 'get', path: '/api/supervision/risk-points', tag: TAG, summary: 'The risk points register', roles: READERS, query: s.riskListQuery, handler: async ({ query }) => ({ items: await risks.list(query) }) },
    { method: 'post', path: '/api/supervision/risk-points', tag: TAG, summary: 'Register a risk point of a post and process', roles: SUPERVISOR, body: s.riskCreateBody, handler: ({ actor, body }) => { const { rules, ...input } = body; return risks.create(actor, input, rules ?? []); } },
    { method: 'put', path: '/api/supervision/risk-points/:id', tag: TAG, summary: 'Edit or retire a risk point', roles: SUPERVISOR, params: s.idParams, body: s.riskUpdateBody, handler: ({ actor, params, body }) => risks.update(actor, params.id, body) },
    { method: 'put', path: '/api/supervision/risk-points/:id/rules', tag: TAG, summary: 'Set the rules that watch a risk point', roles: SUPERVISOR, params: s.idParams, body: s.riskRulesBody, handler: ({ actor, params, body }) => risks.setRules(actor, params.id, body.rules) },
  ]);
}
