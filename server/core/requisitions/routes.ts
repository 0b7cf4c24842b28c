// HTTP for requisitions and the approval inbox.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { defineRoutes } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { NotFoundError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as svc from './service';
import * as repo from './repository';
import { decide } from '../approvals/service';
import { attachmentBody, decisionBody, idParams, reasonBody, requisitionBody } from './schemas';
import { ATTACHMENT_BODY_LIMIT, AttachmentStore, addAttachment, decodeUpload, removeAttachment } from './attachments';
import { sendDownload } from '../../http/download';
import { loadCalendar } from '../rules/calendar';

const CITYWIDE = ['operator', 'finance', 'supervisor', 'admin'];
const purchaser = (u: SessionUser | null) => ({ userId: u!.id, orgId: u!.orgId });

export async function requisitionDetail(db: Db, id: number, user: SessionUser) {
  const row = await repo.requisitions(db).where('r.id', id).first();
  // Approvers of later steps (finance, procurement centre) and supervisors see every unit's.
  if (!row || (!user.roles.some((r) => CITYWIDE.includes(r)) && row.org_id !== user.orgId)) throw new NotFoundError(`Requisition ${id} not found`, null, 'REQUISITION_NOT_FOUND');
  const cal = await loadCalendar(db);
  // dueProvisional: the step's working-day limit was counted over a provisional calendar day.
  const approvals = (await repo.steps(db, id)).map((s) => ({ ...s, dueProvisional: cal.isProvisionalSpan(s.activatedAt, s.dueAt) }));
  return { ...repo.requisitionFromRow(row), items: await repo.items(db, id), approvals };
}

