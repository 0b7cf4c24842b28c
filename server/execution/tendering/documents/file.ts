// The tender documents as one file the portal's notice carries (招标文件): what a bidder
// downloads — requirements, qualification conditions, evaluation method and criteria, budget,
// dates in China Standard Time, and the clarifications and amendments so far. HTML in Chinese
// with English headings; every stored text is escaped, and the portal serves it as a download.
import type { Knex } from 'knex';
import { fromDbTime } from '../../../db/time';
import type { FileAttachment } from '../../../core/notices/service';
import { tenderFromRow, type TenderRow } from '../repository';
import { ruleValue } from '../rules';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
/** Text with its line breaks kept. */
const para = (s: string) => esc(s).replace(/\r?\n/g, '<br>');

/** Integer fen as yuan with thousands separators, exact (no float arithmetic on the amount). */
export function yuanText(fen: number): string {
  const y = Math.floor(fen / 100);
  return `${String(y).replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${String(fen % 100).padStart(2, '0')}`;
}

const CST_MS = 8 * 3600_000;
/** A time as bidders in China read it: China Standard Time (UTC+8, no daylight saving). */
export const chinaTime = (d: Date) => `${new Date(d.getTime() + CST_MS).toISOString().slice(0, 16).replace('T', ' ')}（北京时间 UTC+8）`;

const KIND = { goods: '货物 Goods', services: '服务 Services', works: '工程 Works' } as const;
const CRITERION_KIND = { price: '价格 Price', technical: '技术 Technical', commercial: '商务 Commercial' } as const;

export interface DocumentContext {
  /** When this version is issued (the notice's publication). */
  issuedAt: Date;
  /** Fewer valid bids than this fails the tender (the body's rule book). */
  minValidBids: number;
}

export const documentFileName = (reference: string, revision: number) => `招标文件-${reference}${revision ? `-修订${revision}` : ''}.html`;

/**
 * Renders the documents as they stand in `row` (dates as amended) with the clarifications and
 * amendments issued so far: version 0 at publication, version n with the n-th of them.
 */
