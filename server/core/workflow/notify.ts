// Live notifications from committed workflow events: a step that reaches an approver's inbox,
// and a requisition whose status changed, go to the users' own channels (user:<id>). Driven by
// the audit trail's after-commit listener, so nothing rolled back is ever announced.
import type { Db } from '../../db/knex';
import type { RealtimeHub } from '../../realtime/hub';
import type { Logger } from '../../http/log';
import { onAuditEvents, type AuditEvent } from '../../supervision/audit/audit';

const WATCHED = new Set(['requisition.submitted', 'requisition.approved', 'requisition.rejected', 'requisition.returned', 'requisition.cancelled', 'approval.approved', 'approval.rejected', 'approval.returned', 'step.overdue']);

function requisitionOf(e: AuditEvent): number | null {
  if (e.entity_type === 'requisition') return Number(e.entity_id);
  if (e.entity_type === 'approval_step' && e.after_json) return Number(JSON.parse(e.after_json).requisitionId) || null;
  return null;
}

export async function announce(db: Db, realtime: RealtimeHub, requisitionIds: number[]): Promise<void> {
  for (const id of new Set(requisitionIds)) {
    const r = await db('requisitions').where({ id }).first('id', 'ref', 'status', 'created_by');
    if (!r) continue;
    realtime.publish(`user:${r.created_by}`, { type: 'requisition.updated', requisitionId: r.id, ref: r.ref, status: r.status });
    const steps = await db('approval_steps').where({ requisition_id: id, status: 'pending' }).select('id', 'approver_role', 'approver_org_id', 'due_at', 'overdue_at');
    for (const s of steps) {
      const users = await db('users as u').join('user_roles as ur', 'ur.user_id', 'u.id').where({ 'u.org_id': s.approver_org_id, 'ur.role': s.approver_role, 'u.status': 'active' }).select('u.id');
      for (const u of users) realtime.publish(`user:${u.id}`, { type: 'approval.pending', requisitionId: r.id, ref: r.ref, stepId: s.id, overdue: !!s.overdue_at });
    }
  }
}

export function startNotifications(deps: { db: Db; realtime: RealtimeHub; log: Logger }): () => void {
  return onAuditEvents((events) => {
    const ids = events.filter((e) => WATCHED.has(e.action)).map(requisitionOf).filter((x): x is number => x !== null);
    if (ids.length) void announce(deps.db, deps.realtime, ids).catch((err) => deps.log.warn('workflow notification failed', { error: (err as Error).message }));
  });
}
