// The live monitoring board: projects by stage and method, competitions running now, deadlines
// due today, overdue steps and open alerts. A section whose source table does not exist yet is
// reported as unavailable (never as zero).
import type { Knex } from 'knex';
import { isoFromDb, toDbTime } from '../../db/time';
import { hasTable } from '../sources/tables-source';
import { allViewsFromAudit } from '../sources/audit-source';
import { loadCalendar, unconfirmedYears } from '../../core/rules/calendar';

type Section<T> = { available: true; source: string } & T;
type Missing = { available: false; source: string };

/** Today in China Standard Time, as a UTC range. */
export function cstDay(now: Date): { from: Date; to: Date } {
  const cst = new Date(now.getTime() + 8 * 3600_000);
  const start = Date.UTC(cst.getUTCFullYear(), cst.getUTCMonth(), cst.getUTCDate()) - 8 * 3600_000;
  return { from: new Date(start), to: new Date(start + 86_400_000) };
}

type Deadline = { kind: string; id: string; title: string; ref?: string | null; step?: { zh: string; en: string }; stage?: string; dueAt: string };

export interface Board {
  generatedAt: string;
  projects: Section<{ total: number; byStage: Array<{ stage: string; count: number }>; byMethod: Array<{ method: string; count: number }>; byStageMethod: Array<{ stage: string; method: string; count: number }> }> | Missing;
  competitions: Section<{ running: Array<{ id: string; code: string | null; title: string; endsAt: string | null; bids: number; orgId: number | null }> }> | Missing;
  /** As overdueSteps: `title` in Chinese; `step` / `stage` and `ref` name an approval step or a project stage in any language. */
  deadlinesToday: Section<{ items: Deadline[] }> | Missing;
  /** `title` is the Chinese text; `step` (approval: {zh, en}) or `stage` (project) and `ref` name it in any language. */
  overdueSteps: Section<{ items: Array<{ kind: string; id: string; title: string; ref: string | null; step?: { zh: string; en: string }; stage?: string; dueAt: string; overdueHours: number }> }> | Missing;
  /** Holiday calendars still provisional that should be confirmed now (next year's from 1 November, CST). */
  calendar: { unconfirmedYears: number[] };
  alerts: { open: number; bySeverity: Record<string, number>; byStatus: Record<string, number>; latest: Array<{ id: number; ruleCode: string; severity: string; status: string; raisedAt: string; lastSeenAt: string; occurrences: number; summary: unknown; orgName: string | null }> };
}

