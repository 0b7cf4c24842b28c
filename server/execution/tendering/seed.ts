// Demo tenders in every state, made through the tendering services with a clock that walks
// through each tender's history (documents issued weeks ago, bids, opening, evaluation, award),
// so a new user finds the capability populated on first start. Demo bids of the `supplier`
// account are sealed with the demo passphrase (Sunshine@2026), so that account can decrypt its
// own bid in the tender whose opening is under way.
import { pbkdf2Sync } from 'node:crypto';
import { withTx } from '../../db/tx';
import type { Clock } from '../../db/time';
import type { Actor } from '../../http/actor';
import { sealBid, newPassphraseKdf, randomHex, type BidAttachment, type KdfSpec } from '../../../client/src/views/tendering/sealing';
import { TEMPLATES } from './templates';
import type { CategoryKind } from './rules';
import * as documents from './documents/service';
import * as bids from './bids/service';
import * as opening from './opening/service';
import * as evaluation from './evaluation/service';
import { linkCommittee } from './evaluation/committee';
import { awardTender } from './award/service';
import { ensureExpertUser, ensureExpertUsers, ensureSupplierUser, ensureSupplierUsers, DEMO_PASSWORD } from './demo-users';
import { toDbTime } from '../../db/time';
import type { TenderingDeps } from './deps';

const MIN = 60_000;
const DAY = 86_400_000;

class WalkingClock implements Clock {
  constructor(public t: number) {}
  now() {
    return new Date(this.t);
  }
}

type Stage = 'draft' | 'published' | 'opening' | 'evaluation' | 'report_confirmation' | 'evaluated' | 'awarded' | 'too_few_bids' | 'too_few_valid' | 'cancelled';

interface Plan {
  stage: Stage;
  title: string;
  kind: CategoryKind;
  /** What is bought: bidders are suppliers registered for it, the committee experts in it. */
  categoryCode: string;
  budgetYuan: number;
  deadlineFromNow: number; // ms; negative = in the past
  prices: number[]; // yuan, one per bidder (bidder 0 is the demo supplier when demoBidder)
  demoBidder: boolean;
}

// The demo `supplier` (a full-line IT firm) bids where it sells: IT services and tablets. The
// committees that reach evaluation judge the demo `expert`'s fields: works (decided on the lowest
// price) and building upkeep services (scored on technical and business criteria).
const PLANS: Plan[] = [
  { stage: 'draft', title: '中小学教室空调机采购', kind: 'goods', categoryCode: 'A02061800', budgetYuan: 1_800_000, deadlineFromNow: 25 * DAY, prices: [], demoBidder: false },
  { stage: 'published', title: '教育局信息系统运维服务（2027年度）', kind: 'services', categoryCode: 'C1605', budgetYuan: 2_600_000, deadlineFromNow: 14 * DAY, prices: [2_380_000, 2_450_000, 2_290_000], demoBidder: true },
  { stage: 'opening', title: '中小学教室平板电脑采购', kind: 'goods', categoryCode: 'A02010108', budgetYuan: 3_200_000, deadlineFromNow: -10 * MIN, prices: [2_960_000, 3_050_000, 2_880_000, 3_120_000], demoBidder: true },
  { stage: 'evaluation', title: '教育局机关物业管理服务', kind: 'services', categoryCode: 'C2101', budgetYuan: 2_100_000, deadlineFromNow: -3 * DAY, prices: [1_980_000, 2_040_000, 1_420_000, 1_950_000], demoBidder: false },
  { stage: 'report_confirmation', title: '教师培训中心保洁服务', kind: 'services', categoryCode: 'C1204', budgetYuan: 2_400_000, deadlineFromNow: -6 * DAY, prices: [2_300_000, 2_180_000, 2_260_000], demoBidder: false },
  { stage: 'evaluated', title: '中小学校舍水电安装工程', kind: 'works', categoryCode: 'B06', budgetYuan: 3_600_000, deadlineFromNow: -9 * DAY, prices: [3_480_000, 3_390_000, 3_520_000, 3_450_000], demoBidder: false },
  { stage: 'awarded', title: '全市中小学运动场改造工程', kind: 'works', categoryCode: 'B02', budgetYuan: 4_800_000, deadlineFromNow: -30 * DAY, prices: [4_560_000, 4_390_000, 4_620_000, 4_480_000], demoBidder: false },
  { stage: 'too_few_bids', title: '教育局机关保洁服务', kind: 'services', categoryCode: 'C1204', budgetYuan: 2_200_000, deadlineFromNow: -12 * DAY, prices: [2_100_000, 2_050_000], demoBidder: false },
  { stage: 'too_few_valid', title: '体育场馆维修改造工程', kind: 'works', categoryCode: 'B08', budgetYuan: 4_500_000, deadlineFromNow: -15 * DAY, prices: [4_300_000, 4_210_000, 4_380_000], demoBidder: false },
  { stage: 'cancelled', title: '校园网络交换机采购', kind: 'goods', categoryCode: 'A02010302', budgetYuan: 2_700_000, deadlineFromNow: 10 * DAY, prices: [], demoBidder: false },
];

