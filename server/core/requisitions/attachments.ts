// Requisition attachments (needs assessments, quotations, drawings): stored content-addressed by
// sha256 in the database (server/db/files.ts, readable by every node of a cluster), listed on the
// requisition. The file is written in the transaction that references it: both commit or neither.
// Files stored before this release, under DATA_DIR/uploads/<store>/<sha256>, are still read, and
// copied into the database on first read.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Tx } from '../../db/tx';
import type { Db } from '../../db/knex';
import { DbFileStore } from '../../db/files';
import { toDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, NotFoundError, RuleError, ValidationError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { EDITABLE } from './rules';

export const MAX_ATTACHMENTS = 20;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024; // a scanned report; base64 makes it ~13.4 MB
/** The upload route's body limit: the base64 of MAX_ATTACHMENT_BYTES and the JSON around it. */
export const ATTACHMENT_BODY_LIMIT = '14mb';
export const ALLOWED_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'text/plain', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/msword', 'application/vnd.ms-excel', 'application/zip'];

export interface Attachment {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  uploadedAt: string;
}

export class AttachmentStore {
  private files: DbFileStore;
  constructor(
    db: Db,
    store: string,
    /** Where this store's files were kept before they moved into the database (read only). */
    private legacyDir: string | null = null,
  ) {
    this.files = new DbFileStore(db, store);
  }

  static forDataDir(db: Db, dataDir: string): AttachmentStore {
    return new AttachmentStore(db, 'requisitions', path.join(dataDir, 'uploads', 'requisitions'));
  }

  /** Writes the bytes (once per content) and returns their digest; inside `tx`, with the caller's change. */
  async save(bytes: Buffer, tx?: Tx): Promise<string> {
    const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
    await this.files.put(sha256, bytes, tx);
    return sha256;
  }

  async read(sha256: string): Promise<Buffer> {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new NotFoundError('Attachment not found', null, 'ATTACHMENT_NOT_FOUND');
    const stored = await this.files.get(sha256);
    if (stored) return stored;
    const file = this.legacyDir ? path.join(this.legacyDir, sha256) : null;
    if (!file || !fs.existsSync(file)) throw new NotFoundError('Attachment not found', null, 'ATTACHMENT_NOT_FOUND');
    const bytes = fs.readFileSync(file);
    await this.files.put(sha256, bytes); // from now on every node has it
    return bytes;
  }
}

/** Not empty, and at most MAX_ATTACHMENT_BYTES: the one size rule for stored files. */
export function assertFileSize(bytes: Buffer, name = 'The file'): void {
  if (bytes.length === 0) throw new RuleError('ATTACHMENT_EMPTY', `${name} is empty`);
  if (bytes.length > MAX_ATTACHMENT_BYTES) throw new RuleError('ATTACHMENT_TOO_LARGE', `An attachment is at most ${MAX_ATTACHMENT_BYTES} bytes`, { max: MAX_ATTACHMENT_BYTES });
}

export function decodeUpload(input: { name: string; contentType: string; contentBase64: string }): Buffer {
  if (!ALLOWED_TYPES.includes(input.contentType)) throw new RuleError('ATTACHMENT_TYPE_NOT_ALLOWED', `Attachments may be PDF, images, office documents, text or zip (got ${input.contentType})`, { allowed: ALLOWED_TYPES });
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(input.contentBase64)) throw new ValidationError('The content is not base64', null, 'ATTACHMENT_NOT_BASE64');
  const bytes = Buffer.from(input.contentBase64, 'base64');
  assertFileSize(bytes);
  return bytes;
}

async function editable(tx: Tx, who: { orgId: number | null }, id: number) {
  const r = await tx('requisitions').where({ id }).first('id', 'org_id', 'status', 'attachments_json', 'version');
  if (!r || r.org_id !== who.orgId) throw new NotFoundError(`Requisition ${id} not found`, null, 'REQUISITION_NOT_FOUND');
  if (!(EDITABLE as readonly string[]).includes(r.status)) throw new ConflictError('REQUISITION_NOT_EDITABLE', `A ${r.status} requisition cannot be changed`, { status: r.status });
  return { r, list: (r.attachments_json ? JSON.parse(r.attachments_json) : []) as Attachment[] };
}

export async function addAttachment(tx: Tx, actor: Actor, who: { orgId: number | null }, id: number, a: Omit<Attachment, 'uploadedAt'>): Promise<void> {
  const { r, list } = await editable(tx, who, id);
  if (list.length >= MAX_ATTACHMENTS) throw new RuleError('TOO_MANY_ATTACHMENTS', `At most ${MAX_ATTACHMENTS} attachments`);
  const next = [...list.filter((x) => !(x.sha256 === a.sha256 && x.name === a.name)), { ...a, uploadedAt: actor.clock.now().toISOString() }];
  const n = await tx('requisitions').where({ id, version: r.version }).update({ attachments_json: JSON.stringify(next), version: r.version + 1, updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await record(tx, actor, { action: 'requisition.attachment_added', entityType: 'requisition', entityId: id, after: { name: a.name, sha256: a.sha256, size: a.size } });
}

export async function removeAttachment(tx: Tx, actor: Actor, who: { orgId: number | null }, id: number, sha256: string): Promise<void> {
  const { r, list } = await editable(tx, who, id);
  const gone = list.filter((x) => x.sha256 === sha256);
  if (!gone.length) throw new NotFoundError('Attachment not found', null, 'ATTACHMENT_NOT_FOUND');
  const n = await tx('requisitions').where({ id, version: r.version }).update({ attachments_json: JSON.stringify(list.filter((x) => x.sha256 !== sha256)), version: r.version + 1, updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await record(tx, actor, { action: 'requisition.attachment_removed', entityType: 'requisition', entityId: id, before: { name: gone[0].name, sha256 } });
}
