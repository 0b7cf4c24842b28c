// Publishing notices to the public portal. Modules call publishNotice inside the transaction
// of the step that makes the notice due, so a rolled-back step never shows a notice.
import path from 'node:path';
import type { Tx } from '../../db/tx';
import type { Db } from '../../db/knex';
import type { Actor } from '../../http/actor';
import { toDbTime } from '../../db/time';
import { RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { AttachmentStore, MAX_ATTACHMENTS, assertFileSize } from '../requisitions/attachments';

export const NOTICE_KINDS = ['intention', 'tender', 'competition', 'amendment', 'clarification', 'single_source', 'failure', 'award', 'contract', 'other'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/** A link to a file kept elsewhere (stored as given). */
export interface LinkedAttachment {
  name: string;
  url: string;
  sha256?: string;
}
/** A file the notice carries: its bytes go to the notice file store and the portal serves them. */
export interface FileAttachment {
  name: string;
  contentType: string;
  content: Buffer;
}
/** What attachments_json holds for a carried file: a link like any other, plus type and size. */
export interface StoredAttachment extends LinkedAttachment {
  sha256: string;
  contentType: string;
  size: number;
}

// Notice files use the platform's content-addressed upload store (in the database, store
// 'notices'; formerly DATA_DIR/uploads/notices/<sha256>, still read); the notices module sets it.
let files: AttachmentStore | null = null;
export const noticeFileStore = (db: Db, dataDir: string) => new AttachmentStore(db, 'notices', path.join(dataDir, 'uploads', 'notices'));
export function useNoticeFiles(store: AttachmentStore): void {
  files = store;
}
export const attachmentUrl = (noticeId: number, sha256: string) => `/api/portal/notices/${noticeId}/attachments/${sha256}`;

export interface NoticeInput {
  kind: NoticeKind;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  orgId?: number | null;
  categoryCode?: string | null;
  method?: string | null;
  amountFen?: number | null;
  projectRef?: string | null;
  sourceType: string;
  sourceId: string | number;
  attachments?: Array<LinkedAttachment | FileAttachment>;
  publishedAt?: Date;
}

/**
 * Writes carried files to the store in the notice's own transaction: they commit with the notice
 * that links them, or not at all.
 */
async function saveFiles(tx: Tx, list: NoticeInput['attachments']): Promise<Array<LinkedAttachment | Omit<StoredAttachment, 'url'>> | null> {
  if (!list) return null;
  if (list.length > MAX_ATTACHMENTS) throw new RuleError('TOO_MANY_ATTACHMENTS', `At most ${MAX_ATTACHMENTS} attachments`);
  const out: Array<LinkedAttachment | Omit<StoredAttachment, 'url'>> = [];
  for (const a of list) {
    if (!('content' in a)) {
      out.push(a);
      continue;
    }
    assertFileSize(a.content, a.name);
    if (!files) throw new Error('No notice file store: the notices module is not installed');
    out.push({ name: a.name, contentType: a.contentType, size: a.content.length, sha256: await files.save(a.content, tx) });
  }
  return out;
}

/** Publishes (or, for the same source and kind, republishes) a notice; returns its id. */
export async function publishNotice(tx: Tx, actor: Actor, n: NoticeInput): Promise<number> {
  const saved = await saveFiles(tx, n.attachments);
  const row = {
    kind: n.kind,
    title_zh: n.titleZh,
    title_en: n.titleEn,
    body_zh: n.bodyZh,
    body_en: n.bodyEn,
    org_id: n.orgId ?? null,
    category_code: n.categoryCode ?? null,
    method: n.method ?? null,
    amount_fen: n.amountFen ?? null,
    project_ref: n.projectRef ?? null,
    source_type: n.sourceType,
    source_id: String(n.sourceId),
    attachments_json: saved ? JSON.stringify(saved) : null,
    published_at: toDbTime(n.publishedAt ?? actor.clock.now()),
    published_by: actor.userId,
  };
  const existing = await tx('notices').where({ source_type: row.source_type, source_id: row.source_id, kind: row.kind }).first('id');
  let id: number;
  if (existing) {
    id = existing.id;
    await tx('notices').where({ id }).update(row);
  } else {
    [id] = await tx('notices').insert(row);
    id = Number(id);
  }
  // A carried file's link names the notice, known only now.
  const attachments = saved?.map((a) => ('url' in a ? a : { name: a.name, url: attachmentUrl(id, a.sha256), sha256: a.sha256, contentType: a.contentType, size: a.size }));
  if (saved?.some((a) => !('url' in a))) await tx('notices').where({ id }).update({ attachments_json: JSON.stringify(attachments) });
  await record(tx, actor, {
    action: existing ? 'notice.republished' : 'notice.published',
    entityType: 'notice',
    entityId: id,
    after: { kind: n.kind, sourceType: n.sourceType, sourceId: String(n.sourceId), titleZh: n.titleZh, ...(attachments?.length ? { attachments: attachments.map((a) => ({ name: a.name, sha256: a.sha256 ?? null })) } : {}) },
  });
  return id;
}
