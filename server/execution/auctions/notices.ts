// Portal notices for competitions: the announcement, the failure and the result, published in
// the transaction of the step that makes them due (through the portal's notices service).
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { publishNotice } from '../../core/notices/service';
import { noticeTime } from '../../core/notices/notice-time';
import type { Auction } from './repository';
import { noticeTitleZh } from '../../core/notices/title';

const METHOD = 'online_price_competition';
const yuan = (fen: number) => `${Math.floor(fen / 100).toLocaleString('en-US')}.${String(fen % 100).padStart(2, '0')}`;
const MODE_ZH = { best_price: '公开当前最低价', ladder: '公开匿名报价排名', rank_only: '仅告知本方排名' } as const;
const MODE_EN = { best_price: 'best price shown', ladder: 'anonymised price ladder shown', rank_only: 'own rank only' } as const;

function decrement(a: Auction, zh: boolean): string {
  if (a.decrementKind === 'absolute') return zh ? `${yuan(a.decrementValue)} 元` : `CNY ${yuan(a.decrementValue)}`;
  return `${(a.decrementValue / 100).toFixed(2)}%`;
}

export function announceNotice(tx: Tx, actor: Actor, a: Auction): Promise<number> {
  return publishNotice(tx, actor, {
    kind: 'competition',
    titleZh: noticeTitleZh(a.title, `网上竞价公告（${a.code}）`),
    titleEn: `Online price competition: ${a.title} (${a.code})`,
    bodyZh: `标的：${a.lotDescription}；数量：${a.quantity}${a.unit}；品目：${a.categoryCode}；最高限价：${yuan(a.ceilingFen)} 元；最小降价幅度：${decrement(a, true)}；开始时间：${noticeTime(a.startsAt, 'zh')}；竞价时长：${Math.round(a.durationSec / 60)} 分钟；延时窗口：${a.extensionSec} 秒；信息公开方式：${MODE_ZH[a.visibility]}；至少 ${a.minSuppliers} 家供应商、${a.minBrands} 个品牌参加方可开始。符合条件的供应商请在开始前报名并填报品牌型号。`,
    bodyEn: `Lot: ${a.lotDescription}; quantity ${a.quantity} ${a.unit}; category ${a.categoryCode}; ceiling CNY ${yuan(a.ceilingFen)}; minimum decrement ${decrement(a, false)}; starts ${noticeTime(a.startsAt, 'en')}; duration ${Math.round(a.durationSec / 60)} minutes; extension window ${a.extensionSec} s; ${MODE_EN[a.visibility]}; opens only with at least ${a.minSuppliers} suppliers and ${a.minBrands} brands. Eligible suppliers join before the start, naming the brand and model offered.`,
    orgId: a.orgId,
    categoryCode: a.categoryCode,
    method: METHOD,
    amountFen: a.ceilingFen,
    projectRef: a.code,
    sourceType: 'auction',
    sourceId: a.id,
  });
}

export function failureNotice(tx: Tx, actor: Actor, a: Auction, reasonZh: string, reasonEn: string): Promise<number> {
  return publishNotice(tx, actor, {
    kind: 'failure',
    titleZh: noticeTitleZh(a.title, `网上竞价失败公告（${a.code}）`),
    titleEn: `Online price competition failed: ${a.title} (${a.code})`,
    bodyZh: `本次网上竞价未能成交。原因：${reasonZh}`,
    bodyEn: `The competition ended without an award. Reason: ${reasonEn}`,
    orgId: a.orgId,
    categoryCode: a.categoryCode,
    method: METHOD,
    amountFen: a.ceilingFen,
    projectRef: a.code,
    sourceType: 'auction',
    sourceId: a.id,
  });
}

/** One line of the announced ladder: a supplier's final price under its label, and when it was bid. */
export interface LadderLine {
  rank: number;
  label: string;
  amountFen: number;
  at: Date;
}

export function resultNotice(tx: Tx, actor: Actor, a: Auction, winner: { name: string; brand: string; model: string }, priceFen: number, savingsFen: number, bids: number, ladder: LadderLine[]): Promise<number> {
  // The anonymised ladder is announced with the result; every bid with its time is at
  // GET /api/portal/auctions/:id/result.
  const ladderZh = ladder.map((l) => `${l.rank}. 供应商${l.label} ${yuan(l.amountFen)} 元（${noticeTime(l.at, 'zh', { seconds: true, zone: false })}）`).join('；');
  const ladderEn = ladder.map((l) => `${l.rank}. Supplier ${l.label} CNY ${yuan(l.amountFen)} (${noticeTime(l.at, 'en', { seconds: true, zone: false })})`).join('; ');
  return publishNotice(tx, actor, {
    kind: 'award',
    titleZh: noticeTitleZh(a.title, `网上竞价成交公告（${a.code}）`),
    titleEn: `Online price competition result: ${a.title} (${a.code})`,
    bodyZh: `成交供应商：${winner.name}；品牌型号：${winner.brand} ${winner.model}；成交价：${yuan(priceFen)} 元；最高限价：${yuan(a.ceilingFen)} 元；节约资金：${yuan(savingsFen)} 元；有效报价 ${bids} 次。\n最终报价排名（匿名，北京时间）：${ladderZh}。\n全部报价及时间：/api/portal/auctions/${a.id}/result`,
    bodyEn: `Winner: ${winner.name}; brand and model ${winner.brand} ${winner.model}; price CNY ${yuan(priceFen)}; ceiling CNY ${yuan(a.ceilingFen)}; savings CNY ${yuan(savingsFen)}; ${bids} valid bids.\nFinal ladder (anonymised, Beijing time): ${ladderEn}.\nEvery bid with its time: /api/portal/auctions/${a.id}/result`,
    orgId: a.orgId,
    categoryCode: a.categoryCode,
    method: METHOD,
    amountFen: priceFen,
    projectRef: a.code,
    sourceType: 'auction',
    sourceId: a.id,
  });
}
