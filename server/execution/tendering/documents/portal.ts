// Publishing a tender's notices on the public portal, through the one notices service, in the
// transaction of the step that makes them due. Texts are built here in both languages.
import type { Tx } from '../../../db/tx';
import type { Actor } from '../../../http/actor';
import { publishNotice, type FileAttachment, type NoticeKind } from '../../../core/notices/service';
import { isoFromDb } from '../../../db/time';
import type { TenderRow } from '../repository';
import { noticeTitleZh } from '../../../core/notices/title';

const yuan = (fen: number) => (fen / 100).toFixed(2);
const when = (db: string | null) => (db ? isoFromDb(db)!.replace('T', ' ').slice(0, 16) + ' UTC' : '');

export interface PortalText {
  kind: NoticeKind;
  sourceType: 'tender' | 'tender_notice' | 'tender_opening';
  sourceId: number;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  amountFen?: number | null;
  /** Files the notice carries (the tender documents). */
  attachments?: FileAttachment[];
}

export async function toPortal(tx: Tx, actor: Actor, row: TenderRow, n: PortalText): Promise<number> {
  return publishNotice(tx, actor, {
    kind: n.kind,
    titleZh: n.titleZh,
    titleEn: n.titleEn,
    bodyZh: n.bodyZh,
    bodyEn: n.bodyEn,
    orgId: row.purchasing_org_id,
    categoryCode: row.category_code,
    method: 'public_tender',
    amountFen: n.amountFen ?? Number(row.budget_fen),
    projectRef: row.reference,
    sourceType: n.sourceType,
    sourceId: n.sourceId,
    ...(n.attachments ? { attachments: n.attachments } : {}),
  });
}

export function tenderNoticeText(row: TenderRow): PortalText {
  return {
    kind: 'tender',
    sourceType: 'tender',
    sourceId: row.id,
    titleZh: noticeTitleZh(row.title, `公开招标公告（${row.reference}）`, ' '),
    titleEn: `Public tender notice ${row.reference}: ${row.title}`,
    bodyZh: `项目编号：${row.reference}\n预算金额：${yuan(Number(row.budget_fen))} 元\n评标方法：${row.method === 'comprehensive' ? '综合评分法' : '最低评标价法'}\n投标截止及开标时间：${when(row.bid_deadline)} / ${when(row.opening_at)}\n投标文件须在投标人浏览器中加密后在线递交，开标时由投标人在线解密。\n\n${row.description}`,
    bodyEn: `Reference: ${row.reference}\nBudget: CNY ${yuan(Number(row.budget_fen))}\nEvaluation: ${row.method === 'comprehensive' ? 'comprehensive scoring' : 'lowest evaluated price'}\nBid deadline / opening: ${when(row.bid_deadline)} / ${when(row.opening_at)}\nBids are sealed in the bidder's browser and submitted online; each bidder decrypts its own bid at the opening.`,
  };
}
