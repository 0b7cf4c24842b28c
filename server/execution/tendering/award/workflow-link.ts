// Where a tender meets its procurement project in the workflow body (server/core/projects).
// The tender drives the project's public-tender stages through the body's own services, in the
// tender's transactions: publication (notice, documents), the opening (bids received), a
// failure (the project goes back to the workflow: re-tender or change of method) and the award
// (the body re-freezes the budget, runs the award notice and challenge period, then the contract).
import type { Knex } from 'knex';
import type { Tx } from '../../../db/tx';
import type { Actor } from '../../../http/actor';
import { ConflictError, RuleError } from '../../../http/errors';
import { record } from '../../../supervision/audit/audit';
import * as projects from '../../../core/projects/service';
import { canMove } from '../../../core/projects/state-machine';

const READY_STAGES = ['documents_prepared', 'prequalification', 'suppliers_invited', 'notice_published', 'bidding_open'];
/** The procedures a tender runs: a public tender, or an invitational tender among its invited suppliers. */
export const TENDER_METHODS = ['public_tender', 'invitational_tender'];

/** The project of an invitational tender (whose bidders must hold an invitation), or null. */
export async function invitationalProjectOf(db: Knex, projectId: number | null): Promise<{ id: number; ref: string } | null> {
  if (projectId === null) return null;
  const p = await db('procurement_projects').where({ id: projectId }).first('id', 'ref', 'method');
  return p && p.method === 'invitational_tender' ? { id: Number(p.id), ref: p.ref } : null;
}

/** A tender may be drafted for a public or invitational tender project not yet past bidding, once. */
/** `exceptTenderId`: the draft being changed, which is not "another" tender of its own project. */
export async function assertProjectMayTender(db: Knex, projectId: number, budgetFen: number, exceptTenderId?: number): Promise<{ orgId: number }> {
  const p = await projects.projectForExecution(db, projectId);
  if (!TENDER_METHODS.includes(p.method)) throw new RuleError('PROJECT_NOT_PUBLIC_TENDER', `Project ${p.ref} is procured by ${p.method}, not public or invitational tender`);
  if (!READY_STAGES.includes(p.stage)) throw new ConflictError('PROJECT_WRONG_STAGE', `Project ${p.ref} is in stage ${p.stage}`, { stage: p.stage });
  if (budgetFen > p.budgetFen) throw new RuleError('TENDER_ABOVE_PROJECT_BUDGET', 'The tender budget exceeds the approved budget of the project', { projectBudgetFen: p.budgetFen });
  const others = db('tenders').where({ project_id: projectId }).whereNotIn('status', ['failed', 'cancelled']);
  if (exceptTenderId !== undefined) others.whereNot({ id: exceptTenderId });
  const other = await others.first('reference');
  if (other) throw new ConflictError('PROJECT_HAS_TENDER', `Project ${p.ref} already has tender ${other.reference}`);
  return { orgId: p.orgId };
}

/** Publication: the project's notice is published and bidding opens with the tender's deadline. */
export async function handPublicationToWorkflow(tx: Tx, actor: Actor, projectId: number | null, deadline: Date): Promise<void> {
  if (projectId === null) return;
  let p = await projects.loadProject(tx, projectId);
  if (p.method === 'invitational_tender') {
    // The documents go to the invited suppliers only; the bidding period runs from now.
    if (p.stage !== 'suppliers_invited') throw new ConflictError('SUPPLIERS_NOT_INVITED', `Project ${p.ref} is in stage ${p.stage}; an invitational tender publishes once its suppliers are invited`, { stage: p.stage });
    await projects.issueDocuments(tx, actor, projectId, { deadlineAt: deadline.toISOString() });
    return;
  }
  if (p.stage === 'documents_prepared') p = await projects.publishNotice(tx, actor, projectId, { deadlineAt: deadline.toISOString() });
  if (p.stage === 'notice_published') p = await projects.issueDocuments(tx, actor, projectId, { deadlineAt: deadline.toISOString() });
  if (p.stage !== 'bidding_open') throw new ConflictError('PROJECT_WRONG_STAGE', `The project is in stage ${p.stage}; a tender publishes from documents_prepared`, { stage: p.stage });
}

