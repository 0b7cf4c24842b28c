// The finance bureau's machine API (version 1, HMAC-signed, idempotent by request id) and the
// platform users' view of payment requests and the outbox.
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import type { Clock } from '../../db/time';
import { isoFromDb } from '../../db/time';
import { defineRoutes, type RouteCtx } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import * as svc from './service';
import { allocationPushSchema, paymentRequestDoc, paymentStatusSchema, webhookSchema, FINANCE_API_VERSION } from './schemas';

const BASE = `/api/finance/${FINANCE_API_VERSION}`;
const signedHeaderDoc = 'Headers X-Finance-Timestamp, X-Finance-Request-Id, X-Finance-Signature (HMAC-SHA256 hex of timestamp\\nrequestId\\ncanonicalJson(body))';

export function financeRoutes(db: Db, secret: string, clock: Clock) {
  /** Signed, idempotent machine endpoint: the answer is stored per request id. */
  const machine = (endpoint: string, run: (ctx: RouteCtx) => (tx: any) => Promise<unknown>) => async (ctx: RouteCtx) => {
    const body = ctx.body ?? {};
    const requestId = svc.checkSignature(secret, ctx.req.headers, body, clock.now());
    const answer = await svc.idempotent(db, requestId, endpoint + JSON.stringify(ctx.params ?? {}), body, svc.financeActor(ctx.actor), run(ctx));
    ctx.res.setHeader('Idempotent-Replayed', String(answer.replayed));
    return answer.body;
  };
  return defineRoutes([
    {
      method: 'post',
      path: `${BASE}/budget-allocations`,
      tag: 'finance link',
      summary: `Finance bureau pushes budget allocations (sets each line's allocated amount). ${signedHeaderDoc}. Idempotent by request id.`,
      roles: 'public',
      csrf: false,
      status: 200,
      body: allocationPushSchema,
      handler: machine('budget-allocations', ({ body, actor }) => (tx) => svc.pushAllocations(tx, svc.financeActor(actor), body)),
    },
    {
      method: 'post',
      path: `${BASE}/payment-requests/:ref/status`,
      tag: 'finance link',
      summary: `Treasury answers a payment request: accepted, paid (frozen money becomes spent, project closes) or rejected. ${signedHeaderDoc}.`,
      roles: 'public',
      csrf: false,
      status: 200,
      params: { type: 'object', properties: { ref: { type: 'string', pattern: '^PAY-[0-9A-Za-z-]+$', maxLength: 32 } }, required: ['ref'] },
      body: paymentStatusSchema,
      handler: machine('payment-status', ({ body, params, actor }) => (tx) => svc.applyPaymentStatus(tx, svc.financeActor(actor), params.ref, body)),
    },
    {
      method: 'put',
      path: `${BASE}/webhook`,
      tag: 'finance link',
      summary: `Register the finance system's webhook URL for payment requests (events are signed the same way). ${signedHeaderDoc}.`,
      roles: 'public',
      csrf: false,
      body: webhookSchema,
      handler: machine('webhook', ({ body, actor }) => (tx) => svc.setWebhook(tx, svc.financeActor(actor), body.url)),
    },
    {
      method: 'get',
      path: `${BASE}/payment-requests`,
      tag: 'finance link',
      summary: `Pull payment requests and their status (changed since a time). Signed like the writes, over an empty body {}.`,
      roles: 'public',
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: ['requested', 'accepted', 'paid', 'rejected'] }, since: { type: 'string', format: 'date-time' }, ...pageQuery } },
      response: pagedSchema(paymentRequestDoc),
      handler: ({ req, query }) => {
        svc.checkSignature(secret, req.headers, {}, clock.now());
        return paged(svc.paymentRequests(db, query), query.page, query.pageSize, svc.paymentRequestFromRow);
      },
    },
    {
      method: 'get',
      path: '/api/payment-requests',
      tag: 'finance link',
      summary: 'Payment requests as platform users see them (a unit sees its own)',
      roles: ['purchaser', 'approver', 'operator', 'finance', 'supervisor', 'admin'],
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: ['requested', 'accepted', 'paid', 'rejected'] }, ...pageQuery } },
      response: pagedSchema(paymentRequestDoc),
      handler: ({ query, user }) => {
        const citywide = user!.roles.some((r) => ['operator', 'finance', 'supervisor', 'admin'].includes(r));
        return paged(svc.paymentRequests(db, { status: query.status, orgId: citywide ? undefined : user!.orgId ?? -1 }), query.page, query.pageSize, svc.paymentRequestFromRow);
      },
    },
    {
      method: 'get',
      path: '/api/finance/outbox',
      tag: 'finance link',
      summary: 'Messages to the finance bureau and their delivery state (attempts, next retry, last error)',
      roles: ['finance', 'supervisor', 'admin'],
      query: { type: 'object', additionalProperties: false, properties: { status: { enum: ['pending', 'delivered'] }, ...pageQuery } },
      handler: ({ query }) => {
        const q = db('finance_outbox').orderBy('id', 'desc');
        if (query.status) q.where({ status: query.status });
        return paged(q, query.page, query.pageSize, (r: any) => ({ id: Number(r.id), eventId: r.event_id, type: r.event_type, status: r.status, attempts: r.attempts, nextAttemptAt: isoFromDb(r.next_attempt_at), lastError: r.last_error, createdAt: isoFromDb(r.created_at), deliveredAt: isoFromDb(r.delivered_at) }));
      },
    },
  ]);
}