export async function buildBoard(db: Knex, now: Date): Promise<Board> {
  const nowDb = toDbTime(now);
  const day = cstDay(now);
  const [fromDb, toDb] = [toDbTime(day.from), toDbTime(day.to)];

  let projects: Board['projects'] = { available: false, source: 'procurement_projects' };
  if (await hasTable(db, 'procurement_projects')) {
    const rows = await db('procurement_projects').select('stage', 'method').count({ n: '*' }).groupBy('stage', 'method');
    const byStageMethod = rows.map((r: any) => ({ stage: r.stage, method: r.method, count: Number(r.n) }));
    const sum = (key: 'stage' | 'method') => Object.entries(byStageMethod.reduce<Record<string, number>>((m, r) => ((m[r[key]] = (m[r[key]] ?? 0) + r.count), m), {})).map(([k, count]) => ({ [key]: k, count }) as any);
    projects = { available: true, source: 'procurement_projects', total: byStageMethod.reduce((s, r) => s + r.count, 0), byStage: sum('stage'), byMethod: sum('method'), byStageMethod };
  }

  let competitions: Board['competitions'];
  if (await hasTable(db, 'auctions')) {
    const rows = await db('auctions').whereIn('status', ['running', 'suspended']).select('id', 'code', 'title', 'ends_at', 'bid_count', 'org_id').orderBy('ends_at');
    competitions = { available: true, source: 'auctions', running: rows.map((r: any) => ({ id: String(r.id), code: r.code, title: r.title, endsAt: isoFromDb(r.ends_at), bids: Number(r.bid_count), orgId: r.org_id === null ? null : Number(r.org_id) })) };
  } else {
    // No competition table yet: the competitions opened and not closed on the audit trail.
    const views = (await allViewsFromAudit(db, toDbTime(now.getTime() - 30 * 86_400_000))).filter((v) => v.kind === 'competition' && v.status === 'active');
    competitions = { available: true, source: 'audit_events', running: views.map((v) => ({ id: v.id, code: null, title: v.title ?? v.key, endsAt: v.periodEnd, bids: v.bids.length, orgId: v.orgId })) };
  }

  const deadlineSources: string[] = [];
  const deadlines: Deadline[] = [];
  if (await hasTable(db, 'procurement_projects')) {
    deadlineSources.push('procurement_projects');
    for (const r of await db('procurement_projects').where('deadline_at', '>=', fromDb).andWhere('deadline_at', '<', toDb).select('id', 'ref', 'title', 'deadline_at')) deadlines.push({ kind: 'bid_deadline', id: String(r.id), title: `${r.ref} ${r.title}`, dueAt: isoFromDb(r.deadline_at)! });
  }
  if (await hasTable(db, 'auctions')) {
    deadlineSources.push('auctions');
    for (const r of await db('auctions').whereIn('status', ['announced', 'running', 'suspended']).andWhere('ends_at', '>=', fromDb).andWhere('ends_at', '<', toDb).select('id', 'code', 'title', 'ends_at')) deadlines.push({ kind: 'competition_end', id: String(r.id), title: `${r.code} ${r.title}`, dueAt: isoFromDb(r.ends_at)! });
  }
  if (await hasTable(db, 'tenders')) {
    deadlineSources.push('tenders');
    for (const r of await db('tenders').where('status', 'published').andWhere('bid_deadline', '>=', fromDb).andWhere('bid_deadline', '<', toDb).select('id', 'reference', 'title', 'bid_deadline')) deadlines.push({ kind: 'tender_deadline', id: String(r.id), title: `${r.reference} ${r.title}`, dueAt: isoFromDb(r.bid_deadline)! });
  }
  if (await hasTable(db, 'approval_steps')) {
    deadlineSources.push('approval_steps');
    const rows = await db('approval_steps as s').leftJoin('requisitions as r', 'r.id', 's.requisition_id').where('s.status', 'pending').andWhere('s.due_at', '>=', fromDb).andWhere('s.due_at', '<', toDb).select('s.id', 's.requisition_id', 's.name_zh', 's.name_en', 's.due_at', 'r.ref');
    for (const r of rows) deadlines.push({ kind: 'approval_step', id: String(r.id), title: `${r.name_zh} ${r.ref ?? `#${r.requisition_id}`}`, ref: r.ref ?? null, step: { zh: r.name_zh, en: r.name_en }, dueAt: isoFromDb(r.due_at)! });
  }
  if (await hasTable(db, 'project_stages')) {
    deadlineSources.push('project_stages');
    const rows = await db('project_stages as s').leftJoin('procurement_projects as p', 'p.id', 's.project_id').whereNull('s.exited_at').andWhere('s.due_at', '>=', fromDb).andWhere('s.due_at', '<', toDb).select('s.id', 's.project_id', 's.stage', 's.due_at', 'p.ref');
    for (const r of rows) deadlines.push({ kind: 'project_stage', id: String(r.id), title: `${r.stage} ${r.ref ?? `#${r.project_id}`}`, ref: r.ref ?? null, stage: r.stage, dueAt: isoFromDb(r.due_at)! });
  }
  deadlines.sort((a, b) => a.dueAt.localeCompare(b.dueAt));
  const deadlinesToday: Board['deadlinesToday'] = deadlineSources.length ? { available: true, source: deadlineSources.join(','), items: deadlines } : { available: false, source: 'procurement_projects,auctions,tenders,approval_steps,project_stages' };

  const overdueSources: string[] = [];
  const overdue: Array<{ kind: string; id: string; title: string; ref: string | null; step?: { zh: string; en: string }; stage?: string; dueAt: string; overdueHours: number }> = [];
  const hours = (due: string) => Math.floor((now.getTime() - Date.parse(due)) / 3_600_000);
  if (await hasTable(db, 'approval_steps')) {
    overdueSources.push('approval_steps');
    const rows = await db('approval_steps as s').leftJoin('requisitions as r', 'r.id', 's.requisition_id').where('s.status', 'pending').andWhere('s.due_at', '<', nowDb).select('s.id', 's.requisition_id', 's.name_zh', 's.name_en', 's.due_at', 'r.ref').orderBy('s.due_at').limit(100);
    for (const r of rows) overdue.push({ kind: 'approval_step', id: String(r.id), title: `${r.name_zh} ${r.ref ?? `#${r.requisition_id}`}`, ref: r.ref ?? null, step: { zh: r.name_zh, en: r.name_en }, dueAt: isoFromDb(r.due_at)!, overdueHours: hours(isoFromDb(r.due_at)!) });
  }
  if (await hasTable(db, 'project_stages')) {
    overdueSources.push('project_stages');
    const rows = await db('project_stages as s').leftJoin('procurement_projects as p', 'p.id', 's.project_id').whereNull('s.exited_at').andWhere('s.due_at', '<', nowDb).select('s.id', 's.project_id', 's.stage', 's.due_at', 'p.ref').orderBy('s.due_at').limit(100);
    for (const r of rows) overdue.push({ kind: 'project_stage', id: String(r.id), title: `${r.stage} ${r.ref ?? `#${r.project_id}`}`, ref: r.ref ?? null, stage: r.stage, dueAt: isoFromDb(r.due_at)!, overdueHours: hours(isoFromDb(r.due_at)!) });
  }
  const overdueSteps: Board['overdueSteps'] = overdueSources.length ? { available: true, source: overdueSources.join(','), items: overdue } : { available: false, source: 'approval_steps,project_stages' };

  const sev = await db('sv_alerts').whereNot('status', 'closed').select('severity').count({ n: '*' }).groupBy('severity');
  const st = await db('sv_alerts').select('status').count({ n: '*' }).groupBy('status');
  const latest = await db('sv_alerts as a').leftJoin('organisations as o', 'o.id', 'a.org_id').whereNot('a.status', 'closed').select('a.id', 'a.rule_code', 'a.severity', 'a.status', 'a.raised_at', 'a.summary_json', 'a.occurrences', 'a.last_seen_at', 'o.name_zh as org_name').orderBy('a.id', 'desc').limit(20);
  const bySeverity = Object.fromEntries(sev.map((r: any) => [r.severity, Number(r.n)]));
  return {
    generatedAt: now.toISOString(),
    projects,
    competitions,
    deadlinesToday,
    overdueSteps,
    calendar: { unconfirmedYears: unconfirmedYears(await loadCalendar(db), now) },
    alerts: {
      open: Object.values(bySeverity).reduce((s: number, n) => s + (n as number), 0),
      bySeverity,
      byStatus: Object.fromEntries(st.map((r: any) => [r.status, Number(r.n)])),
      latest: latest.map((r: any) => ({ id: Number(r.id), ruleCode: r.rule_code, severity: r.severity, status: r.status, raisedAt: isoFromDb(r.raised_at)!, lastSeenAt: isoFromDb(r.last_seen_at ?? r.raised_at)!, occurrences: Number(r.occurrences ?? 1), summary: JSON.parse(r.summary_json), orgName: r.org_name ?? null })),
    },
  };
}
