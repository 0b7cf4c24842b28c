// Demo consultations in each stage the demo shows, made through the consultation and tendering
// services with a clock that walks through each one's history: a draft invited by the supplier
// draw, one taking first responses (the demo supplier may respond), one in consultation (the demo
// expert on its team, a change the demo supplier has still to acknowledge), one taking sealed final
// quotations, one awarded, and one ended for too few responses.
import { withTx } from '../../db/tx';
import type { Clock } from '../../db/time';
import type { Actor } from '../../http/actor';
import { toDbTime } from '../../db/time';
import { sealBid, randomHex } from '../../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../tendering/templates';
import * as bids from '../tendering/bids/service';
import * as opening from '../tendering/opening/service';
import * as evaluation from '../tendering/evaluation/service';
import { awardTender } from '../tendering/award/service';
import { ensureExpertUser, ensureExpertUsers, ensureSupplierUser, ensureSupplierUsers } from '../tendering/demo-users';
import * as req from '../../core/requisitions/service';
import { decide } from '../../core/approvals/service';
import { allocate, lineMoney } from '../../core/budget/service';
import * as svc from './service';
import { findConsultation } from './repository';
import type { ConsultationDeps } from './deps';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

class WalkingClock implements Clock {
  constructor(public t: number) {}
  now() {
    return new Date(this.t);
  }
}

type Stage = 'draft' | 'issued' | 'consulting' | 'final_quotation' | 'awarded' | 'failed';
interface Plan { stage: Stage; title: string; categoryCode: string; budgetYuan: number; deadlineFromNow: number; invitation: 'draw' | 'public_notice'; responders: number; prices: number[] }

// Services bought by consultation: the demo supplier (an IT firm) takes part in the IT services
// ones (it still has to respond to one and to seal its final quotation in another); the demo
// expert sits on the property-services team still consulting. The awarded one runs from a
// requisition that asked for consultation, through its project.
const PLANS: Plan[] = [
  { stage: 'draft', title: '教育局数据中心运维服务（磋商）', categoryCode: 'C1605', budgetYuan: 900_000, deadlineFromNow: 20 * DAY, invitation: 'draw', responders: 0, prices: [] },
  { stage: 'issued', title: '智慧校园平台需求咨询服务', categoryCode: 'C1605', budgetYuan: 850_000, deadlineFromNow: 6 * DAY, invitation: 'public_notice', responders: 2, prices: [] },
  { stage: 'consulting', title: '教育局机关办公区物业服务', categoryCode: 'C2101', budgetYuan: 780_000, deadlineFromNow: -2 * DAY, invitation: 'public_notice', responders: 3, prices: [] },
  { stage: 'final_quotation', title: '教师发展中心信息化运维服务', categoryCode: 'C1605', budgetYuan: 960_000, deadlineFromNow: -6 * DAY, invitation: 'public_notice', responders: 3, prices: [0, 905_000, 872_000] },
  { stage: 'awarded', title: '教育局机关食堂餐饮服务', categoryCode: 'C2101', budgetYuan: 1_200_000, deadlineFromNow: -25 * DAY, invitation: 'public_notice', responders: 3, prices: [1_150_000, 1_080_000, 1_120_000] },
  { stage: 'failed', title: '教育局档案数字化加工服务', categoryCode: 'C1605', budgetYuan: 650_000, deadlineFromNow: -12 * DAY, invitation: 'public_notice', responders: 2, prices: [] },
];

