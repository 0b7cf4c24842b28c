// Expert rows and their API shapes.
import type { Knex } from 'knex';
import { isoFromDb, toDbTime } from '../../db/time';
import { quarterOf } from '../draws/rules';

export const expertFromRow = (r: any) => ({
  id: r.id,
  name: r.name,
  employerName: r.employer_name,
  employerOrgId: r.employer_org_id ?? null,
  employerSupplierId: r.employer_supplier_id ?? null,
  region: r.region,
  title: r.title,
  phone: r.phone,
  email: r.email,
  status: r.status,
  statusReason: r.status_reason ?? null,
  maxEvaluationsPerQuarter: r.max_evaluations_per_quarter,
  rating: r.rating_milli / 1000,
  hasAccount: !!r.user_id,
});

/** Profile, specialties, leaves, conflicts, the evaluations sat (revealed draws only) and ratings. */
export async function expertDetail(db: Knex, id: number, at: Date) {
  const row = await db('experts').where({ id }).first();
  if (!row) return null;
  const t = toDbTime(at);
  const specialties = (await db('expert_specialties').where({ expert_id: id }).orderBy('category_code')).map((r: any) => r.category_code);
  const leaves = (await db('expert_leaves').where({ expert_id: id }).orderBy('starts_at', 'desc')).map((l: any) => ({
    id: l.id,
    startsAt: isoFromDb(l.starts_at),
    endsAt: isoFromDb(l.ends_at),
    reason: l.reason,
    cancelledAt: isoFromDb(l.cancelled_at),
    current: !l.cancelled_at && l.starts_at <= t && l.ends_at > t,
  }));
  const conflicts = (
    await db('expert_conflicts as c')
      .leftJoin('organisations as o', 'o.id', 'c.org_id')
      .leftJoin('suppliers as s', 's.id', 'c.supplier_id')
      .where('c.expert_id', id)
      .orderBy('c.id', 'desc')
      .select('c.*', 'o.name_zh as org_name', 's.name as supplier_name')
  ).map((c: any) => ({ id: c.id, orgId: c.org_id, supplierId: c.supplier_id, partyName: c.org_name ?? c.supplier_name, relation: c.relation, note: c.note, until: isoFromDb(c.until), withdrawnAt: isoFromDb(c.withdrawn_at) }));
  const evaluations = (
    await db('expert_evaluations as v').leftJoin('expert_ratings as r', 'r.evaluation_id', 'v.id').where('v.expert_id', id).orderBy('v.evaluation_at', 'desc').select('v.*', 'r.score_milli', 'r.comment')
  ).map((v: any) => ({ id: v.id, drawId: v.draw_id, projectRef: v.project_ref, evaluationAt: isoFromDb(v.evaluation_at), rating: v.score_milli == null ? null : v.score_milli / 1000, comment: v.comment ?? null }));
  const q = quarterOf(at);
  const inQuarter = evaluations.filter((e) => e.evaluationAt! >= q.start.toISOString() && e.evaluationAt! < q.end.toISOString()).length;
  return { ...expertFromRow(row), specialties, leaves, conflicts, evaluations, evaluationsThisQuarter: inQuarter };
}
