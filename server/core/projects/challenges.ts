// Challenges to a result (Law arts. 52-53): received until the challenge period ends, answered
// within 7 working days. An open challenge holds the contract; an upheld one annuls the result
// (the project fails and its money is released); once the last is dismissed after the period
// has run out, the project moves on to the contract.
import type { Tx } from '../../db/tx';
import { toDbTime, fromDbTime, isoFromDb } from '../../db/time';
import type { Actor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { loadRuleBook, rule } from '../rules/rule-book';
import { loadCalendar } from '../rules/calendar';
import { JOB, scheduleJob, cancelJob } from '../workflow/jobs';
import { loadProject, moveStage, failProject } from './service';
import { ANNULLABLE_STAGES } from './state-machine';

export const challengeFromRow = (r: any) => ({
  id: r.id,
  projectId: r.project_id,
  supplierId: r.supplier_id,
  supplierName: r.supplier_name ?? undefined,
  summary: r.summary,
  status: r.status,
  receivedAt: isoFromDb(r.received_at),
  replyDueAt: isoFromDb(r.reply_due_at),
  reply: r.reply,
  repliedAt: isoFromDb(r.replied_at),
  overdueAt: isoFromDb(r.overdue_at),
});

export async function openChallenges(tx: Tx, projectId: number): Promise<number> {
  const r = await tx('project_challenges').where({ project_id: projectId, status: 'open' }).count({ n: '*' }).first();
  return Number(r?.n ?? 0);
}

/** Received by the procurement centre, or filed by a supplier itself (for itself only). */
export async function fileChallenge(tx: Tx, actor: Actor, who: { supplierId: number | null }, projectId: number, input: { supplierId: number; summary: string }): Promise<number> {
  const p = await loadProject(tx, projectId);
  if (actor.role === 'supplier' && who.supplierId !== input.supplierId) throw new ForbiddenError('A supplier challenges in its own name');
  if (!['award_notice', 'challenge_period'].includes(p.stage)) throw new RuleError('CHALLENGE_PERIOD_OVER', `Challenges are received during the award notice and the challenge period (the project is in ${p.stage})`, { stage: p.stage });
  const supplier = await tx('suppliers').where({ id: input.supplierId }).first('id');
  if (!supplier) throw new NotFoundError(`Supplier ${input.supplierId} not found`);
  const now = actor.clock.now();
  const book = await loadRuleBook(tx);
  const due = (await loadCalendar(tx)).addWorkingDays(now, rule(book, 'challengeReplyWorkingDays'));
  const [id] = await tx('project_challenges').insert({ project_id: p.id, supplier_id: input.supplierId, summary: input.summary, status: 'open', received_at: toDbTime(now), reply_due_at: toDbTime(due) });
  await scheduleJob(tx, actor.clock, { kind: JOB.challengeDue, key: `challenge:${id}:reply-due`, runAt: due, payload: { challengeId: Number(id) } });
  await record(tx, actor, { action: 'challenge.received', entityType: 'project', entityId: p.id, after: { challengeId: Number(id), supplierId: input.supplierId, replyDueAt: due.toISOString() } });
  return Number(id);
}

export async function replyChallenge(tx: Tx, actor: Actor, who: { userId: number }, projectId: number, challengeId: number, input: { upheld: boolean; reply: string }): Promise<void> {
  const c = await tx('project_challenges').where({ id: challengeId, project_id: projectId }).first();
  if (!c) throw new NotFoundError(`Challenge ${challengeId} not found`, null, 'CHALLENGE_NOT_FOUND');
  const status = input.upheld ? 'upheld' : 'dismissed';
  const now = actor.clock.now();
  const n = await tx('project_challenges').where({ id: c.id, status: 'open' }).update({ status, reply: input.reply, replied_by: who.userId, replied_at: toDbTime(now) });
  if (n !== 1) throw new ConflictError('CHALLENGE_ALREADY_ANSWERED', `This challenge is already ${c.status}`);
  await cancelJob(tx, actor.clock, `challenge:${c.id}:reply-due`);
  await record(tx, actor, { action: `challenge.${status}`, entityType: 'project', entityId: projectId, after: { challengeId: c.id, reply: input.reply } });
  const p = await loadProject(tx, projectId);
  if (input.upheld) {
    if (ANNULLABLE_STAGES.includes(p.stage)) await failProject(tx, actor, p, `CHALLENGE_UPHELD: ${c.id}`, {}, true);
    return;
  }
  // The period ran out while this was open: the last dismissal lets the contract proceed.
  const periodEnd = await tx('project_stages').where({ project_id: p.id, stage: 'challenge_period' }).whereNull('exited_at').first('due_at');
  if (p.stage === 'challenge_period' && periodEnd && fromDbTime(periodEnd.due_at)! <= now && (await openChallenges(tx, p.id)) === 0) {
    const book = await loadRuleBook(tx);
    const contractDue = new Date(fromDbTime(p.award_notice_at)!.getTime() + rule(book, 'contractWithinDays') * 86400_000);
    await moveStage(tx, actor, p, 'contract', { dueAt: contractDue });
  }
}

/** Scheduled: the reply is late; supervision hears of it. */
export async function challengeDueJob(tx: Tx, actor: Actor, payload: { challengeId: number }): Promise<void> {
  const c = await tx('project_challenges').where({ id: payload.challengeId }).first();
  if (!c || c.status !== 'open' || c.overdue_at) return;
  await tx('project_challenges').where({ id: c.id }).update({ overdue_at: toDbTime(actor.clock.now()) });
  await record(tx, actor, { action: 'step.overdue', entityType: 'project', entityId: c.project_id, after: { step: 'challenge_reply', challengeId: c.id, replyDueAt: isoFromDb(c.reply_due_at) } });
}
