// The portal's notices for a project: the tender notice of a desk-run public tender, the award
// (winner and price), a failure, a signed contract and a single-source justification, published through the one notices service in the
// transaction of the change. A notice of the same kind already published for the project (under
// its own ref or its tender's or competition's reference, by the module that ran it) is left alone.
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { fromDbTime } from '../../db/time';
import { publishNotice, type NoticeKind } from '../../core/notices/service';
import { noticeDate } from '../../core/notices/notice-time';
import { hasTable, publicRefsOfProject } from './sources';
import { noticeTitleZh } from '../../core/notices/title';

const yuan = (fen: number) => {
  const a = BigInt(Math.abs(fen));
  return `${fen < 0 ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
};
const METHOD_ZH: Record<string, string> = { public_tender: '公开招标', online_price_competition: '网上竞价', inquiry: '询价', competitive_negotiation: '竞争性谈判', single_source: '单一来源', invitational_tender: '邀请招标', competitive_consultation: '竞争性磋商', framework_order: '框架协议' };
const METHOD_EN: Record<string, string> = { public_tender: 'public tender', online_price_competition: 'online price competition', inquiry: 'request for quotations', competitive_negotiation: 'competitive negotiation', single_source: 'single source', invitational_tender: 'invitational tender', competitive_consultation: 'competitive consultation', framework_order: 'framework agreement' };

export async function publishResultNotices(tx: Tx, actor: Actor, projectId: number): Promise<number> {
  const p = await tx('procurement_projects as p').join('organisations as o', 'o.id', 'p.org_id').leftJoin('suppliers as s', 's.id', 'p.awarded_supplier_id').where('p.id', projectId).select('p.*', 'o.name_zh', 'o.name_en', 's.name as supplier_name', 's.credit_code', 's.address').first();
  if (!p) return 0;
  const req = await tx('requisitions').where({ id: p.requisition_id }).first('category_code', 'single_source_reason', 'method_reason');
  const refs = await publicRefsOfProject(tx, p.id, p.ref);
  const have = new Set<string>(await tx('notices').whereIn('project_ref', refs).pluck('kind'));
  // A tender's or competition's award and failure notices are its module's own, whatever the order of calls.
  if (await tx('procurement_projects').where({ id: projectId }).whereIn('award_source', ['tender', 'auction']).first('id')) have.add('award');
  for (const table of ['tenders', 'auctions']) {
    if ((await hasTable(tx, table)) && (await tx(table).where({ project_id: projectId }).first('id'))) {
      have.add('award');
      have.add('failure');
    }
  }
  const due: Array<{ kind: NoticeKind; at: Date; titleZh: string; titleEn: string; bodyZh: string; bodyEn: string; amountFen: number | null }> = [];
  const head = `项目编号：${p.ref}\n采购单位：${p.name_zh}\n采购方式：${METHOD_ZH[p.method] ?? p.method}\n预算金额：${yuan(Number(p.budget_fen))} 元`;
  const headEn = `Reference: ${p.ref}\nPurchasing unit: ${p.name_en}\nMethod: ${METHOD_EN[p.method] ?? p.method}\nBudget: CNY ${yuan(Number(p.budget_fen))}`;

  // A public tender run from the procurement centre's desk (not through the tendering module,
  // which publishes its own) still needs its tender notice with the bid deadline.
  const cst = (v: string | null) => (v ? new Date(fromDbTime(v)!.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : '');
  const ownTender = (await hasTable(tx, 'tenders')) && (await tx('tenders').where({ project_id: p.id }).first('id'));
  if (p.method === 'public_tender' && p.notice_at && !have.has('tender') && !ownTender) {
    due.push({ kind: 'tender', at: fromDbTime(p.notice_at)!, titleZh: noticeTitleZh(p.title, '招标公告', ' '), titleEn: `Tender notice: ${p.title}`, bodyZh: `${head}\n品目：${req?.category_code ?? ''}\n投标截止及开标时间：${cst(p.deadline_at)}（北京时间）\n招标文件在本平台发售，发售期不少于5个工作日；符合资格条件的供应商均可参加投标。`, bodyEn: `${headEn}\nCategory: ${req?.category_code ?? ''}\nBid deadline and opening: ${cst(p.deadline_at)} (Beijing time)\nThe tender documents are available on this platform for at least 5 working days; every qualified supplier may bid.`, amountFen: Number(p.budget_fen) });
  }
  const justification = await tx('project_stages').where({ project_id: p.id, stage: 'justification_notice' }).first('entered_at');
  if (p.method === 'single_source' && justification && !have.has('single_source')) {
    due.push({ kind: 'single_source', at: fromDbTime(justification.entered_at)!, titleZh: noticeTitleZh(p.title, '单一来源采购公示', ' '), titleEn: `Single-source notice: ${p.title}`, bodyZh: `${head}\n单一来源理由：${req?.single_source_reason ?? req?.method_reason ?? ''}\n公示期内如有异议，请向采购人书面提出。`, bodyEn: `${headEn}\nJustification: ${req?.single_source_reason ?? req?.method_reason ?? ''}\nObjections may be raised in writing during the notice period.`, amountFen: Number(p.budget_fen) });
  }
  if (p.award_notice_at && p.awarded_supplier_id && !have.has('award')) {
    due.push({ kind: 'award', at: fromDbTime(p.award_notice_at)!, titleZh: `${p.title} 成交结果公告`, titleEn: `Award notice: ${p.title}`, bodyZh: `${head}\n成交供应商：${p.supplier_name}（统一社会信用代码 ${p.credit_code}）\n供应商地址：${p.address}\n成交金额：${yuan(Number(p.award_fen))} 元\n公告期限：自本公告发布之日起1个工作日；供应商认为其权益受到损害的，可在知道或应知之日起7个工作日内提出质疑。`, bodyEn: `${headEn}\nWinner: ${p.supplier_name} (credit code ${p.credit_code})\nAddress: ${p.address}\nAward price: CNY ${yuan(Number(p.award_fen))}\nA supplier whose rights are harmed may challenge within 7 working days.`, amountFen: Number(p.award_fen) });
  }
  if (p.stage === 'failed' && !have.has('failure')) {
    const failed = await tx('project_stages').where({ project_id: p.id, stage: 'failed' }).first('entered_at');
    due.push({ kind: 'failure', at: fromDbTime(failed?.entered_at ?? p.updated_at)!, titleZh: noticeTitleZh(p.title, '采购失败（终止）公告', ' '), titleEn: `Failure notice: ${p.title}`, bodyZh: `${head}\n失败原因：${p.failure_reason ?? ''}\n采购人将依法重新组织采购。`, bodyEn: `${headEn}\nReason: ${p.failure_reason ?? ''}\nThe purchaser will procure again as the law provides.`, amountFen: Number(p.budget_fen) });
  }
  const c = await tx('contracts').where({ project_id: p.id }).first();
  if (c && (c.status === 'signed' || c.status === 'accepted') && !have.has('contract')) {
    const signed = [c.purchaser_signed_at, c.supplier_signed_at].filter(Boolean).sort().pop();
    due.push({ kind: 'contract', at: fromDbTime(signed)!, titleZh: `${p.title} 政府采购合同公告`, titleEn: `Contract notice: ${p.title}`, bodyZh: `${head}\n合同编号：${c.ref}\n供应商：${p.supplier_name}\n合同金额：${yuan(Number(c.amount_fen))} 元\n签订日期：${noticeDate(fromDbTime(signed)!, 'zh')}`, bodyEn: `${headEn}\nContract: ${c.ref}\nSupplier: ${p.supplier_name}\nAmount: CNY ${yuan(Number(c.amount_fen))}\nSigned: ${noticeDate(fromDbTime(signed)!, 'en')}`, amountFen: Number(c.amount_fen) });
  }
  for (const n of due) {
    await publishNotice(tx, actor, { kind: n.kind, titleZh: n.titleZh, titleEn: n.titleEn, bodyZh: n.bodyZh, bodyEn: n.bodyEn, orgId: p.org_id, categoryCode: req?.category_code ?? null, method: p.method, amountFen: n.amountFen, projectRef: p.ref, sourceType: 'project', sourceId: p.id, publishedAt: n.at });
  }
  return due.length;
}
