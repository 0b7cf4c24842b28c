// SQL for consultations, and the one place rows become API objects.
import type { Knex } from 'knex';
import { forUpdate } from '../../db/knex';
import type { Tx } from '../../db/tx';
import { isoFromDb } from '../../db/time';
import { NotFoundError } from '../../http/errors';
import type { Criterion } from '../tendering/rules';
import type { Qualification, Requirement } from '../tendering/templates';
import { stageOf } from './state-machine';

export interface ConsultationRow {
  id: number;
  reference: string;
  project_id: number | null;
  title: string;
  kind: 'goods' | 'services' | 'works';
  category_code: string;
  purchasing_org_id: number | null;
  budget_fen: number | string;
  price_weight: number;
  sme_deduction_pct: number;
  description: string;
  requirements_json: string;
  qualifications_json: string;
  criteria_json: string;
  invitation: 'draw' | 'public_notice';
  invitation_ref: string | null;
  exception: string | null;
  min_suppliers: number;
  status: string;
  documents_version: number;
  issued_at: string | null;
  response_deadline: string;
  consulting_at: string | null;
  tender_id: number | null;
  failed_at: string | null;
  failure_reason: string | null;
  created_by: number | null;
  created_at: string;
  updated_at: string;
}

export const consultationTerms = (r: ConsultationRow) => ({
  requirements: JSON.parse(r.requirements_json) as Requirement[],
  qualifications: JSON.parse(r.qualifications_json) as Qualification[],
  criteria: JSON.parse(r.criteria_json) as Criterion[],
});

export function consultationFromRow(r: ConsultationRow, tenderStatus: string | null = null) {
  return {
    id: r.id,
    reference: r.reference,
    projectId: r.project_id,
    title: r.title,
    kind: r.kind,
    categoryCode: r.category_code,
    purchasingOrgId: r.purchasing_org_id,
    budgetFen: Number(r.budget_fen),
    priceWeight: r.price_weight,
    smeDeductionPct: r.sme_deduction_pct,
    description: r.description,
    ...consultationTerms(r),
    invitation: r.invitation,
    invitationRef: r.invitation_ref,
    exception: r.exception,
    minSuppliers: r.min_suppliers,
    status: r.status,
    stage: stageOf(r.status, tenderStatus),
    documentsVersion: r.documents_version,
    issuedAt: isoFromDb(r.issued_at),
    responseDeadline: isoFromDb(r.response_deadline),
    consultingAt: isoFromDb(r.consulting_at),
    tenderId: r.tender_id,
    tenderStatus,
    failedAt: isoFromDb(r.failed_at),
    failureReason: r.failure_reason,
    createdAt: isoFromDb(r.created_at),
    updatedAt: isoFromDb(r.updated_at),
  };
}
export type Consultation = ReturnType<typeof consultationFromRow>;

export async function findConsultation(db: Knex, id: number): Promise<ConsultationRow> {
  const row = await db('consultations').where({ id }).first();
  if (!row) throw new NotFoundError(`Consultation ${id} not found`, null, 'CONSULTATION_NOT_FOUND');
  return row;
}

/** The consultation row locked for the rest of the transaction: steps on one consultation run one at a time. */
export async function lockConsultation(tx: Tx, id: number): Promise<ConsultationRow> {
  const row = await forUpdate(tx, tx('consultations').where({ id })).first();
  if (!row) throw new NotFoundError(`Consultation ${id} not found`, null, 'CONSULTATION_NOT_FOUND');
  return row;
}

export async function tenderStatusOf(db: Knex, row: ConsultationRow): Promise<string | null> {
  if (row.tender_id === null) return null;
  return ((await db('tenders').where({ id: row.tender_id }).first('status')) as { status: string } | undefined)?.status ?? null;
}

/** Suppliers still in the consultation: responded in time and not eliminated. */
export const REMAINING = 'consulting';

export async function remainingSuppliers(db: Knex, id: number): Promise<number[]> {
  return (await db('consultation_suppliers').where({ consultation_id: id, status: REMAINING }).orderBy('supplier_id').select('supplier_id')).map((r: { supplier_id: number }) => Number(r.supplier_id));
}

export async function teamExpertIdForUser(db: Knex, id: number, userId: number): Promise<number | null> {
  const r = await db('consultation_team as t').join('experts as e', 'e.id', 't.expert_id').where({ 't.consultation_id': id, 'e.user_id': userId }).first('t.expert_id');
  return r ? Number(r.expert_id) : null;
}

export async function usersOfSuppliers(db: Knex, supplierIds: number[]): Promise<Array<{ id: number; supplier_id: number }>> {
  if (!supplierIds.length) return [];
  return db('users').whereIn('supplier_id', supplierIds).select('id', 'supplier_id');
}
