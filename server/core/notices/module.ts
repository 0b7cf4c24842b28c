// The public portal's notices: no login, searchable by unit, category, method, date, amount, text.
import type { ModuleContext, PlatformModule } from '../../platform';
import { defineRoutes } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import { sendDownload } from '../../http/download';
import { chinaDayEnd, chinaDayStart, isoFromDb, toDbTime } from '../../db/time';
import { NOTICE_KINDS, noticeFileStore, useNoticeFiles, type StoredAttachment } from './service';

const fromRow = (r: any, full = false) => ({
  id: r.id,
  kind: r.kind,
  titleZh: r.title_zh,
  titleEn: r.title_en,
  orgId: r.org_id,
  orgNameZh: r.org_name_zh ?? null,
  orgNameEn: r.org_name_en ?? null,
  categoryCode: r.category_code,
  method: r.method,
  amountFen: r.amount_fen === null ? null : Number(r.amount_fen),
  projectRef: r.project_ref,
  sourceType: r.source_type,
  sourceId: r.source_id,
  publishedAt: isoFromDb(r.published_at),
  ...(full ? { bodyZh: r.body_zh, bodyEn: r.body_en, attachments: r.attachments_json ? JSON.parse(r.attachments_json) : [] } : {}),
});

export function noticesModule({ db, config }: ModuleContext): PlatformModule {
  const store = noticeFileStore(db, config.dataDir);
  useNoticeFiles(store);
  const base = () => db('notices as n').leftJoin('organisations as o', 'o.id', 'n.org_id').select('n.*', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en');
  return {
    name: 'notices',
    routes: defineRoutes([
      {
        method: 'get',
        path: '/api/portal/notices',
        tag: 'portal',
        summary: 'Public notices, newest first, with search and filters',
        roles: 'public',
        query: {
          type: 'object',
          additionalProperties: false,
          properties: {
            kind: { enum: [...NOTICE_KINDS] },
            orgId: { type: 'integer', minimum: 1 },
            category: { type: 'string', maxLength: 32 },
            method: { type: 'string', maxLength: 32 },
            from: { type: 'string', format: 'date' },
            to: { type: 'string', format: 'date' },
            minAmountFen: { type: 'integer', minimum: 0 },
            maxAmountFen: { type: 'integer', minimum: 0 },
            q: { type: 'string', maxLength: 60 },
            projectRef: { type: 'string', maxLength: 64 },
            ...pageQuery,
          },
        },
        response: pagedSchema({ type: 'object' }),
        handler: async ({ query }) => {
          const q = base().orderBy('n.published_at', 'desc').orderBy('n.id', 'desc');
          if (query.kind) q.where('n.kind', query.kind);
          if (query.orgId) q.where('n.org_id', query.orgId);
          if (query.category) q.where('n.category_code', 'like', `${query.category}%`);
          if (query.method) q.where('n.method', query.method);
          if (query.from) q.where('n.published_at', '>=', toDbTime(chinaDayStart(query.from)));
          if (query.to) q.where('n.published_at', '<', toDbTime(chinaDayEnd(query.to)));
          if (query.minAmountFen !== undefined) q.where('n.amount_fen', '>=', query.minAmountFen);
          if (query.maxAmountFen !== undefined) q.where('n.amount_fen', '<=', query.maxAmountFen);
          if (query.projectRef) q.where('n.project_ref', query.projectRef);
          if (query.q) q.where((w) => w.where('n.title_zh', 'like', `%${query.q}%`).orWhere('n.title_en', 'like', `%${query.q}%`).orWhere('n.body_zh', 'like', `%${query.q}%`).orWhere('n.body_en', 'like', `%${query.q}%`));
          return paged(q, query.page, query.pageSize, (r) => fromRow(r));
        },
      },
      {
        method: 'get',
        path: '/api/portal/notices/:id',
        tag: 'portal',
        summary: 'One public notice with its full text and attachments',
        roles: 'public',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 } }, required: ['id'] },
        handler: async ({ params }) => {
          const row = await base().where('n.id', params.id).first();
          if (!row) throw new NotFoundError(`Notice ${params.id} not found`);
          return fromRow(row, true);
        },
      },
      {
        method: 'get',
        path: '/api/portal/notices/:id/attachments/:sha256',
        tag: 'portal',
        summary: 'Download a file a public notice carries (e.g. the tender documents)',
        roles: 'public',
        params: { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['id', 'sha256'] },
        handler: async ({ params, res }) => {
          const row = await db('notices').where({ id: params.id }).first('attachments_json');
          // Only a file the notice lists (and carries) is served: the store may hold files of rolled-back publications.
          const list: Array<Partial<StoredAttachment>> = row?.attachments_json ? JSON.parse(row.attachments_json) : [];
          const a = list.find((x) => x.sha256 === params.sha256 && x.contentType);
          if (!a) throw new NotFoundError('Attachment not found', null, 'ATTACHMENT_NOT_FOUND');
          sendDownload(res, { name: a.name!, contentType: a.contentType! }, await store.read(params.sha256));
        },
      },
    ]),
  };
}
