// Where an online price competition meets its procurement project in the workflow body
// (server/core/projects). A competition created for a project must match it (method, stage,
// category, ceiling within the approved budget); at its end the result flows back in the same
// transaction: the winner becomes the award, a failed competition fails the project.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import type { Actor } from '../../http/actor';
import { ConflictError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import { activeBlacklistEntry } from '../suppliers/eligibility';
import * as projects from '../../core/projects/service';
import type { Auction } from './repository';
import { AWARD_STAGE } from '../../core/projects/state-machine';

export interface ProjectLink {
  projectId: number;
  requisitionId: number;
  orgId: number;
}

/**
 * A competition may be created for an online-competition project still in its competition stage,
 * once. With orgId (the unit the creator acts for) the project must be that unit's, checked first
 * so another unit's project is not described to it.
 */
export async function assertProjectMayCompete(db: Knex, projectId: number, input: { categoryCode: string; ceilingFen: number }, orgId: number | null = null, frameworkCeilingFen: number | null = null): Promise<ProjectLink> {
  const p = await projects.projectForExecution(db, projectId);
  if (orgId !== null && orgId !== p.orgId) throw new RuleError('PROJECT_OF_ANOTHER_UNIT', 'The project belongs to another purchasing unit');
  // A framework order's second competition is created by the framework module only (with the
  // agreement price as its ceiling); a plain competition request cannot bypass the agreement.
  const framework = p.method === 'framework_order' && frameworkCeilingFen !== null;
  if (p.method !== 'online_price_competition' && !framework) throw new RuleError('PROJECT_NOT_ONLINE_COMPETITION', `Project ${p.ref} is procured by ${p.method}, not online price competition`, { method: p.method });
  if (framework && input.ceilingFen > frameworkCeilingFen!) throw new RuleError('CEILING_ABOVE_AGREEMENT_PRICE', 'The ceiling exceeds the order at the agreement prices', { agreementFen: frameworkCeilingFen });
  if (p.stage !== AWARD_STAGE[p.method]) throw new ConflictError('PROJECT_WRONG_STAGE', `Project ${p.ref} is in stage ${p.stage}`, { stage: p.stage });
  if (input.categoryCode !== p.categoryCode) throw new RuleError('CATEGORY_NOT_PROJECT_CATEGORY', `The project buys ${p.categoryCode}`, { projectCategory: p.categoryCode });
  if (input.ceilingFen > p.budgetFen) throw new RuleError('CEILING_ABOVE_PROJECT_BUDGET', 'The ceiling price exceeds the approved budget of the project', { projectBudgetFen: p.budgetFen });
  const other = await db('auctions').where({ project_id: projectId }).whereNotIn('status', ['failed']).first('code');
  if (other) throw new ConflictError('PROJECT_HAS_COMPETITION', `Project ${p.ref} already has competition ${other.code}`);
  const r = await db('procurement_projects').where({ id: projectId }).first('requisition_id');
  return { projectId, requisitionId: r.requisition_id, orgId: p.orgId };
}

/**
 * A bare requisitionId is held to the same rules as a projectId: the requisition must be the
 * unit's own, approved for online price competition, and the competition goes to its project.
 */
export async function projectOfRequisition(db: Knex, requisitionId: number, orgId: number | null): Promise<number> {
  const r = await db('requisitions as r')
    .leftJoin('procurement_projects as p', 'p.requisition_id', 'r.id')
    .where('r.id', requisitionId)
    .first('r.ref', 'r.org_id', 'r.status', 'r.method', 'p.id as project_id');
  if (!r) throw new RuleError('UNKNOWN_REQUISITION', `No requisition ${requisitionId}`, { requisitionId });
  if (orgId !== null && orgId !== r.org_id) throw new RuleError('REQUISITION_OF_ANOTHER_UNIT', 'The requisition belongs to another purchasing unit', { requisitionId });
  if (r.status !== 'approved') throw new ConflictError('REQUISITION_NOT_APPROVED', `Requisition ${r.ref} is ${r.status}, not approved`, { status: r.status });
  if (r.method !== 'online_price_competition') throw new RuleError('REQUISITION_NOT_ONLINE_COMPETITION', `Requisition ${r.ref} is procured by ${r.method}, not online price competition`, { method: r.method });
  // Approval opens the project in the same transaction; a missing one is a broken workflow, not a rule.
  if (r.project_id === null || r.project_id === undefined) throw new ConflictError('REQUISITION_HAS_NO_PROJECT', `Requisition ${r.ref} has no procurement project`);
  return Number(r.project_id);
}

/** The lowest valid bid becomes the project's award (budget re-frozen at the price, award notice). */
export async function handResultToWorkflow(tx: Tx, actor: Actor, a: Auction, winner: { supplierId: number; amountFen: number }, validBidders: number): Promise<void> {
  if (a.projectId === null) return;
  const p = await projects.loadProject(tx, a.projectId);
  if (p.stage !== AWARD_STAGE[p.method]) return outOfStep(tx, actor, a, p.stage, 'award_notice');
  // A winner blacklisted since it bid cannot be awarded: the operator decides (next-ranked or re-procure).
  const banned = await activeBlacklistEntry(tx, winner.supplierId, actor.clock.now());
  if (banned) {
    await record(tx, actor, { action: 'auction.handoff_refused', entityType: 'auction', entityId: a.id, after: { projectId: p.id, supplierId: winner.supplierId, reason: 'SUPPLIER_BLACKLISTED' } });
    return;
  }
  await tx('procurement_projects').where({ id: p.id }).update({ responses: validBidders, valid_responses: validBidders });
  await projects.recordAward(tx, actor, { projectId: p.id, supplierId: winner.supplierId, amountFen: winner.amountFen, source: 'auction', sourceRef: `auction:${a.code}` });
}

/** No competition (too few suppliers or brands, or no valid bid): the project fails and its money is released. */
export async function handFailureToWorkflow(tx: Tx, actor: Actor, a: Auction, reason: string): Promise<void> {
  if (a.projectId === null) return;
  const p = await projects.loadProject(tx, a.projectId);
  if (p.stage !== AWARD_STAGE[p.method]) return outOfStep(tx, actor, a, p.stage, 'failed');
  await projects.failProject(tx, actor, p, `AUCTION_${reason} (competition ${a.code})`);
}

async function outOfStep(tx: Tx, actor: Actor, a: Auction, stage: string, wanted: string): Promise<void> {
  await record(tx, actor, { action: 'auction.workflow_out_of_step', entityType: 'auction', entityId: a.id, after: { projectId: a.projectId, projectStage: stage, wanted } });
}
