// The audit trail, read-only, for supervisors and admins: filtered listing and chain verification.
import type { ModuleContext, PlatformModule } from '../../platform';
import { defineRoutes } from '../../http/routes';
import { pageQuery, paged, pagedSchema } from '../../http/paging';
import { isoFromDb, toDbTime } from '../../db/time';
import { verifyChain } from './audit';
import { auditSigningKey, CHECKPOINT_JOB, checkpointFromRow, ensureCheckpointJobs, makeCheckpoint } from './checkpoints';
import { nextChinaMidnight } from './checkpoint-format';
import { proofFor, supplierReceipts } from './receipts';
import { CROSS_LINK_JOB, crossLinkAll } from './cross-links';
import { ForbiddenError } from '../../http/errors';

const fromRow = (r: any) => ({
  seq: Number(r.seq),
  occurredAt: isoFromDb(r.occurred_at),
  actorId: r.actor_id,
  actorName: r.actor_name ?? null,
  actorRole: r.actor_role,
  action: r.action,
  entityType: r.entity_type,
  entityId: r.entity_id,
  before: r.before_json ? JSON.parse(r.before_json) : null,
  after: r.after_json ? JSON.parse(r.after_json) : null,
  requestId: r.request_id,
  hash: r.hash,
});

export function auditModule({ db, config, clock, scheduler }: ModuleContext): PlatformModule {
  const key = auditSigningKey(config);
  const minutes = config.auditCheckpointMinutes;
  scheduler.define<{ reason: 'interval' | 'day_end' }>(CHECKPOINT_JOB, async (job) => {
    await makeCheckpoint(db, key, clock, job.payload.reason);
    const now = clock.now();
    const runAt = job.payload.reason === 'day_end' ? nextChinaMidnight(now) : new Date(now.getTime() + Math.max(1, minutes) * 60_000);
    await scheduler.schedule(db, { kind: CHECKPOINT_JOB, key: job.key, runAt, payload: job.payload });
  });
  const crossLinkSeconds = config.auditCrossLinkSeconds;
  scheduler.define(CROSS_LINK_JOB, async (job) => {
    try {
      await crossLinkAll(db, clock);
    } finally {
      // Always again in a second, even after a failure (the scheduler's back-off would leave the streams unlisted for minutes).
      await scheduler.schedule(db, { kind: CROSS_LINK_JOB, key: job.key, runAt: new Date(clock.now().getTime() + crossLinkSeconds * 1000), payload: {} });
    }
  });
  return {
    name: 'audit',
    start: async () => {
      await ensureCheckpointJobs({ db, clock, scheduler, minutes, nextDayEnd: nextChinaMidnight });
      if (crossLinkSeconds > 0 && !(await scheduler.pending(CROSS_LINK_JOB)).length) {
        await scheduler.schedule(db, { kind: CROSS_LINK_JOB, key: 'audit-cross-link', runAt: new Date(clock.now().getTime() + crossLinkSeconds * 1000), payload: {} });
      }
    },
    routes: defineRoutes([
      {
        method: 'get',
        path: '/api/public/audit/checkpoints',
        tag: 'audit',
        summary: 'Signed checkpoints of the audit chain head, newest first, with the Ed25519 public key that signed them',
        roles: 'public',
        query: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQuery, hashes: { type: 'boolean', default: true } },
        },
        handler: async ({ query }) => {
          const total = Number((await db('audit_checkpoints').count({ n: '*' }).first())?.n ?? 0);
          const page = query.page ?? 1;
          const pageSize = query.pageSize ?? 20;
          const rows = await db('audit_checkpoints').orderBy('seq', 'desc').offset((page - 1) * pageSize).limit(pageSize);
          const head = await db('audit_chain_head').where({ id: 1 }).first();
          return { publicKey: key.publicKey, intervalMinutes: minutes, headSeq: Number(head?.last_seq ?? 0), items: rows.map((r: any) => checkpointFromRow(r, query.hashes !== false)), total, page, pageSize };
        },
      },
      {
        method: 'get',
        path: '/api/public/audit/proof',
        tag: 'audit',
        summary: 'Links event seq to the next signed checkpoint: that checkpoint (with every covered event hash), the public key, and the events from seq to it (hashes only)',
        roles: 'public',
        query: { type: 'object', additionalProperties: false, required: ['seq'], properties: { seq: { type: 'integer', minimum: 1 } } },
        handler: ({ query }) => proofFor(db, key.publicKey, query.seq),
      },
      {
        method: 'get',
        path: '/api/my/audit-receipts',
        tag: 'audit',
        summary: "The supplier's bid receipts (sealed tender bids, auction bids) with the audit event that recorded each and its proof",
        roles: ['supplier'],
        handler: async ({ user }) => {
          if (!user?.supplierId) throw new ForbiddenError('This account does not act for a supplier', null, 'NOT_A_SUPPLIER_ACCOUNT');
          return { supplierId: user.supplierId, publicKey: key.publicKey, items: await supplierReceipts(db, key.publicKey, user.supplierId) };
        },
      },
      {
        method: 'get',
        path: '/api/audit/events',
        tag: 'supervision',
        summary: 'The audit trail, newest first, filterable by entity, action, actor and time',
        roles: ['supervisor', 'admin'],
        query: {
          type: 'object',
          additionalProperties: false,
          properties: {
            entityType: { type: 'string', maxLength: 48 },
            entityId: { type: 'string', maxLength: 64 },
            action: { type: 'string', maxLength: 96 },
            actorId: { type: 'integer', minimum: 1 },
            from: { type: 'string', format: 'date-time' },
            to: { type: 'string', format: 'date-time' },
            ...pageQuery,
          },
        },
        response: pagedSchema({ type: 'object' }),
        handler: async ({ query }) => {
          const q = db('audit_events as a').leftJoin('users as u', 'u.id', 'a.actor_id').select('a.*', 'u.display_name as actor_name').orderBy('a.seq', 'desc');
          if (query.entityType) q.where('a.entity_type', query.entityType);
          if (query.entityId) q.where('a.entity_id', query.entityId);
          if (query.action) q.where('a.action', 'like', `${query.action}%`);
          if (query.actorId) q.where('a.actor_id', query.actorId);
          if (query.from) q.where('a.occurred_at', '>=', toDbTime(new Date(query.from)));
          if (query.to) q.where('a.occurred_at', '<', toDbTime(new Date(query.to)));
          return paged(q, query.page, query.pageSize, fromRow);
        },
      },
      {
        method: 'get',
        path: '/api/audit/verify',
        tag: 'supervision',
        summary: 'Walk the hash chain and report the first broken link',
        roles: ['supervisor', 'admin'],
        handler: () => verifyChain(db),
      },
    ]),
  };
}