/**
 * A passphrase key as the browser derives it (PBKDF2-SHA256 over the NFC passphrase), computed
 * with node's native PBKDF2: the same key, without seconds of pure-JS hashing per demo bid.
 */
export function passphraseKey(passphrase: string): { keyHex: string; kdf: KdfSpec } {
  const kdf = newPassphraseKdf() as Extract<KdfSpec, { type: 'pbkdf2-sha256' }>;
  const keyHex = pbkdf2Sync(Buffer.from(passphrase.normalize('NFC'), 'utf8'), Buffer.from(kdf.salt, 'hex'), kdf.iterations, 32, 'sha256').toString('hex');
  return { keyHex, kdf };
}

export async function seedTenders(base: TenderingDeps): Promise<void> {
  const realNow = base.clock.now().getTime();
  const clock = new WalkingClock(realNow);
  const deps: TenderingDeps = { ...base, clock };
  const { demoSupplier, demoExpert, operator, purchaser, org, unitName } = await withTx(deps.db, async (tx) => {
    const op = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'operator').orderBy('u.id').first('u.id');
    const pu = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'purchaser').orderBy('u.id').first('u.id', 'u.org_id');
    const unit = pu?.org_id ? await tx('organisations').where({ id: pu.org_id }).first('name_zh') : null;
    return { demoSupplier: (await ensureSupplierUsers(tx, clock, 1))[0], demoExpert: (await ensureExpertUsers(tx, clock, 1))[0], operator: Number(op.id), purchaser: Number(pu?.id ?? op.id), org: pu?.org_id ?? null, unitName: unit?.name_zh ?? null };
  });
  // Bidders: approved suppliers registered for the plan's category, not barred (the demo supplier first where it bids).
  const biddersFor = async (plan: Plan) => {
    const barred = deps.db('supplier_blacklist').whereNull('lifted_at').where('ends_at', '>', toDbTime(clock.now())).select('supplier_id');
    const ids = (await deps.db('supplier_categories as sc').join('suppliers as s', 's.id', 'sc.supplier_id').where({ 'sc.category_code': plan.categoryCode, 's.status': 'approved' }).whereNotIn('s.id', barred).whereNot('s.id', demoSupplier.supplierId).orderBy('s.id').pluck('s.id')).map(Number);
    const chosen = [...(plan.demoBidder ? [demoSupplier.supplierId] : []), ...ids].slice(0, plan.prices.length);
    if (chosen.length < plan.prices.length) throw new Error(`too few suppliers registered for ${plan.categoryCode}`);
    const out: Array<{ userId: number; supplierId: number; username: string }> = [];
    for (const supplierId of chosen) {
      const userId = supplierId === demoSupplier.supplierId ? demoSupplier.userId : await withTx(deps.db, (tx) => ensureSupplierUser(tx, clock, supplierId));
      out.push({ userId, supplierId, username: supplierId === demoSupplier.supplierId ? 'supplier' : `supplier${supplierId}` });
    }
    return out;
  };
  // The committee: the demo expert and experts in the plan's category, none working for a bidder or the unit.
  const committeeFor = async (plan: Plan, bidders: number[]) => {
    const others = (
      await deps.db('experts as e')
        .join('expert_specialties as s', 's.expert_id', 'e.id')
        .where({ 's.category_code': plan.categoryCode, 'e.status': 'active' })
        .whereNot('e.id', demoExpert.expertId)
        .where((q) => q.whereNull('e.employer_org_id').orWhereNot('e.employer_org_id', org ?? 0))
        .where((q) => q.whereNull('e.employer_supplier_id').orWhereNotIn('e.employer_supplier_id', bidders))
        .whereNotIn('e.id', deps.db('expert_conflicts').whereNull('withdrawn_at').whereIn('supplier_id', bidders).select('expert_id'))
        .orderBy('e.id')
        .limit(4)
        .pluck('e.id')
    ).map(Number);
    if (others.length < 4) throw new Error(`too few experts in ${plan.categoryCode} for a committee`);
    const out = [demoExpert];
    for (const expertId of others) out.push({ expertId, userId: await withTx(deps.db, (tx) => ensureExpertUser(tx, clock, expertId)), username: `expert${expertId}` });
    return out;
  };
  const as = (userId: number, role: string, ip: string | null = null): Actor => ({ userId, role, requestId: null, ip, clock });
  const op = as(operator, 'operator', '10.20.1.15');

  for (const [n, plan] of PLANS.entries()) {
    const deadline = realNow + plan.deadlineFromNow;
    const publishedAt = deadline - 21 * DAY;
    clock.t = publishedAt - DAY;
    const tpl = TEMPLATES[plan.kind];
    const tender = await documents.createTender(deps, op, {
      title: plan.title,
      kind: plan.kind,
      categoryCode: plan.categoryCode,
      purchasingOrgId: org,
      projectId: null,
      budgetFen: plan.budgetYuan * 100,
      method: tpl.method,
      priceWeight: tpl.priceWeight,
      smeDeductionPct: tpl.smeDeductionPct,
      decryptionMinutes: plan.stage === 'opening' ? 240 : 30,
      description: `${plan.title}。${unitName ? `采购人：${unitName}。` : ''}资金来源：财政预算资金。`,
      requirements: tpl.requirements,
      qualifications: tpl.qualifications,
      criteria: tpl.criteria,
      bidDeadline: new Date(deadline).toISOString(),
      openingAt: new Date(deadline).toISOString(),
    });
    if (plan.stage === 'draft') continue;
    clock.t = publishedAt;
    await documents.publishTender(deps, op, tender.id);
    clock.t = publishedAt + 3 * DAY;
    await documents.publishNotice(deps, op, tender.id, { kind: 'clarification', title: '关于供应商提问的澄清', body: '投标报价应包含运输、安装、调试及培训等全部费用。', substantive: false });
    if (plan.stage === 'cancelled') {
      clock.t = publishedAt + 4 * DAY;
      await documents.cancelTender(deps, op, tender.id, '采购需求发生重大变化，经批准终止本次采购');
      continue;
    }
    // Bids, sealed as the browser seals them.
    const keys: string[] = [];
    const bidders = await biddersFor(plan);
    for (const [i, price] of plan.prices.entries()) {
      const b = bidders[i];
      clock.t = publishedAt + (5 + i * 2) * DAY + i * 37 * MIN;
      const responses = Object.fromEntries(tpl.requirements.map((r) => [r.key, `完全响应：${r.text.split(' (')[0]}，详见投标文件第${i + 2}章。`]));
      const attachments: BidAttachment[] = [{ name: '报价明细表.csv', type: 'text/csv', dataBase64: Buffer.from(`item,yuan\n${plan.title},${price}\n`).toString('base64') }];
      const plain = { tenderId: tender.id, supplierId: b.supplierId, priceFen: price * 100, responses, attachments };
      // The demo account's bids that it will open itself are sealed with the demo passphrase.
      const demo = b.username === 'supplier' && (plan.stage === 'published' || plan.stage === 'opening');
      const sealed = demo ? sealBid(plain, passphraseKey(DEMO_PASSWORD)) : sealBid(plain, { keyHex: randomHex(32) });
      keys.push(sealed.keyHex);
      await bids.submitBid(deps, as(b.userId, 'supplier', `192.0.2.${20 + n * 8 + i}`), b.supplierId, tender.id, { envelope: sealed.envelope, digest: sealed.digest });
    }
    if (plan.stage === 'published') continue;
    clock.t = deadline;
    await opening.startOpening(deps, tender.id);
    if (plan.stage === 'too_few_bids') continue;
    for (const [i, b] of bidders.entries()) {
      if (plan.stage === 'opening' && b.username === 'supplier') continue; // the demo supplier decrypts its own
      clock.t = deadline + (3 + i * 2) * MIN;
      if (plan.stage === 'too_few_valid' && i === 2) {
        // One bidder brings the wrong key file twice (each refused and audited) and never the right one.
        for (const k of [randomHex(32), randomHex(32)]) await opening.submitKey(deps, as(b.userId, 'supplier', `192.0.2.${20 + n * 8 + i}`), b.supplierId, tender.id, k).catch((e: Error & { code?: string }) => {
          if (e.code !== 'WRONG_KEY') throw e;
        });
        continue;
      }
      await opening.submitKey(deps, as(b.userId, 'supplier', `192.0.2.${20 + n * 8 + i}`), b.supplierId, tender.id, keys[i]);
    }
    if (plan.stage === 'too_few_valid') {
      // The window closes without that key: its bid is invalid, and 2 valid bids fail the tender.
      clock.t = deadline + 30 * MIN;
      await opening.closeOpening(deps, tender.id);
    }
    if (plan.stage === 'opening' || plan.stage === 'too_few_valid') continue;
    clock.t = deadline + 2 * 3600_000;
    const experts = await committeeFor(plan, bidders.map((b) => b.supplierId));
    await withTx(deps.db, (tx) => linkCommittee(deps, tx, op, tender.id, experts.map((e, i) => ({ expertId: e.expertId, chair: i === 1 })), { source: 'direct', sourceRef: `demo-${tender.reference}` }));
    await scoreAll(deps, as, tender.id, experts, plan.stage === 'evaluation' ? experts.filter((e) => e.username !== 'expert') : experts, deadline, plan.stage === 'evaluation', plan.stage === 'report_confirmation');
    if (plan.stage === 'evaluation') continue;
    const report = (await evaluation.evaluationView(deps, tender.id, null)).report!;
    for (const [i, e] of experts.entries()) {
      if (plan.stage === 'report_confirmation' && e.username === 'expert') continue;
      clock.t = deadline + 6 * 3600_000 + i * 5 * MIN;
      await evaluation.confirmReport(deps, as(e.userId, 'expert'), e.expertId, tender.id, report.sha256!);
    }
    if (plan.stage !== 'awarded') continue;
    clock.t = deadline + 3 * DAY;
    await awardTender(deps, as(purchaser, 'purchaser', '10.20.3.8'), tender.id, {});
  }
}

