// Facts for the performance evaluation: the workflow body's projects and stage history
// (procurement_projects, project_stages), alerts by unit, and challenges from the audit trail.
import type { Knex } from 'knex';
import { isoFromDb, toDbTime } from '../../db/time';
import { hasTable } from '../sources/tables-source';
import type { ProjectFact } from './compute';

export async function stageHistoryAvailable(db: Knex): Promise<boolean> {
  return (await hasTable(db, 'procurement_projects')) && (await hasTable(db, 'project_stages'));
}

/** Projects with any stage overlapping the period (entered before its end, not exited before its start). */
export async function projectFacts(db: Knex, period: { from: string; to: string }): Promise<ProjectFact[]> {
  if (!(await stageHistoryAvailable(db))) return [];
  const from = toDbTime(new Date(period.from));
  const to = toDbTime(new Date(period.to));
  const ids = db('project_stages').where('entered_at', '<', to).andWhere((q) => q.whereNull('exited_at').orWhere('exited_at', '>=', from)).distinct('project_id');
  const projects = await db('procurement_projects as p').join('organisations as o', 'o.id', 'p.org_id').whereIn('p.id', ids).select('p.id', 'p.org_id', 'p.method', 'p.budget_fen', 'p.award_fen', 'o.name_zh', 'o.department');
  const stages = projects.length ? await db('project_stages').whereIn('project_id', projects.map((p: any) => p.id)).orderBy('id') : [];
  const byProject = new Map<number, any[]>();
  for (const s of stages) (byProject.get(Number(s.project_id)) ?? byProject.set(Number(s.project_id), []).get(Number(s.project_id))!).push(s);
  return projects.map((p: any) => ({
    projectId: String(p.id),
    orgId: Number(p.org_id),
    orgName: p.name_zh,
    department: p.department,
    method: p.method,
    budgetFen: Number(p.budget_fen),
    awardFen: p.award_fen === null ? null : Number(p.award_fen),
    stages: (byProject.get(Number(p.id)) ?? []).map((s) => ({ stage: s.stage, enteredAt: isoFromDb(s.entered_at)!, exitedAt: isoFromDb(s.exited_at), dueAt: isoFromDb(s.due_at) })),
  }));
}

/** Alerts raised in the period, by unit id and by department. */
export async function alertCounts(db: Knex, period: { from: string; to: string }, groupBy: 'unit' | 'department'): Promise<Map<string, number>> {
  const q = db('sv_alerts as a').join('organisations as o', 'o.id', 'a.org_id').where('a.raised_at', '>=', toDbTime(new Date(period.from))).andWhere('a.raised_at', '<', toDbTime(new Date(period.to)));
  const rows = groupBy === 'unit' ? await q.select('a.org_id as k').count({ n: '*' }).groupBy('a.org_id') : await q.select('o.department as k').count({ n: '*' }).groupBy('o.department');
  return new Map(rows.map((r: any) => [r.k === null ? '—' : String(r.k), Number(r.n)]));
}

/**
 * Challenges (质疑) received in the period: the workflow body's project_challenges where that
 * table exists, otherwise audit events `challenge.received` / `challenge.filed` carrying `orgId`.
 */
export async function challengeCounts(db: Knex, period: { from: string; to: string }, groupBy: 'unit' | 'department'): Promise<Map<string, number>> {
  const from = toDbTime(new Date(period.from));
  const to = toDbTime(new Date(period.to));
  const out = new Map<string, number>();
  if ((await hasTable(db, 'project_challenges')) && (await hasTable(db, 'procurement_projects'))) {
    const q = db('project_challenges as c').join('procurement_projects as p', 'p.id', 'c.project_id').join('organisations as o', 'o.id', 'p.org_id').where('c.received_at', '>=', from).andWhere('c.received_at', '<', to);
    const rows = groupBy === 'unit' ? await q.select('p.org_id as k').count({ n: '*' }).groupBy('p.org_id') : await q.select('o.department as k').count({ n: '*' }).groupBy('o.department');
    for (const r of rows as any[]) out.set(r.k === null ? '—' : String(r.k), Number(r.n));
    return out;
  }
  const rows = await db('audit_events').whereIn('action', ['challenge.received', 'challenge.filed']).andWhere('occurred_at', '>=', from).andWhere('occurred_at', '<', to).select('after_json');
  const orgIds = rows.map((r: any) => Number(JSON.parse(r.after_json ?? '{}').orgId)).filter((x: number) => Number.isFinite(x) && x > 0);
  if (!orgIds.length) return out;
  const depts = new Map((await db('organisations').whereIn('id', [...new Set(orgIds)]).select('id', 'department')).map((o: any) => [Number(o.id), o.department ?? '—']));
  for (const id of orgIds) {
    const k = groupBy === 'unit' ? String(id) : String(depts.get(id) ?? '—');
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}
