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
import { ensureExpertUsers, ensureSupplierUsers, DEMO_PASSWORD } from './demo-users';
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
  budgetYuan: number;
  deadlineFromNow: number; // ms; negative = in the past
  prices: number[]; // yuan, one per bidder (bidder 0 is the demo supplier when demoBidder)
  demoBidder: boolean;
}

const PLANS: Plan[] = [
  { stage: 'draft', title: '市第一中学物理实验室设备采购', kind: 'goods', budgetYuan: 1_800_000, deadlineFromNow: 25 * DAY, prices: [], demoBidder: false },
  { stage: 'published', title: '教育局信息系统运维服务（2027年度）', kind: 'services', budgetYuan: 2_600_000, deadlineFromNow: 14 * DAY, prices: [2_380_000, 2_450_000, 2_290_000], demoBidder: true },
  { stage: 'opening', title: '中小学教室多媒体交互设备采购', kind: 'goods', budgetYuan: 3_200_000, deadlineFromNow: -10 * MIN, prices: [2_960_000, 3_050_000, 2_880_000, 3_120_000], demoBidder: true },
  { stage: 'evaluation', title: '教育局机关办公家具采购', kind: 'goods', budgetYuan: 2_100_000, deadlineFromNow: -3 * DAY, prices: [1_980_000, 2_040_000, 1_420_000, 1_950_000], demoBidder: false },
  { stage: 'report_confirmation', title: '教师培训中心物业管理服务', kind: 'services', budgetYuan: 2_400_000, deadlineFromNow: -6 * DAY, prices: [2_300_000, 2_180_000, 2_260_000], demoBidder: false },
  { stage: 'evaluated', title: '学生营养餐配送服务', kind: 'services', budgetYuan: 3_600_000, deadlineFromNow: -9 * DAY, prices: [3_480_000, 3_390_000, 3_520_000, 3_450_000], demoBidder: true },
  { stage: 'awarded', title: '全市中小学计算机教室设备更新', kind: 'goods', budgetYuan: 4_800_000, deadlineFromNow: -30 * DAY, prices: [4_560_000, 4_390_000, 4_620_000, 4_480_000], demoBidder: true },
  { stage: 'too_few_bids', title: '教育局档案数字化加工服务', kind: 'services', budgetYuan: 2_200_000, deadlineFromNow: -12 * DAY, prices: [2_100_000, 2_050_000], demoBidder: false },
  { stage: 'too_few_valid', title: '体育场馆维修改造工程', kind: 'works', budgetYuan: 4_500_000, deadlineFromNow: -15 * DAY, prices: [4_300_000, 4_210_000, 4_380_000], demoBidder: false },
  { stage: 'cancelled', title: '校园安防监控系统采购', kind: 'goods', budgetYuan: 2_700_000, deadlineFromNow: 10 * DAY, prices: [], demoBidder: false },
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
  const { suppliers, experts, operator, purchaser, org, categories } = await withTx(deps.db, async (tx) => {
    const op = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'operator').orderBy('u.id').first('u.id');
    const pu = await tx('users as u').join('user_roles as r', 'r.user_id', 'u.id').where('r.role', 'purchaser').orderBy('u.id').first('u.id', 'u.org_id');
    const cats: Record<string, string> = {};
    for (const kind of ['goods', 'services', 'works']) cats[kind] = (await tx('catalogue_categories').where({ kind }).orderByRaw('length(code) desc').orderBy('code').first('code')).code;
    return { suppliers: await ensureSupplierUsers(tx, clock, 5), experts: await ensureExpertUsers(tx, clock, 5), operator: Number(op.id), purchaser: Number(pu?.id ?? op.id), org: pu?.org_id ?? null, categories: cats };
  });
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
      categoryCode: categories[plan.kind],
      purchasingOrgId: org,
      projectId: null,
      budgetFen: plan.budgetYuan * 100,
      method: tpl.method,
      priceWeight: tpl.priceWeight,
      smeDeductionPct: tpl.smeDeductionPct,
      decryptionMinutes: plan.stage === 'opening' ? 240 : 30,
      description: `${plan.title}。采购人：市教育局。资金来源：财政预算资金。`,
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
    const bidders = plan.demoBidder ? suppliers.slice(0, plan.prices.length) : suppliers.slice(1, 1 + plan.prices.length);
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
    await evaluation.submitExplanation(deps, as(Number(supplierUser.id), 'supplier'), bid.supplierId, tenderId, '我公司为该产品生产厂家，无中间环节，且库存充足；附成本构成说明。');
    if (leaveAbnormalOpen) continue;
    clock.t += 30 * MIN;
    await evaluation.decideAbnormal(deps, as(committee[1].userId, 'expert'), committee[1].expertId, tenderId, bid.bidId, true, '说明及证明材料充分，报价合理');
  }
}
