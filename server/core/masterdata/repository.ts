// SQL for organisations, the procurement catalogue and budget lines.
import type { Knex } from 'knex';
import type { Db } from '../../db/knex';
import { isoFromDb } from '../../db/time';

export const orgFromRow = (r: any) => ({ id: r.id, code: r.code, nameZh: r.name_zh, nameEn: r.name_en, kind: r.kind, parentId: r.parent_id, department: r.department, region: r.region });
export const categoryFromRow = (r: any) => ({ code: r.code, parentCode: r.parent_code, kind: r.kind, nameZh: r.name_zh, nameEn: r.name_en, frameworkAgreement: !!r.framework_agreement });
export const budgetLineFromRow = (r: any) => {
  const allocated = Number(r.allocated_fen);
  const frozen = Number(r.frozen_fen);
  const spent = Number(r.spent_fen);
  return {
    id: r.id,
    code: r.code,
    orgId: r.org_id,
    orgNameZh: r.org_name_zh,
    orgNameEn: r.org_name_en,
    fiscalYear: r.fiscal_year,
    name: r.name,
    economicClass: r.economic_class,
    allocatedFen: allocated,
    frozenFen: frozen,
    spentFen: spent,
    availableFen: allocated - frozen - spent,
    updatedAt: isoFromDb(r.updated_at),
  };
};

export function organisations(db: Db | Knex, filter: { kind?: string }) {
  const q = db('organisations').orderBy('code');
  if (filter.kind) q.where({ kind: filter.kind });
  return q;
}

export function categories(db: Db | Knex, filter: { kind?: string; q?: string }) {
  const q = db('catalogue_categories').orderBy('code');
  if (filter.kind) q.where({ kind: filter.kind });
  if (filter.q) q.where((w) => w.where('name_zh', 'like', `%${filter.q}%`).orWhere('name_en', 'like', `%${filter.q}%`).orWhere('code', 'like', `${filter.q}%`));
  return q;
}

export function budgetLines(db: Db | Knex, filter: { orgId?: number; fiscalYear?: number }) {
  const q = db('budget_lines as b')
    .join('organisations as o', 'o.id', 'b.org_id')
    .select('b.*', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en')
    .orderBy([{ column: 'b.org_id' }, { column: 'b.code' }]);
  if (filter.orgId) q.where('b.org_id', filter.orgId);
  if (filter.fiscalYear) q.where('b.fiscal_year', filter.fiscalYear);
  return q;
}
