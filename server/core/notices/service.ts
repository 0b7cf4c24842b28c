// Publishing notices to the public portal. Modules call publishNotice inside the transaction
// of the step that makes the notice due, so a rolled-back step never shows a notice.
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { toDbTime } from '../../db/time';
import { record } from '../../supervision/audit/audit';

export const NOTICE_KINDS = ['intention', 'tender', 'competition', 'amendment', 'clarification', 'single_source', 'failure', 'award', 'contract', 'other'] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

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
  attachments?: Array<{ name: string; url: string; sha256?: string }>;
  publishedAt?: Date;
}

/** Publishes (or, for the same source and kind, republishes) a notice; returns its id. */
export async function publishNotice(tx: Tx, actor: Actor, n: NoticeInput): Promise<number> {
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
    attachments_json: n.attachments ? JSON.stringify(n.attachments) : null,
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
  await record(tx, actor, { action: existing ? 'notice.republished' : 'notice.published', entityType: 'notice', entityId: id, after: { kind: n.kind, sourceType: n.sourceType, sourceId: String(n.sourceId), titleZh: n.titleZh } });
  return id;
}
