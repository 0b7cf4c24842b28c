// Inbound finance requests: signature checked, then processed at most once per request id.
// A retry with the same id and body gets the stored answer; the same id with another body is refused.
import type { Db } from '../../db/knex';
import { withTx, type Tx } from '../../db/tx';
import { toDbTime, isoFromDb } from '../../db/time';
import { isUniqueViolation } from '../../db/errors';
import type { Actor } from '../../http/actor';
import { ConflictError, RuleError, UnauthenticatedError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { allocate } from '../budget/service';
import { applyPaymentStatus } from '../contracts/service';
import { bodyHash, verify } from './signature';
import { rescheduleAll } from './outbox';

export function financeActor(actor: Actor): Actor {
  return { ...actor, userId: null, role: 'system:finance-api' };
}

export function checkSignature(secret: string, headers: Record<string, string | string[] | undefined>, body: unknown, now: Date): string {
  const problem = verify(secret, headers, body, now);
  if (problem) throw new UnauthenticatedError(`Finance request signature ${problem.toLowerCase()}`, `SIGNATURE_${problem}`);
  return String(headers['x-finance-request-id']);
}

export interface Answer {
  status: number;
  body: unknown;
  replayed: boolean;
}

/** Runs `work` once per request id, storing its answer in the same transaction. */
export async function idempotent(db: Db, requestId: string, endpoint: string, body: unknown, actor: Actor, work: (tx: Tx) => Promise<unknown>): Promise<Answer> {
  const hash = bodyHash({ endpoint, body });
  const stored = async (): Promise<Answer | null> => {
    const row = await db('finance_inbound_requests').where({ request_id: requestId }).first();
    if (!row) return null;
    if (row.body_hash !== hash) throw new ConflictError('IDEMPOTENCY_KEY_REUSED', 'This request id was already used for a different request', { requestId });
    return { status: row.status_code, body: JSON.parse(row.response_json), replayed: true };
  };
  const before = await stored();
  if (before) return before;
  try {
    return await withTx(db, async (tx) => {
      const result = await work(tx);
      await tx('finance_inbound_requests').insert({ request_id: requestId, endpoint, body_hash: hash, status_code: 200, response_json: JSON.stringify(result), received_at: toDbTime(actor.clock.now()) });
      return { status: 200, body: result, replayed: false };
    });
  } catch (err) {
    // Two deliveries of the same request at once: the loser answers what the winner stored.
    if (isUniqueViolation(err)) {
      const again = await stored();
      if (again) return again;
    }
    throw err;
  }
}

export async function pushAllocations(tx: Tx, actor: Actor, input: { fiscalYear: number; allocations: Array<{ budgetLineCode: string; orgCode: string; name: string; economicClass: string; allocatedFen: number }> }) {
  const results = [];
  for (const a of input.allocations) {
    const org = await tx('organisations').where({ code: a.orgCode }).first('id', 'kind');
    if (!org || org.kind !== 'purchasing_unit') throw new RuleError('UNKNOWN_PURCHASING_UNIT', `No purchasing unit with code ${a.orgCode}`, { orgCode: a.orgCode });
    const r = await allocate(tx, actor, { code: a.budgetLineCode, orgId: org.id, fiscalYear: input.fiscalYear, name: a.name, economicClass: a.economicClass, allocatedFen: a.allocatedFen });
    results.push({ budgetLineCode: a.budgetLineCode, budgetLineId: r.id, created: r.created, allocatedFen: a.allocatedFen });
  }
  return { results };
}

export async function setWebhook(tx: Tx, actor: Actor, url: string) {
  const now = toDbTime(actor.clock.now());
  const n = await tx('finance_settings').where({ setting_key: 'webhook_url' }).update({ value: url, updated_at: now });
  if (n === 0) await tx('finance_settings').insert({ setting_key: 'webhook_url', value: url, updated_at: now });
  const pending = await rescheduleAll(tx, actor.clock);
  await record(tx, actor, { action: 'finance.webhook_registered', entityType: 'finance_settings', entityId: 'webhook_url', after: { url } });
  return { url, pendingMessages: pending };
}

export { applyPaymentStatus };

export const paymentRequestFromRow = (r: any) => ({
  ref: r.ref,
  contractRef: r.contract_ref,
  projectRef: r.project_ref,
  projectTitle: r.project_title,
  orgNameZh: r.org_name_zh,
  orgNameEn: r.org_name_en,
  budgetLineCode: r.budget_line_code,
  supplierName: r.supplier_name,
  supplierCreditCode: r.supplier_credit_code,
  amountFen: Number(r.amount_fen),
  status: r.status,
  treasuryRef: r.treasury_ref,
  rejectReason: r.reject_reason,
  requestedAt: isoFromDb(r.requested_at),
  paidAt: isoFromDb(r.paid_at),
  updatedAt: isoFromDb(r.updated_at),
});

export function paymentRequests(db: Db, f: { status?: string; since?: string; orgId?: number }) {
  const q = db('payment_requests as pr')
    .join('contracts as c', 'c.id', 'pr.contract_id')
    .join('procurement_projects as p', 'p.id', 'pr.project_id')
    .join('organisations as o', 'o.id', 'p.org_id')
    .join('budget_lines as b', 'b.id', 'pr.budget_line_id')
    .join('suppliers as s', 's.id', 'pr.supplier_id')
    .select('pr.*', 'c.ref as contract_ref', 'p.ref as project_ref', 'p.title as project_title', 'o.name_zh as org_name_zh', 'o.name_en as org_name_en', 'b.code as budget_line_code', 's.name as supplier_name', 's.credit_code as supplier_credit_code')
    .orderBy('pr.id');
  if (f.status) q.where('pr.status', f.status);
  if (f.since) q.where('pr.updated_at', '>=', toDbTime(new Date(f.since)));
  if (f.orgId) q.where('p.org_id', f.orgId);
  return q;
}
