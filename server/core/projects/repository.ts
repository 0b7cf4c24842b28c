// SQL for procurement projects and their stage history.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';

export const projectFromRow = (r: any) => ({
  id: r.id,
  ref: r.ref,
  requisitionId: r.requisition_id,
  orgId: r.org_id,
  orgNameZh: r.org_name_zh,
  orgNameEn: r.org_name_en,
  title: r.title,
  method: r.method,
  stage: r.stage,
  budgetFen: Number(r.budget_fen),
  noticeAt: isoFromDb(r.notice_at),
  deadlineAt: isoFromDb(r.deadline_at),
  responses: r.responses,
  validResponses: r.valid_responses,
  awardedSupplierId: r.awarded_supplier_id,
  awardedSupplierName: r.supplier_name ?? null,
  awardFen: r.award_fen === null || r.award_fen === undefined ? null : Number(r.award_fen),
  awardSource: r.award_source,
  awardSourceRef: r.award_source_ref,
  awardNoticeAt: isoFromDb(r.award_notice_at),
  failureReason: r.failure_reason,
  createdAt: isoFromDb(r.created_at),
  updatedAt: isoFromDb(r.updated_at),
});

export const stageFromRow = (r: any) => ({
  stage: r.stage,
  enteredAt: isoFromDb(r.entered_at),
  exitedAt: isoFromDb(r.exited_at),
  dueAt: isoFromDb(r.due_at),
  overdueAt: isoFromDb(r.overdue_at),
});

export function projects(db: Knex, f: { orgId?: number; stage?: string; method?: string; supplierId?: number } = {}) {
  const q = db('procurement_projects as p')
    .join('organisations as o', 'o.id', 'p.org_id')
    .leftJoin('suppliers as s', 's.id', 'p.awarded_supplier_id')
    .select('p.*', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 's.name as supplier_name')
    .orderBy('p.id', 'desc');
  if (f.orgId) q.where('p.org_id', f.orgId);
  if (f.stage) q.where('p.stage', f.stage);
  if (f.method) q.where('p.method', f.method);
  if (f.supplierId) q.where('p.awarded_supplier_id', f.supplierId);
  return q;
}

export function stages(db: Knex, projectId: number) {
  return db('project_stages').where({ project_id: projectId }).orderBy('id');
}

/** Open stages with a time limit, soonest first: the procurement centre's "deadlines due". */
export function openDeadlines(db: Knex) {
  return db('project_stages as st')
    .join('procurement_projects as p', 'p.id', 'st.project_id')
    .whereNull('st.exited_at')
    .whereNotNull('st.due_at')
    .select('st.*', 'p.ref', 'p.title', 'p.method as project_method')
    .orderBy('st.due_at');
}

/** Days per stage and method over finished stages (cycle time). */
export async function cycleTimes(db: Knex) {
  const rows = await db('project_stages').whereNotNull('exited_at').select('method', 'stage', 'entered_at', 'exited_at');
  const acc = new Map<string, { method: string; stage: string; n: number; totalMs: number; maxMs: number }>();
  for (const r of rows) {
    const ms = Date.parse(isoFromDb(r.exited_at)!) - Date.parse(isoFromDb(r.entered_at)!);
    const k = `${r.method}/${r.stage}`;
    const a = acc.get(k) ?? { method: r.method, stage: r.stage, n: 0, totalMs: 0, maxMs: 0 };
    a.n++;
    a.totalMs += ms;
    a.maxMs = Math.max(a.maxMs, ms);
    acc.set(k, a);
  }
  return [...acc.values()]
    .sort((a, b) => (a.method + a.stage).localeCompare(b.method + b.stage))
    .map((a) => ({ method: a.method, stage: a.stage, count: a.n, avgDays: Math.round((a.totalMs / a.n / 86400_000) * 100) / 100, maxDays: Math.round((a.maxMs / 86400_000) * 100) / 100 }));
}