/** A late substantive amendment moved the tender's deadline: the project's deadline moves with it. */
export async function handDeadlineToWorkflow(tx: Tx, actor: Actor, tenderId: number, projectId: number | null, deadline: Date): Promise<void> {
  if (projectId === null) return;
  const p = await projects.loadProject(tx, projectId);
  if (p.stage !== 'bidding_open') return outOfStep(tx, actor, tenderId, p, 'bidding_open');
  await projects.extendDeadline(tx, actor, projectId, { deadlineAt: deadline, reason: `amendment of tender ${tenderId}` });
}

async function bringToOpening(tx: Tx, actor: Actor, p: projects.ProjectRow): Promise<projects.ProjectRow> {
  return p.stage === 'bidding_open' ? projects.closeAtDeadline(tx, actor, p.id) : p;
}

/** The opening: the project records the bids received (fewer than the minimum fails it there). */
export async function handOpeningToWorkflow(tx: Tx, actor: Actor, tenderId: number, projectId: number | null, bidsReceived: number, procedure = 'public_tender'): Promise<void> {
  if (projectId === null) return;
  if (procedure === 'competitive_consultation') {
    // The final quotations are opened: the consultation project leaves its rounds for evaluation.
    const p = await projects.loadProject(tx, projectId);
    if (p.stage !== 'negotiation') return outOfStep(tx, actor, tenderId, p, 'negotiation');
    await projects.startConsultationEvaluation(tx, actor, projectId);
    return;
  }
  const p = await bringToOpening(tx, actor, await projects.loadProject(tx, projectId));
  if (p.stage !== 'opening') return outOfStep(tx, actor, tenderId, p, 'opening');
  await projects.recordOpening(tx, actor, projectId, { bidsReceived });
}

/** A failed tender: the project fails in the workflow, which decides on a re-tender or another method. */
export async function handFailureToWorkflow(tx: Tx, actor: Actor, o: { tenderId: number; projectId: number | null; reason: string; bids: number; validBids: number; procedure?: string }): Promise<void> {
  if (o.projectId === null) return;
  let p = await projects.loadProject(tx, o.projectId);
  if (p.stage === 'failed') return;
  if (o.reason === 'TOO_FEW_BIDS' && (o.procedure ?? 'public_tender') === 'public_tender') {
    p = await bringToOpening(tx, actor, p);
    if (p.stage === 'opening') {
      await projects.recordOpening(tx, actor, o.projectId, { bidsReceived: o.bids });
      return;
    }
  }
  if (!canMove(p.method, p.stage, 'failed')) return outOfStep(tx, actor, o.tenderId, p, 'failed');
  await projects.declareFailure(tx, actor, o.projectId, { reason: `TENDER_${o.reason}: ${o.validBids} valid of ${o.bids} bids (tender ${o.tenderId})` });
}

/** The award: the body's one entry point for results (award notice, budget re-freeze, contract due). */
export async function handAwardToWorkflow(tx: Tx, actor: Actor, o: { tenderId: number; reference: string; projectId: number | null; supplierId: number; amountFen: number; validBids: number; minimumValid?: number }): Promise<void> {
  if (o.projectId === null) return;
  await projects.recordResult(tx, actor, o.projectId, { validResponses: o.validBids, supplierId: o.supplierId, amountFen: o.amountFen, sourceRef: `tender:${o.reference}`, minimumValid: o.minimumValid });
}

/** A step the project could not follow (moved by hand meanwhile): recorded for the operator, not fatal for a timed job. */
async function outOfStep(tx: Tx, actor: Actor, tenderId: number, p: projects.ProjectRow, wanted: string): Promise<void> {
  await record(tx, actor, { action: 'tender.workflow_out_of_step', entityType: 'tender', entityId: tenderId, after: { projectId: p.id, projectStage: p.stage, wanted } });
}
