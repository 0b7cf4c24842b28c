// Approval decisions: approve, reject with reason, return for changes. A decision is a
// conditional UPDATE on the pending step, so of two concurrent decisions exactly one wins.
import type { Tx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { release, lockLine } from '../budget/service';
import { loadCalendar } from '../rules/calendar';
import { createProject } from '../projects/service';
import { JOB, scheduleJob, cancelJob } from '../workflow/jobs';

export interface Approver {
  userId: number;
  orgId: number | null;
  roles: string[];
}

export type Decision = 'approve' | 'reject' | 'return';

export async function decide(tx: Tx, actor: Actor, who: Approver, stepId: number, input: { decision: Decision; comment?: string }): Promise<{ requisitionStatus: string; projectId: number | null }> {
  const step = await tx('approval_steps').where({ id: stepId }).first();
  if (!step) throw new NotFoundError(`Approval step ${stepId} not found`, null, 'APPROVAL_STEP_NOT_FOUND');
  if (!who.roles.includes(step.approver_role) || who.orgId !== step.approver_org_id) throw new ForbiddenError('This step is not in your inbox', null, 'NOT_YOUR_STEP');
  if (step.status !== 'pending') throw new ConflictError('APPROVAL_ALREADY_DECIDED', `This step is already ${step.status}`, { status: step.status });
  if (input.decision !== 'approve' && !input.comment?.trim()) throw new RuleError('REASON_REQUIRED', 'Rejecting or returning needs a reason');
  const locked = await tx('requisitions').where({ id: step.requisition_id }).first('budget_line_id');
  await lockLine(tx, locked.budget_line_id);
  const now = actor.clock.now();
  const status = { approve: 'approved', reject: 'rejected', return: 'returned' }[input.decision];
  const n = await tx('approval_steps').where({ id: stepId, status: 'pending' }).update({ status, decided_by: who.userId, decided_at: toDbTime(now), comment: input.comment ?? null });
  if (n !== 1) throw new ConflictError('APPROVAL_ALREADY_DECIDED', 'Another decision on this step came first');
  await cancelJob(tx, actor.clock, `approval-step:${stepId}:due`);
  await record(tx, actor, { action: `approval.${status}`, entityType: 'approval_step', entityId: stepId, before: { status: 'pending' }, after: { status, requisitionId: step.requisition_id, step: step.name_en, comment: input.comment ?? null } });

  const r = await tx('requisitions').where({ id: step.requisition_id }).first();
  if (r.status !== 'submitted') throw new ConflictError('REQUISITION_NOT_IN_APPROVAL', `The requisition is ${r.status}`, { status: r.status });

  if (input.decision === 'approve') {
    const next = await tx('approval_steps').where({ requisition_id: r.id, round: step.round, status: 'waiting' }).orderBy('seq').first();
    if (next) {
      const due = (await loadCalendar(tx)).addWorkingDays(now, next.time_limit_working_days);
      await tx('approval_steps').where({ id: next.id }).update({ status: 'pending', activated_at: toDbTime(now), due_at: toDbTime(due) });
      await scheduleJob(tx, actor.clock, { kind: JOB.approvalDue, key: `approval-step:${next.id}:due`, runAt: due, payload: { stepId: next.id } });
      return { requisitionStatus: 'submitted', projectId: null };
    }
    await setRequisitionStatus(tx, actor, r, 'approved');
    const projectId = await createProject(tx, actor, { id: r.id, ref: r.ref, org_id: r.org_id, title: r.title, method: r.method, total_fen: Number(r.total_fen) });
    return { requisitionStatus: 'approved', projectId };
  }
  // Rejected or returned: the money goes back; a returned requisition is edited and resubmitted.
  await tx('approval_steps').where({ requisition_id: r.id, round: step.round, status: 'waiting' }).update({ status: 'skipped' });
  await release(tx, actor, r.budget_line_id, Number(r.frozen_fen), { entityType: 'requisition', entityId: r.id });
  const to = input.decision === 'reject' ? 'rejected' : 'returned';
  await setRequisitionStatus(tx, actor, r, to, { frozen_fen: 0 });
  return { requisitionStatus: to, projectId: null };
}

async function setRequisitionStatus(tx: Tx, actor: Actor, r: any, to: string, patch: Record<string, unknown> = {}) {
  const now = toDbTime(actor.clock.now());
  const n = await tx('requisitions').where({ id: r.id, version: r.version }).update({ ...patch, status: to, decided_at: now, version: r.version + 1, updated_at: now });
  if (n !== 1) throw new ConflictError('REQUISITION_CHANGED', 'The requisition changed meanwhile; reload and retry');
  await record(tx, actor, { action: `requisition.${to}`, entityType: 'requisition', entityId: r.id, before: { status: r.status }, after: { status: to } });
}

/** Scheduled: an approval step's time limit passed and it is still pending. */
export async function approvalDueJob(tx: Tx, actor: Actor, payload: { stepId: number }): Promise<void> {
  const step = await tx('approval_steps').where({ id: payload.stepId }).first();
  if (!step || step.status !== 'pending' || step.overdue_at) return;
  await tx('approval_steps').where({ id: step.id }).update({ overdue_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'step.overdue', entityType: 'approval_step', entityId: step.id, after: { step: step.name_en, requisitionId: step.requisition_id, approverRole: step.approver_role, approverOrgId: step.approver_org_id, dueAt: step.due_at } });
}
