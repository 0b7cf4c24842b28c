// Approval chains, configurable per organisation: the unit's own chain, else the city's default
// chain (org_id null), else the built-in default below.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';

export type ApproverScope = 'own_unit' | 'finance_bureau' | 'procurement_centre';
export interface ChainStep {
  nameZh: string;
  nameEn: string;
  approverRole: 'approver' | 'finance' | 'operator';
  approverScope: ApproverScope;
  timeLimitWorkingDays: number;
}

export const DEFAULT_CHAIN: ChainStep[] = [
  { nameZh: '单位负责人审批', nameEn: 'Unit head approval', approverRole: 'approver', approverScope: 'own_unit', timeLimitWorkingDays: 2 },
  { nameZh: '财政预算审核', nameEn: 'Finance budget review', approverRole: 'finance', approverScope: 'finance_bureau', timeLimitWorkingDays: 3 },
  { nameZh: '采购中心受理', nameEn: 'Procurement centre acceptance', approverRole: 'operator', approverScope: 'procurement_centre', timeLimitWorkingDays: 2 },
];

const fromRow = (r: any): ChainStep => ({ nameZh: r.name_zh, nameEn: r.name_en, approverRole: r.approver_role, approverScope: r.approver_scope, timeLimitWorkingDays: r.time_limit_working_days });

export async function chainFor(db: Knex, orgId: number): Promise<{ steps: ChainStep[]; source: 'organisation' | 'city_default' | 'built_in' }> {
  const own = await db('approval_chain_steps').where({ org_id: orgId }).orderBy('seq');
  if (own.length) return { steps: own.map(fromRow), source: 'organisation' };
  const city = await db('approval_chain_steps').whereNull('org_id').orderBy('seq');
  if (city.length) return { steps: city.map(fromRow), source: 'city_default' };
  return { steps: DEFAULT_CHAIN, source: 'built_in' };
}

/** Replaces an organisation's chain (orgId null: the city default). */
export async function setChain(tx: Tx, actor: Actor, orgId: number | null, steps: ChainStep[]): Promise<void> {
  if (!steps.some((s) => s.approverScope === 'own_unit')) throw new RuleError('CHAIN_NEEDS_UNIT_STEP', 'A chain starts from the purchasing unit: it needs an own-unit step');
  if (orgId !== null && !(await tx('organisations').where({ id: orgId }).first('id'))) throw new NotFoundError(`Organisation ${orgId} not found`, { orgId }, 'ORGANISATION_NOT_FOUND');
  const q = tx('approval_chain_steps');
  if (orgId === null) await q.whereNull('org_id').delete();
  else await q.where({ org_id: orgId }).delete();
  await tx('approval_chain_steps').insert(steps.map((s, i) => ({ org_id: orgId, seq: i + 1, name_zh: s.nameZh, name_en: s.nameEn, approver_role: s.approverRole, approver_scope: s.approverScope, time_limit_working_days: s.timeLimitWorkingDays })));
  await record(tx, actor, { action: 'approval_chain.configured', entityType: 'organisation', entityId: orgId ?? 'default', after: { steps } });
}

export async function resolveApproverOrg(db: Knex, scope: ApproverScope, unitOrgId: number): Promise<number> {
  if (scope === 'own_unit') return unitOrgId;
  const org = await db('organisations').where({ kind: scope }).orderBy('id').first('id');
  if (!org) throw new RuleError('APPROVER_ORG_MISSING', `No ${scope} organisation is configured`);
  return org.id;
}