/** Each member opens every bid and scores it; the demo expert is left to do so in one tender. */
async function scoreAll(deps: TenderingDeps, as: (u: number, r: string) => Actor, tenderId: number, committee: Array<{ userId: number; expertId: number }>, scorers: Array<{ userId: number; expertId: number; username: string }>, deadline: number, leaveAbnormalOpen: boolean, careless = false) {
  const clock = deps.clock as WalkingClock;
  const view = await evaluation.evaluationView(deps, tenderId, null);
  const techCriteria = view.criteria.filter((c) => c.kind !== 'price');
  const compliance = Object.fromEntries(view.qualifications.map((q) => [q.key, true]));
  // A careless committee (for the supervisors' evaluation rules SV12–SV15): it finishes in minutes,
  // one member scores a bid unopened, one scores a bid far from the others, and the chair returns
  // a member's submitted scores, which that member then changes.
  const step = careless ? { member: 2 * MIN, bid: 30_000 } : { member: 20 * MIN, bid: 4 * MIN };
  for (const [e, member] of scorers.entries()) {
    const actor = as(member.userId, 'expert');
    for (const [i, bid] of view.bids.entries()) {
      clock.t = deadline + 3 * 3600_000 + e * step.member + i * step.bid;
      if (!(careless && e === 2 && i === 0)) await evaluation.viewBid(deps, actor, member.expertId, tenderId, bid.bidId);
      const scores = Object.fromEntries(techCriteria.map((c, k) => [c.key, Math.round(c.weight * (careless && e === 3 && i === 1 && k === 0 ? 0.1 : 0.62 + 0.08 * ((e + i + k) % 5)) * 10) / 10]));
      await evaluation.saveScores(deps, actor, member.expertId, tenderId, bid.bidId, { compliance, scores });
    }
    await evaluation.submitScores(deps, actor, member.expertId, tenderId);
    if (careless && e === 0 && scorers.length > 2) {
      const chair = committee[1];
      clock.t += 20_000;
      await evaluation.returnScores(deps, as(chair.userId, 'expert'), chair.expertId, tenderId, member.expertId, '第一项技术分填写有误，请核对后重新提交');
      clock.t += 10_000;
      const bid = view.bids[0];
      await evaluation.viewBid(deps, actor, member.expertId, tenderId, bid.bidId);
      const scores = Object.fromEntries(techCriteria.map((c, k) => [c.key, Math.round(c.weight * (k === 0 ? 0.9 : 0.62 + 0.08 * ((e + k) % 5)) * 10) / 10]));
      await evaluation.saveScores(deps, actor, member.expertId, tenderId, bid.bidId, { compliance, scores });
      clock.t += 10_000;
      await evaluation.submitScores(deps, actor, member.expertId, tenderId);
    }
  }
  // An abnormally low price: the committee asks, the bidder explains; in the evaluation-stage
  // demo the decision is left to the committee, elsewhere the explanation is accepted.
  for (const bid of view.bids.filter((b) => b.abnormalStatus === 'flagged')) {
    clock.t += 30 * MIN;
    await evaluation.requestExplanation(deps, as(committee[1].userId, 'expert'), committee[1].expertId, tenderId, bid.bidId, '贵公司报价明显低于其他投标人平均报价，请书面说明报价合理性并提供证明材料。');
    const supplierUser = await deps.db('users').where({ supplier_id: bid.supplierId }).first('id');
    clock.t += 60 * MIN;
    await evaluation.submitExplanation(deps, as(Number(supplierUser.id), 'supplier'), bid.supplierId, tenderId, '我公司自有施工队伍和机械设备，主要材料集中采购，无分包环节；附成本构成说明。');
    if (leaveAbnormalOpen) continue;
    clock.t += 30 * MIN;
    await evaluation.decideAbnormal(deps, as(committee[1].userId, 'expert'), committee[1].expertId, tenderId, bid.bidId, true, '说明及证明材料充分，报价合理');
  }
}
