// The award: the purchaser's side confirms a recommended candidate (the first, unless a reason
// is given), the award notice goes to the portal, the challenge period starts, and the award
// flows into the contract stage of the workflow.
import { withTx } from '../../../db/tx';
import { toDbTime } from '../../../db/time';
import { record } from '../../../supervision/audit/audit';
import type { Actor } from '../../../http/actor';
import { NotFoundError, RuleError } from '../../../http/errors';
import { bidsWithSupplier, findTender, lockTender, tenderFromRow } from '../repository';
import { transition } from '../state-machine';
import { challengePeriodEnd, TENDER_RULES } from '../rules';
import { handAwardToWorkflow } from './workflow-link';
import { loadLegal } from '../legal';
import { announce } from '../documents/service';
import { toPortal } from '../documents/portal';
import type { TenderingDeps } from '../deps';
import { noticeTime } from '../../../core/notices/notice-time';
import { yuanText } from '../documents/file';

export async function awardTender(deps: TenderingDeps, actor: Actor, tenderId: number, input: { bidId?: number; reason?: string }) {
  return withTx(deps.db, async (tx) => {
    const row = await lockTender(tx, tenderId);
    const status = transition(row.status, 'award');
    const bids = await bidsWithSupplier(tx, tenderId);
    const ranked = bids.filter((b) => b.status === 'decrypted' && b.bid_rank !== null).sort((a, b) => a.bid_rank! - b.bid_rank!);
    const chosen = input.bidId ? ranked.find((b) => b.id === input.bidId) : ranked[0];
    if (!chosen) throw new NotFoundError('No such ranked bid', null, 'BID_NOT_FOUND');
    if (!chosen.recommended) throw new RuleError('NOT_RECOMMENDED', 'Only a candidate the committee recommended can be awarded', { source: TENDER_RULES.recommendedCandidates.source });
    if (chosen.bid_rank !== 1 && !input.reason) throw new RuleError('REASON_REQUIRED', 'Awarding a candidate other than the first needs a stated reason (e.g. the first declined)');
    const now = deps.clock.now();
    const legal = await loadLegal(tx);
    const challengeEnds = challengePeriodEnd(now, legal);
    const amountFen = Number(chosen.price_fen);
    await tx('tenders').where({ id: tenderId }).update({ status, awarded_bid_id: chosen.id, award_amount_fen: amountFen, awarded_at: toDbTime(now), challenge_ends_at: toDbTime(challengeEnds), updated_at: toDbTime(now) });
    // A consultation's result is a 成交 (deal) announced by the consultation team, not a 中标 (tender award).
    const w = row.procedure === 'competitive_consultation'
      ? { zhNotice: '竞争性磋商成交结果公告', enNotice: 'Consultation result', zhWinner: '成交供应商', zhAmount: '成交金额', zhRanking: '评审排名', zhPrice: '最后报价', zhCommittee: '磋商小组成员', enCommittee: 'Consultation team' }
      : { zhNotice: '中标结果公告', enNotice: 'Award notice', zhWinner: '中标供应商', zhAmount: '中标金额', zhRanking: '评标排名', zhPrice: '投标报价', zhCommittee: '评标委员会成员', enCommittee: 'Evaluation committee' };
    const committee = await tx('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').where('c.tender_id', tenderId).orderBy('c.expert_id').select('e.name');
    // The notice names the winner, the amount, the ranking and (now that the result is public) the committee.
    const notice = {
      reference: row.reference,
      title: row.title,
      supplierId: chosen.supplier_id,
      supplierName: chosen.supplier_name,
      amountFen,
      awardedAt: now.toISOString(),
      challengePeriod: { startDate: now.toISOString(), endDate: challengeEnds.toISOString(), source: legal.challengePeriodWorkingDays.source },
      ranking: ranked.map((b) => ({ rank: b.bid_rank, supplierName: b.supplier_name, priceFen: Number(b.price_fen), totalScore: b.total_score_milli === null ? null : b.total_score_milli / 1000 })),
      committee: committee.map((c: { name: string }) => c.name),
      reason: input.reason ?? null,
    };
    await tx('tender_notices').insert({ tender_id: tenderId, kind: 'award', substantive: false, title: row.title, body: JSON.stringify(notice), published_at: toDbTime(now), created_by: actor.userId });
    await record(tx, actor, {
      action: 'tender.awarded',
      entityType: 'tender',
      entityId: tenderId,
      before: { status: row.status },
      after: { status, projectId: row.project_id, bidId: chosen.id, supplierId: chosen.supplier_id, amountFen, rank: chosen.bid_rank, reason: input.reason ?? null, challengeEndsAt: challengeEnds.toISOString() },
    });
    await record(tx, actor, { action: 'award.announced', entityType: 'tender', entityId: tenderId, after: { tenderId, awardId: `${row.reference}-A1`, bidId: chosen.id, supplierId: chosen.supplier_id, amountFen, noticeAt: now.toISOString(), challengeEndsAt: challengeEnds.toISOString() } });
    await toPortal(tx, actor, row, {
      kind: 'award',
      sourceType: 'tender',
      sourceId: tenderId,
      amountFen,
      titleZh: `${row.title}（${row.reference}）${w.zhNotice}`,
      titleEn: `${w.enNotice} ${row.reference}: ${row.title}`,
      bodyZh: [
        `项目编号：${row.reference}`,
        `项目名称：${row.title}`,
        `${w.zhWinner}：${chosen.supplier_name}`,
        `${w.zhAmount}：${yuanText(amountFen)} 元`,
        `${w.zhRanking}：${notice.ranking.map((r) => `第${r.rank}名 ${r.supplierName}（${w.zhPrice} ${yuanText(r.priceFen)} 元${r.totalScore === null || row.method !== 'comprehensive' ? '' : `，综合得分 ${r.totalScore.toFixed(3)}`}）`).join('；')}`,
        `${w.zhCommittee}：${notice.committee.join('、')}`,
        `公告期限：自本公告发布之日起${legal.awardNoticeWorkingDays.value}个工作日`,
        `质疑截止时间：${noticeTime(challengeEnds, 'zh', { seconds: true })}（公告期满后第${legal.challengePeriodWorkingDays.value}个工作日结束）。供应商认为中标结果使自己的权益受到损害的，可在此前以书面形式向采购人提出质疑。`,
        ...(input.reason ? [`确定非排名第一的中标候选人的理由：${input.reason}`] : []),
      ].join('\n'),
      bodyEn: [
        `Reference: ${row.reference}`,
        `Title: ${row.title}`,
        `Awarded to: ${chosen.supplier_name}`,
        `Award amount: CNY ${yuanText(amountFen)}`,
        `Ranking: ${notice.ranking.map((r) => `${r.rank}. ${r.supplierName} (bid CNY ${yuanText(r.priceFen)}${r.totalScore === null || row.method !== 'comprehensive' ? '' : `, total score ${r.totalScore.toFixed(3)}`})`).join('; ')}`,
        `${w.enCommittee}: ${notice.committee.join(', ')}`,
        `Announcement period: ${legal.awardNoticeWorkingDays.value} working day(s) from publication`,
        `Challenges close: ${noticeTime(challengeEnds, 'en', { seconds: true })} (the end of the ${legal.challengePeriodWorkingDays.value}th working day after the announcement period). A supplier whose rights are harmed by the award may challenge it in writing to the purchaser until then.`,
        ...(input.reason ? [`Reason for awarding a candidate other than the first: ${input.reason}`] : []),
      ].join('\n'),
    });
    await handAwardToWorkflow(tx, actor, { tenderId, reference: row.reference, projectId: row.project_id, supplierId: chosen.supplier_id, amountFen, validBids: ranked.length, minimumValid: row.min_valid_bids ?? undefined });
    announce(deps, tx, tenderId, status);
    const winners = await tx('users').where({ supplier_id: chosen.supplier_id }).select('id');
    tx.afterCommit(() => winners.forEach((u: { id: number }) => deps.realtime.publish(`user:${u.id}`, { type: 'tender.awarded_to_you', tenderId, reference: row.reference, amountFen })));
    return tenderFromRow(await findTender(tx, tenderId));
  });
}
