// What the reports read from the workflow body and the execution wing. The execution tables
// (auctions, tenders) are optional: a platform without them still reports (ceiling = budget).
import type { Knex } from 'knex';

const present = new Map<string, boolean>();

/**
 * Whether a table exists, remembered once true (tables only appear by migration). Keyed by name,
 * not by connection: a transaction has its own knex client, and asking information_schema on
 * every transaction cost MariaDB a query per workflow step.
 */
export async function hasTable(db: Knex, name: string): Promise<boolean> {
  if (present.get(name)) return true;
  const yes = await db.schema.hasTable(name);
  if (yes) present.set(name, true);
  return yes;
}

export interface SourceProject {
  id: number;
  ref: string;
  title: string;
  requisition_id: number;
  org_id: number;
  method: string;
  stage: string;
  budget_fen: number;
  award_fen: number | null;
  awarded_supplier_id: number | null;
  award_notice_at: string | null;
  award_source: string | null;
  award_source_ref: string | null;
  updated_at: string;
}

export async function projectsByIds(db: Knex, ids: number[]): Promise<SourceProject[]> {
  if (!ids.length) return [];
  return db('procurement_projects').whereIn('id', ids);
}

export async function requisitionsByIds(db: Knex, ids: number[]) {
  if (!ids.length) return [];
  return db('requisitions').whereIn('id', ids).select('id', 'org_id', 'budget_line_id', 'category_code', 'submitted_at', 'decided_at', 'status');
}

export async function itemsOfRequisitions(db: Knex, ids: number[]) {
  if (!ids.length) return [];
  return db('requisition_items').whereIn('requisition_id', ids).orderBy('requisition_id').orderBy('line_no').select('id', 'requisition_id', 'line_no', 'category_code', 'quantity', 'amount_fen');
}

export async function stagesOfProjects(db: Knex, ids: number[]) {
  if (!ids.length) return [];
  return db('project_stages').whereIn('project_id', ids).orderBy('id').select('project_id', 'method', 'stage', 'entered_at', 'exited_at');
}

export async function suppliersByIds(db: Knex, ids: number[]) {
  if (!ids.length) return [];
  return db('suppliers').whereIn('id', ids).select('id', 'size', 'name');
}

/** Contracts signed by both parties: the end of "requisition to contract". */
export async function contractsOfProjects(db: Knex, ids: number[]) {
  if (!ids.length) return [];
  return db('contracts').whereIn('project_id', ids).select('id', 'ref', 'project_id', 'supplier_id', 'amount_fen', 'status', 'purchaser_signed_at', 'supplier_signed_at', 'accepted_at', 'created_at');
}

/** The online price competition's ceiling for each project that had one (closed with a winner). */
export async function competitionCeilings(db: Knex, projectIds: number[]): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (!projectIds.length || !(await hasTable(db, 'auctions'))) return out;
  const rows = await db('auctions').whereIn('project_id', projectIds).where('status', 'closed').whereNotNull('winner_supplier_id').select('project_id', 'ceiling_fen');
  for (const r of rows) out.set(Number(r.project_id), Number(r.ceiling_fen));
  return out;
}

/**
 * The public references a project's notices may carry: its own ref, and the reference of the
 * tender or the code of the online competition run for it (the execution wing publishes under those).
 */
export async function publicRefsOfProject(db: Knex, projectId: number, ref: string): Promise<string[]> {
  const refs = [ref];
  if (await hasTable(db, 'tenders')) refs.push(...(await db('tenders').where({ project_id: projectId }).pluck('reference')));
  if (await hasTable(db, 'auctions')) refs.push(...(await db('auctions').where({ project_id: projectId }).pluck('code')));
  return refs;
}
