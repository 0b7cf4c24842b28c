// Publishing a tender's notices on the public portal, through the one notices service, in the
// transaction of the step that makes them due. Texts are built here in both languages.
import type { Tx } from '../../../db/tx';
import type { Actor } from '../../../http/actor';
import { publishNotice, type FileAttachment, type NoticeKind } from '../../../core/notices/service';
import { fromDbTime } from '../../../db/time';
import { noticeTime } from '../../../core/notices/notice-time';
import type { TenderRow } from '../repository';
import { yuanText } from './file';
import { noticeTitleZh } from '../../../core/notices/title';

/** Times in a notice as the public reads them: Beijing time in the notice's language. */
const when = (db: string | null, lang: 'zh' | 'en') => (db ? noticeTime(fromDbTime(db)!, lang) : '');

/** Why a bid is invalid at the opening, in words (the opening record's reason codes). */
export const INVALID_REASON_TEXT: Record<string, { zh: string; en: string }> = {
  WRONG_KEY: { zh: '递交的密钥无法解密投标文件', en: 'the key handed in does not open the bid' },
  CIPHERTEXT_TAMPERED: { zh: '投标文件密文与递交回执不符（被篡改）', en: 'the sealed bid does not match its receipt (altered)' },
  CIPHERTEXT_MISSING: { zh: '加密投标文件缺失', en: 'the sealed bid is missing' },
  MALFORMED_ENVELOPE: { zh: '加密投标文件已损坏', en: 'the sealed bid is damaged' },
  UNREADABLE_PLAINTEXT: { zh: '解密后的内容不是投标文件', en: 'the decrypted content is not a bid' },
  BID_FOR_ANOTHER_TENDER: { zh: '投标文件所载项目或投标人与本项目不符', en: 'the bid names another tender or bidder' },
  NOT_DECRYPTED: { zh: '解密时间内未递交能解密投标文件的密钥', en: 'no key that opens the bid was handed in within the decryption window' },
  TENDER_FAILED_UNOPENED: { zh: '投标人不足法定家数，投标文件未开启', en: 'too few bids: the bids were not opened' },
};
export const invalidReasonText = (code: string | null, lang: 'zh' | 'en') => (code ? INVALID_REASON_TEXT[code]?.[lang] ?? (lang === 'zh' ? '无效投标' : 'invalid bid') : '');

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
    method: row.procedure ?? 'public_tender',
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
    bodyZh: `项目编号：${row.reference}\n预算金额：${yuanText(Number(row.budget_fen))} 元\n评标方法：${row.method === 'comprehensive' ? '综合评分法' : '最低评标价法'}\n投标截止时间：${when(row.bid_deadline, 'zh')}\n开标时间：${when(row.opening_at, 'zh')}\n投标文件须在投标人浏览器中加密后在线递交，开标时由投标人在线解密。\n\n${row.description}`,
    bodyEn: `Reference: ${row.reference}\nBudget: CNY ${yuanText(Number(row.budget_fen))}\nEvaluation: ${row.method === 'comprehensive' ? 'comprehensive scoring' : 'lowest evaluated price'}\nBid deadline: ${when(row.bid_deadline, 'en')}\nOpening: ${when(row.opening_at, 'en')}\nBids are sealed in the bidder's browser and submitted online; each bidder decrypts its own bid at the opening.`,
  };
}