export function requisitionRoutes(db: Db, store: AttachmentStore) {
  const shaParams = { type: 'object', properties: { id: { type: 'integer', minimum: 1 }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['id', 'sha256'] };
  return defineRoutes([
    {
      method: 'get',
      path: '/api/requisitions',
      tag: 'requisitions',
      summary: 'Requisitions: a unit sees its own; the procurement centre, finance and supervisors see all',
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: ['draft', 'submitted', 'returned', 'approved', 'rejected', 'cancelled'] }, splitSuspected: { type: 'boolean' }, orgId: { type: 'integer', minimum: 1 }, ...pageQuery } },
      response: pagedSchema({ type: 'object' }),
      handler: ({ query, user }) => {
        const citywide = user!.roles.some((r) => CITYWIDE.includes(r));
        return paged(repo.requisitions(db, { orgId: citywide ? query.orgId : user!.orgId ?? -1, status: query.status, splitSuspected: query.splitSuspected }), query.page, query.pageSize, repo.requisitionFromRow);
      },
    },
    {
      method: 'get',
      path: '/api/requisitions/:id',
      tag: 'requisitions',
      summary: 'One requisition with its items and approval timeline',
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
      params: idParams,
      handler: ({ params, user }) => requisitionDetail(db, params.id, user!),
    },
    {
      method: 'post',
      path: '/api/requisitions',
      tag: 'requisitions',
      summary: 'Draft a requisition (submit: true also submits it)',
      roles: ['purchaser'],
      body: requisitionBody,
      handler: async ({ body, user, actor }) => {
        const { submit, ...input } = body;
        const id = await withTx(db, async (tx) => {
          const id = await svc.createDraft(tx, actor, purchaser(user), input);
          if (submit) await svc.submit(tx, actor, purchaser(user), id);
          return id;
        });
        return requisitionDetail(db, id, user!);
      },
    },
    {
      method: 'put',
      path: '/api/requisitions/:id',
      tag: 'requisitions',
      summary: 'Change a draft or returned requisition',
      roles: ['purchaser'],
      params: idParams,
      body: requisitionBody,
      handler: async ({ params, body, user, actor }) => {
        const { submit, ...input } = body;
        await withTx(db, async (tx) => {
          await svc.updateDraft(tx, actor, purchaser(user), params.id, input);
          if (submit) await svc.submit(tx, actor, purchaser(user), params.id);
        });
        return requisitionDetail(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/requisitions/:id/submit',
      tag: 'requisitions',
      summary: 'Submit for approval: freezes the money, proposes the method, starts the approval chain',
      roles: ['purchaser'],
      params: idParams,
      status: 200,
      handler: async ({ params, user, actor }) => {
        await withTx(db, (tx) => svc.submit(tx, actor, purchaser(user), params.id));
        return requisitionDetail(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/requisitions/:id/cancel',
      tag: 'requisitions',
      summary: 'Cancel a requisition before approval; releases its frozen money',
      roles: ['purchaser'],
      params: idParams,
      body: reasonBody,
      status: 200,
      handler: async ({ params, body, user, actor }) => {
        await withTx(db, (tx) => svc.cancel(tx, actor, purchaser(user), params.id, body));
        return requisitionDetail(db, params.id, user!);
      },
    },
    {
      method: 'post',
      path: '/api/requisitions/:id/attachments',
      tag: 'requisitions',
      summary: 'Attach a file to a draft or returned requisition (base64, at most 10 MB; PDF, images, office documents, text, zip)',
      roles: ['purchaser'],
      params: idParams,
      body: attachmentBody,
      bodyLimit: ATTACHMENT_BODY_LIMIT,
      handler: async ({ params, body, user, actor }) => {
        const bytes = decodeUpload(body);
        // The file commits with the reference to it (a refused upload stores nothing).
        await withTx(db, async (tx) => addAttachment(tx, actor, { orgId: user!.orgId }, params.id, { name: body.name, contentType: body.contentType, size: bytes.length, sha256: await store.save(bytes, tx) }));
        return requisitionDetail(db, params.id, user!);
      },
    },
    {
      method: 'delete',
      path: '/api/requisitions/:id/attachments/:sha256',
      tag: 'requisitions',
      summary: 'Remove an attachment from a draft or returned requisition',
      roles: ['purchaser'],
      params: shaParams,
      handler: async ({ params, user, actor }) => {
        await withTx(db, (tx) => removeAttachment(tx, actor, { orgId: user!.orgId }, params.id, params.sha256));
        return requisitionDetail(db, params.id, user!);
      },
    },
    {
      method: 'get',
      path: '/api/requisitions/:id/attachments/:sha256',
      tag: 'requisitions',
      summary: 'Download an attachment (whoever may read the requisition)',
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
      params: shaParams,
      handler: async ({ params, user, res }) => {
        const r = await requisitionDetail(db, params.id, user!);
        const a = (r.attachments as Array<{ sha256: string; name: string; contentType: string }>).find((x) => x.sha256 === params.sha256);
        if (!a) throw new NotFoundError('Attachment not found', null, 'ATTACHMENT_NOT_FOUND');
        sendDownload(res, a, await store.read(a.sha256));
      },
    },
    {
      method: 'get',
      path: '/api/approvals/inbox',
      tag: 'approvals',
      summary: 'Pending approval steps addressed to me (my roles at my organisation)',
      roles: ['approver', 'finance', 'operator'],
      query: { type: 'object', additionalProperties: false, properties: pageQuery },
      response: pagedSchema({ type: 'object' }),
      handler: ({ query, user }) => paged(repo.inbox(db, { orgId: user!.orgId ?? -1, roles: user!.roles }), query.page, query.pageSize, repo.inboxFromRow),
    },
    {
      method: 'post',
      path: '/api/approvals/:id/decision',
      tag: 'approvals',
      summary: 'Approve, reject (with reason) or return for changes (with reason); one decision per step wins',
      roles: ['approver', 'finance', 'operator'],
      params: idParams,
      body: decisionBody,
      status: 200,
      handler: ({ params, body, user, actor }) => withTx(db, (tx) => decide(tx, actor, { userId: user!.id, orgId: user!.orgId, roles: user!.roles }, params.id, body)),
    },
  ]);
}