export async function seedConsultations(base: ConsultationDeps): Promise<void> {
  if (await base.db('consultations').first('id')) return; // seeded already
  const realNow = base.clock.now().getTime();
  const clock = new WalkingClock(realNow);
  const deps: ConsultationDeps = { ...base, clock };
  const { demoSupplier, demoExpert, operator, purchaser, org } = await withTx(deps.db, async (tx) => {
    const op = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'operator').orderBy('u.id').first('u.id');
    const pu = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'purchaser').orderBy('u.id').first('u.id', 'u.org_id');
    return { demoSupplier: (await ensureSupplierUsers(tx, clock, 1))[0], demoExpert: (await ensureExpertUsers(tx, clock, 1))[0], operator: Number(op.id), purchaser: Number(pu?.id ?? op.id), org: pu?.org_id ?? null };
  });
  const as = (userId: number, role: string, ip: string | null = null): Actor => ({ userId, role, requestId: null, ip, clock });
  const op = as(operator, 'operator', '10.20.1.15');
  const suppliersFor = async (plan: Plan) => {
    const barred = deps.db('supplier_blacklist').whereNull('lifted_at').where('ends_at', '>', toDbTime(clock.now())).select('supplier_id');
    const ids = (await deps.db('supplier_categories as sc').join('suppliers as s', 's.id', 'sc.supplier_id').where({ 'sc.category_code': plan.categoryCode, 's.status': 'approved' }).whereNotIn('s.id', barred).whereNot('s.id', demoSupplier.supplierId).orderBy('s.id').pluck('s.id')).map(Number);
    const withDemo = plan.categoryCode === 'C1605' && plan.stage !== 'issued' && plan.stage !== 'failed' ? [demoSupplier.supplierId, ...ids] : ids;
    const out: Array<{ userId: number; supplierId: number }> = [];
    for (const supplierId of withDemo.slice(0, plan.responders)) out.push({ supplierId, userId: supplierId === demoSupplier.supplierId ? demoSupplier.userId : await withTx(deps.db, (tx) => ensureSupplierUser(tx, clock, supplierId)) });
    if (out.length < plan.responders) throw new Error(`too few suppliers registered for ${plan.categoryCode}`);
    return out;
  };
  // The team: experts in the category (the demo expert first where it is one), none working for a responder or the unit.
  const teamFor = async (plan: Plan, suppliers: number[]) => {
    const ids = (
      await deps.db('experts as e')
        .join('expert_specialties as s', 's.expert_id', 'e.id')
        .where({ 's.category_code': plan.categoryCode, 'e.status': 'active' })
        .where((q) => q.whereNull('e.employer_org_id').orWhereNot('e.employer_org_id', org ?? 0))
        .where((q) => q.whereNull('e.employer_supplier_id').orWhereNotIn('e.employer_supplier_id', suppliers))
        .whereNotIn('e.id', deps.db('expert_conflicts').whereNull('withdrawn_at').whereIn('supplier_id', suppliers).select('expert_id'))
        .orderByRaw('case when e.id = ? then 0 else 1 end', [demoExpert.expertId])
        .orderBy('e.id')
        .limit(3)
        .pluck('e.id')
    ).map(Number);
    if (ids.length < 3) throw new Error(`too few experts in ${plan.categoryCode} for a consultation team`);
    const team: Array<{ expertId: number; userId: number; username: string }> = [];
    for (const expertId of ids) team.push(expertId === demoExpert.expertId ? demoExpert : { expertId, userId: await withTx(deps.db, (tx) => ensureExpertUser(tx, clock, expertId)), username: `expert${expertId}` });
    return team;
  };
  // A requisition asking for consultation, approved along its chain: the project the consultation runs.
  const projectFor = async (plan: Plan): Promise<number | null> => {
    const buyer = await deps.db('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'r.role': 'purchaser', 'u.org_id': org }).orderBy('u.id').first('u.id');
    const year = new Date(clock.t + 8 * HOUR).getUTCFullYear();
    // The line of the year the requisition is raised in; early in a year the demo's history starts
    // in the year before, whose lines the demo may not have: the unit's latest year then.
    const line = (await deps.db('budget_lines').where({ org_id: org, fiscal_year: year }).orderBy('allocated_fen', 'desc').first()) ?? (await deps.db('budget_lines').where({ org_id: org }).orderBy('fiscal_year', 'desc').orderBy('allocated_fen', 'desc').first());
    if (!buyer || !line) return null; // no budget for that year in this database: the consultation stands alone
    const fen = plan.budgetYuan * 100;
    const money = await withTx(deps.db, (tx) => lineMoney(tx, line.id));
    if (money.availableFen < fen) await withTx(deps.db, (tx) => allocate(tx, as(operator, 'system:finance-api'), { code: line.code, orgId: org!, fiscalYear: line.fiscal_year, name: line.name, economicClass: line.economic_class, allocatedFen: money.allocatedFen + fen - money.availableFen + 100_000 * 100 }));
    const who = { userId: Number(buyer.id), orgId: org };
    const id = await withTx(deps.db, async (tx) => {
      const rid = await req.createDraft(tx, as(Number(buyer.id), 'purchaser'), who, { title: plan.title, budgetLineId: line.id, neededBy: new Date(clock.t + 120 * DAY).toISOString().slice(0, 10), justification: `${plan.title}：服务合同到期，服务标准需与供应商磋商后确定。`, items: [{ categoryCode: plan.categoryCode, name: plan.title, specification: '服务范围与标准见磋商文件', quantity: 1, unit: '项', unitPriceFen: fen }], singleSourceReason: null, requestedMethod: 'competitive_consultation', methodRequestReason: '服务标准需与供应商磋商后确定（财库〔2014〕214号第三条）' });
      await req.submit(tx, as(Number(buyer.id), 'purchaser'), who, rid);
      return rid;
    });
    for (let i = 0; i < 10; i++) {
      clock.t += 3 * HOUR;
      const step = await deps.db('approval_steps').where({ requisition_id: id, status: 'pending' }).first();
      if (!step) break;
      const u = await deps.db('users as u').join('user_roles as r', 'r.user_id', 'u.id').where({ 'u.org_id': step.approver_org_id, 'r.role': step.approver_role }).orderBy('u.id').first('u.id');
      const roles = (await deps.db('user_roles').where({ user_id: u.id }).pluck('role')) as string[];
      const r = await withTx(deps.db, (tx) => decide(tx, as(Number(u.id), step.approver_role), { userId: Number(u.id), orgId: step.approver_org_id, roles: roles as never }, step.id, { decision: 'approve', comment: '同意' }));
      if (r.projectId) return r.projectId;
    }
    return null;
  };

  for (const [n, plan] of PLANS.entries()) {
    const deadline = realNow + plan.deadlineFromNow;
    // 20 days: always at least 5 working days too, whatever holidays the demo date falls near.
    const issuedAt = deadline - 20 * DAY;
    clock.t = issuedAt - 3 * DAY;
    const projectId = plan.stage === 'awarded' ? await projectFor(plan) : null;
    clock.t = issuedAt - DAY;
    const tpl = TEMPLATES.services;
    const c = await svc.createConsultation(deps, op, {
      projectId,
      title: plan.title,
      kind: 'services',
      categoryCode: plan.categoryCode,
      purchasingOrgId: org,
      budgetFen: plan.budgetYuan * 100,
      priceWeight: tpl.priceWeight,
      smeDeductionPct: tpl.smeDeductionPct,
      description: `${plan.title}：服务范围、人员配置和服务标准在磋商中与供应商逐项明确。资金来源：财政预算资金。`,
      requirements: tpl.requirements,
      qualifications: tpl.qualifications,
      criteria: tpl.criteria,
      invitation: plan.invitation,
      responseDeadline: new Date(deadline).toISOString(),
    });
    if (plan.invitation === 'draw') await svc.drawInvitations(deps, op, c.id, { count: 3 });
    if (plan.stage === 'draft') continue;
    clock.t = issuedAt;
    await svc.issueDocuments(deps, op, c.id);
    const suppliers = await suppliersFor(plan);
    for (const [i, sup] of suppliers.entries()) {
      clock.t = issuedAt + (2 + i) * DAY + i * 41 * MIN;
      await svc.submitResponse(deps, as(sup.userId, 'supplier', `192.0.2.${120 + n * 8 + i}`), sup.supplierId, c.id, { text: `我公司对《${plan.title}》磋商文件的首次响应：服务方案、人员配置及报价构成详见附件（第${i + 1}版）。` });
    }
    if (plan.stage === 'issued') continue;
    clock.t = deadline;
    await svc.closeResponses(deps, c.id, op);
    if (plan.stage === 'failed') continue;
    clock.t = deadline + 2 * HOUR;
    const team = await teamFor(plan, suppliers.map((s) => s.supplierId));
    await withTx(deps.db, async (tx) => svc.linkTeam(deps, tx, op, await findConsultation(tx, c.id), team.map((e, i) => ({ expertId: e.expertId, chair: i === 1 })), { source: 'direct', sourceRef: `demo-${c.reference}` }));
    const chair = team[1];
    for (const [i, sup] of suppliers.entries()) {
      clock.t = deadline + (3 + i) * HOUR;
      await svc.recordRound(deps, as(chair.userId, 'expert'), chair.expertId, c.id, { supplierId: sup.supplierId, minutes: `第一轮：与供应商逐项确认服务范围、驻场人员数量（${6 + i} 人）及响应时限，供应商同意按磋商文件要求调整服务方案。` });
    }
    clock.t = deadline + 1 * DAY;
    const change = await svc.issueChange(deps, as(chair.userId, 'expert'), { expertId: chair.expertId }, c.id, { summary: '服务响应时限调整为 2 小时', body: '服务标准第 3 条“故障响应时限 4 小时”变更为“2 小时到场”，其他内容不变。经采购人代表确认。' });
    for (const [i, sup] of suppliers.entries()) {
      // One supplier acknowledges the change later, in the consultation still under way.
      if (plan.stage === 'consulting' && i === suppliers.length - 1) continue;
      clock.t = deadline + 1 * DAY + (i + 1) * 30 * MIN;
      await svc.acknowledgeChange(deps, as(sup.userId, 'supplier'), sup.supplierId, c.id, change.changeId);
    }
    if (plan.stage === 'consulting') continue;
    const fqDeadline = plan.stage === 'final_quotation' ? realNow + 2 * DAY : deadline + 4 * DAY;
    clock.t = deadline + 2 * DAY;
    const called = await svc.callFinalQuotations(deps, op, c.id, { deadline: new Date(fqDeadline).toISOString() });
    const tenderId = called.tenderId!;
    const keys: string[] = [];
    for (const [i, sup] of suppliers.entries()) {
      if (!plan.prices[i]) continue; // still to quote (the demo supplier in the open one)
      clock.t = deadline + 2 * DAY + (i + 1) * HOUR;
      const sealed = sealBid({ tenderId, supplierId: sup.supplierId, priceFen: plan.prices[i] * 100, responses: Object.fromEntries(tpl.requirements.map((r) => [r.key, `按变更后的磋商文件响应：${r.text.split(' (')[0]}`])), attachments: [] }, { keyHex: randomHex(32) });
      keys[i] = sealed.keyHex;
      await bids.submitBid(deps, as(sup.userId, 'supplier', `192.0.2.${120 + n * 8 + i}`), sup.supplierId, tenderId, { envelope: sealed.envelope, digest: sealed.digest });
    }
    if (plan.stage === 'final_quotation') continue;
    clock.t = fqDeadline;
    await opening.startOpening(deps, tenderId);
    for (const [i, sup] of suppliers.entries()) {
      clock.t = fqDeadline + (2 + i) * MIN;
      await opening.submitKey(deps, as(sup.userId, 'supplier'), sup.supplierId, tenderId, keys[i]);
    }
    const view = await evaluation.evaluationView(deps, tenderId, null);
    const compliance = Object.fromEntries(view.qualifications.map((q) => [q.key, true]));
    for (const [e, m] of team.entries()) {
      const actor = as(m.userId, 'expert');
      for (const [i, b] of view.bids.entries()) {
        clock.t = fqDeadline + HOUR + e * 20 * MIN + i * 4 * MIN;
        await evaluation.viewBid(deps, actor, m.expertId, tenderId, b.bidId);
        const scores = Object.fromEntries(view.criteria.filter((k) => k.kind !== 'price').map((k, j) => [k.key, Math.round(k.weight * (0.66 + 0.07 * ((e + i + j) % 4)) * 10) / 10]));
        await evaluation.saveScores(deps, actor, m.expertId, tenderId, b.bidId, { compliance, scores });
      }
      await evaluation.submitScores(deps, actor, m.expertId, tenderId);
    }
    const report = (await evaluation.evaluationView(deps, tenderId, null)).report!;
    for (const [i, m] of team.entries()) {
      clock.t = fqDeadline + 4 * HOUR + i * 5 * MIN;
      await evaluation.confirmReport(deps, as(m.userId, 'expert'), m.expertId, tenderId, report.sha256!);
    }
    clock.t = fqDeadline + 2 * DAY;
    await awardTender(deps, as(purchaser, 'purchaser', '10.20.3.8'), tenderId, {});
  }
}
