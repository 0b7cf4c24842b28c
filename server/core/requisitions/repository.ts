// Reads: requisitions with their items, approval timeline and project.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';

export const requisitionFromRow = (r: any) => ({
  id: r.id,
  ref: r.ref,
  orgId: r.org_id,
  orgNameZh: r.org_name_zh,
  orgNameEn: r.org_name_en,
  budgetLineId: r.budget_line_id,
  budgetLineCode: r.budget_line_code,
  title: r.title,
  justification: r.justification,
  categoryCode: r.category_code,
  categoryKind: r.category_kind,
  frameworkGoods: !!r.framework_goods,
  singleSourceReason: r.single_source_reason,
  requestedMethod: r.requested_method && r.requested_method !== 'single_source' ? r.requested_method : null,
  methodRequestReason: r.method_request_reason ?? null,
  neededBy: r.needed_by,
  totalFen: Number(r.total_fen),
  frozenFen: Number(r.frozen_fen),
  status: r.status,
  method: r.method,
  methodReason: r.method_reason,
  splitSuspected: !!r.split_suspected,
  attachments: r.attachments_json ? JSON.parse(r.attachments_json) : [],
  projectId: r.project_id ?? null,
  projectStage: r.project_stage ?? null,
  submittedAt: isoFromDb(r.submitted_at),
  decidedAt: isoFromDb(r.decided_at),
  createdAt: isoFromDb(r.created_at),
  updatedAt: isoFromDb(r.updated_at),
});

export const itemFromRow = (i: any) => ({ lineNo: i.line_no, categoryCode: i.category_code, name: i.name, specification: i.specification, quantity: i.quantity, unit: i.unit, unitPriceFen: Number(i.unit_price_fen), amountFen: Number(i.amount_fen) });

export const stepFromRow = (s: any) => ({
  id: s.id,
  round: s.round,
  seq: s.seq,
  nameZh: s.name_zh,
  nameEn: s.name_en,
  approverRole: s.approver_role,
  approverOrgId: s.approver_org_id,
  status: s.status,
  decidedBy: s.decided_by_name ?? null,
  comment: s.comment,
  activatedAt: isoFromDb(s.activated_at),
  dueAt: isoFromDb(s.due_at),
  decidedAt: isoFromDb(s.decided_at),
  overdueAt: isoFromDb(s.overdue_at),
});

export function requisitions(db: Knex, f: { orgId?: number; status?: string; splitSuspected?: boolean } = {}) {
  const q = db('requisitions as r')
    .join('organisations as o', 'o.id', 'r.org_id')
    .join('budget_lines as b', 'b.id', 'r.budget_line_id')
    .leftJoin('procurement_projects as p', 'p.requisition_id', 'r.id')
    .select('r.*', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 'b.code as budget_line_code', 'p.id as project_id', 'p.stage as project_stage')
    .orderBy('r.id', 'desc');
  if (f.orgId) q.where('r.org_id', f.orgId);
  if (f.status) q.where('r.status', f.status);
  if (f.splitSuspected) q.where('r.split_suspected', true);
  return q;
}

export async function items(db: Knex, id: number) {
  return (await db('requisition_items').where({ requisition_id: id }).orderBy('line_no')).map(itemFromRow);
}

export async function steps(db: Knex, id: number) {
  return (await db('approval_steps as s').leftJoin('users as u', 'u.id', 's.decided_by').where('s.requisition_id', id).select('s.*', 'u.display_name as decided_by_name').orderBy(['s.round', 's.seq'])).map(stepFromRow);
}

/** The approver's inbox: pending steps addressed to one of their roles at their organisation. */
export function inbox(db: Knex, who: { orgId: number; roles: string[] }) {
  return db('approval_steps as s')
    .join('requisitions as r', 'r.id', 's.requisition_id')
    .join('organisations as o', 'o.id', 'r.org_id')
    .join('budget_lines as b', 'b.id', 'r.budget_line_id')
    .where('s.status', 'pending')
    .where('s.approver_org_id', who.orgId)
    .whereIn('s.approver_role', who.roles)
    .select('s.*', 'r.ref as requisition_ref', 'r.title', 'r.total_fen', 'r.method', 'r.split_suspected', 'r.needed_by', 'r.id as requisition_id', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 'b.code as budget_line_code')
    .orderBy('s.due_at');
}

export const inboxFromRow = (s: any) => ({
  ...stepFromRow(s),
  requisitionId: s.requisition_id,
  requisitionRef: s.requisition_ref,
  title: s.title,
  totalFen: Number(s.total_fen),
  method: s.method,
  splitSuspected: !!s.split_suspected,
  neededBy: s.needed_by,
  orgNameZh: s.org_name_zh,
  orgNameEn: s.org_name_en,
  budgetLineCode: s.budget_line_code,
});