export async function tenderDocumentFile(db: Knex, row: TenderRow, ctx: DocumentContext): Promise<FileAttachment> {
  const t = tenderFromRow(row);
  const [cat, org, changes] = await Promise.all([
    db('catalogue_categories').where({ code: row.category_code }).first('name_zh', 'name_en'),
    row.purchasing_org_id === null ? null : db('organisations').where({ id: row.purchasing_org_id }).first('name_zh', 'name_en'),
    db('tender_notices').where({ tender_id: row.id }).whereIn('kind', ['clarification', 'amendment']).orderBy('id').select('kind', 'title', 'body', 'substantive', 'published_at', 'deadline_after'),
  ]);
  const revision = changes.length;
  const deadline = fromDbTime(row.bid_deadline)!;
  const opening = fromDbTime(row.opening_at)!;
  const comprehensive = t.method === 'comprehensive';
  const line = (zh: string, value: string) => `<tr><th>${zh}</th><td>${value}</td></tr>`;
  const list = (xs: Array<{ key: string; text: string }>) => (xs.length ? `<ol>${xs.map((x) => `<li>${para(x.text)}</li>`).join('')}</ol>` : '<p>无 None</p>');
  const html = `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(t.title)} 招标文件（${esc(t.reference)}）</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.6}table{border-collapse:collapse}th,td{border:1px solid #999;padding:.3em .6em;text-align:left;vertical-align:top}</style>
</head>
<body>
<h1>${esc(t.title)} 招标文件</h1>
<p lang="en">Tender documents ${esc(t.reference)}: ${esc(t.title)}</p>
<p>项目编号 Reference：${esc(t.reference)}${revision ? `　第 ${revision} 次澄清或更正后的版本 (as amended, version ${revision})` : ''}<br>发布时间 Issued：${chinaTime(ctx.issuedAt)}</p>

<h2>一、项目概况 Overview</h2>
<table>
${line('项目名称 Title', esc(t.title))}
${line('采购方式 Procurement method', '公开招标 Public tender')}
${line('采购类别 Category', `${KIND[t.kind]}；品目 ${esc(t.categoryCode)}${cat ? ` ${esc(cat.name_zh)} ${esc(cat.name_en)}` : ''}`)}
${line('采购人 Purchasing unit', org ? `${esc(org.name_zh)} ${esc(org.name_en)}` : '—')}
${line('预算金额 Budget', `人民币 ${yuanText(t.budgetFen)} 元 (CNY ${yuanText(t.budgetFen)})`)}
</table>

<h2>二、时间安排 Dates</h2>
<table>
${line('投标截止时间 Bid deadline', chinaTime(deadline))}
${line('开标时间 Opening', chinaTime(opening))}
</table>
<p>投标文件须在投标人浏览器中加密后在线递交，截止时间以服务器时间为准；开标时由投标人在 ${t.decryptionMinutes} 分钟内在线解密，逾期未解密的投标无效。</p>
<p lang="en">Bids are sealed in the bidder's browser and submitted online before the deadline (server time); each bidder decrypts its own bid online within ${t.decryptionMinutes} minutes of the opening, or the bid is invalid.</p>

<h2>三、项目说明 Description</h2>
<p>${para(t.description)}</p>

<h2>四、采购需求 Requirements</h2>
${list(t.requirements)}

<h2>五、供应商资格条件 Qualification conditions</h2>
${list(t.qualifications)}

<h2>六、评标方法 Evaluation method</h2>
<p>${
    comprehensive
      ? `综合评分法 Comprehensive scoring。价格分 = 评标基准价（满足要求的最低评标价）÷ 投标人评标价 × ${t.priceWeight}；总分 = 价格分 + 评标委员会成员对其他评分因素评分的平均值，按总分由高到低排序，推荐前 ${ruleValue('recommendedCandidates')} 名为中标候选人。</p>
<p lang="en">Price score = lowest valid evaluated price ÷ the bid's evaluated price × ${t.priceWeight}; total = price score + the average of the committee members' points on the other criteria; bids are ranked by total and the first ${ruleValue('recommendedCandidates')} recommended.`
      : `最低评标价法 Lowest evaluated price。满足全部实质性要求且评标价最低的投标人排名第一，推荐前 ${ruleValue('recommendedCandidates')} 名为中标候选人。</p>
<p lang="en">The bid meeting every substantive requirement at the lowest evaluated price ranks first; the first ${ruleValue('recommendedCandidates')} are recommended.`
  }</p>
<ul>
${t.smeDeductionPct ? `<li>对小型和微型企业的投标报价给予 ${t.smeDeductionPct}% 的价格扣除，以扣除后的价格参与评审（财库〔2020〕46号）。Small and micro enterprises' prices are evaluated ${t.smeDeductionPct}% lower.</li>` : ''}
<li>投标报价低于全部有效投标报价平均值 ${t.abnormalLowPct}% 的，评标委员会要求投标人书面说明其合理性，不能说明的按无效投标处理。A price under ${t.abnormalLowPct}% of the average valid price must be explained in writing, or the bid is disqualified.</li>
<li>有效投标不足 ${ctx.minValidBids} 家的，本次招标失败。Fewer than ${ctx.minValidBids} valid bids fail the tender.</li>
</ul>

<h2>七、评分标准 Scoring criteria</h2>
${
  comprehensive
    ? `<table>
<tr><th>序号 No.</th><th>评分因素 Criterion</th><th>类别 Kind</th><th>分值（权重）Weight</th></tr>
${t.criteria.map((c, i) => `<tr><td>${i + 1}</td><td>${esc(c.name)}</td><td>${CRITERION_KIND[c.kind]}</td><td>${c.weight}</td></tr>`).join('\n')}
<tr><td></td><td>合计 Total</td><td></td><td>${t.criteria.reduce((s, c) => s + c.weight, 0)}</td></tr>
</table>`
    : '<p>最低评标价法不设评分因素，价格为唯一评审因素。No scoring criteria: price alone decides.</p>'
}
${
  changes.length
    ? `
<h2>八、澄清与更正 Clarifications and amendments</h2>
<ol>
${changes
  .map(
    (n: { kind: string; title: string; body: string; substantive: number | boolean; published_at: string; deadline_after: string | null }) =>
      `<li><strong>${n.kind === 'amendment' ? '更正 Amendment' : '澄清 Clarification'}：${esc(n.title)}</strong>（${chinaTime(fromDbTime(n.published_at)!)}）<br>${para(n.body)}${n.deadline_after ? `<br>投标截止时间顺延至 ${chinaTime(fromDbTime(n.deadline_after)!)}。` : ''}</li>`,
  )
  .join('\n')}
</ol>`
    : ''
}
</body>
</html>
`;
  return { name: documentFileName(t.reference, revision), contentType: 'text/html; charset=utf-8', content: Buffer.from(html, 'utf8') };
}
