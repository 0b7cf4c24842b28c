// The evaluation committee of a tender. Its members come from the sealed expert draw
// (server/execution/draws): once a draw's result is revealed, linkCommitteeFromDraw copies it into
// tender_committee, which is what evaluation checks. The draw module registers its reader with
// useDrawResults(); the committee never comes from a hand-picked list in production.
import type { Knex } from 'knex';
import { withTx, type Tx } from '../../../db/tx';
import { toDbTime } from '../../../db/time';
import { record } from '../../../supervision/audit/audit';
import type { Actor } from '../../../http/actor';
import { ConflictError, NotFoundError, RuleError } from '../../../http/errors';
import { checkCommittee } from '../rules';
import { lockTender } from '../repository';
import { assertStatus } from '../state-machine';
import type { TenderingDeps } from '../deps';

export interface RevealedDraw {
  drawId: string;
  projectId: number | null;
  revealedAt: string;
  experts: Array<{ expertId: number; chair?: boolean }>;
}

/** Reads a draw's revealed result (null while sealed or unknown). Provided by the draw module. */
export type DrawResultReader = (db: Knex, drawId: string, at: Date) => Promise<RevealedDraw | null>;
let drawReader: DrawResultReader | null = null;
export function useDrawResults(reader: DrawResultReader): void {
  drawReader = reader;
}

export async function linkCommitteeFromDraw(deps: TenderingDeps, actor: Actor, tenderId: number, drawId: string) {
  if (!drawReader) throw new ConflictError('DRAW_MODULE_UNAVAILABLE', 'The expert draw module is not installed on this platform');
  const draw = await drawReader(deps.db, drawId, deps.clock.now());
  if (!draw) throw new ConflictError('DRAW_NOT_REVEALED', `Draw ${drawId} has no revealed result yet`);
  return withTx(deps.db, (tx) => linkCommittee(deps, tx, actor, tenderId, draw.experts, { source: 'draw', sourceRef: draw.drawId, projectId: draw.projectId }));
}

/** Writes the committee (checks size, status and conflicts of interest with the bidders). */
export async function linkCommittee(deps: TenderingDeps, tx: Tx, actor: Actor, tenderId: number, members: Array<{ expertId: number; chair?: boolean }>, from: { source: 'draw' | 'direct'; sourceRef: string | null; projectId?: number | null }) {
  const tender = await lockTender(tx, tenderId);
  assertStatus(tender.status, ['published', 'opening', 'evaluation']);
  if (from.projectId != null && tender.project_id != null && from.projectId !== tender.project_id) throw new RuleError('DRAW_FOR_ANOTHER_PROJECT', 'The draw was made for another project');
  const existing = await tx('tender_committee').where({ tender_id: tenderId }).count({ n: '*' }).first();
  if (Number(existing?.n ?? 0) > 0) throw new ConflictError('COMMITTEE_EXISTS', 'The tender already has its committee');
  // A consultation's team was checked (odd, >= 3, experts >= 2/3) when the consultation linked it.
  const violations = (tender.procedure ?? 'public_tender') === 'public_tender' ? checkCommittee(members.length, Number(tender.budget_fen)) : [];
  if (violations.length) throw new RuleError(violations[0].code, violations[0].message, { violations });
  const ids = members.map((m) => m.expertId);
  const experts = await tx('experts').whereIn('id', ids).select('id', 'status', 'employer_org_id', 'employer_supplier_id');
  if (experts.length !== new Set(ids).size || experts.length !== ids.length) throw new NotFoundError('Unknown or repeated expert in the committee', null, 'UNKNOWN_EXPERT');
  const bidders = new Set((await tx('tender_bids').where({ tender_id: tenderId }).whereIn('status', ['sealed', 'decrypted', 'invalid', 'disqualified']).select('supplier_id')).map((b: { supplier_id: number }) => b.supplier_id));
  for (const e of experts) {
    if (e.status !== 'active') throw new RuleError('EXPERT_NOT_ACTIVE', `Expert ${e.id} is ${e.status}`);
    if (e.employer_supplier_id && bidders.has(e.employer_supplier_id)) throw new RuleError('EXPERT_CONFLICT', `Expert ${e.id} works for a bidder`, { expertId: e.id });
    if (e.employer_org_id && e.employer_org_id === tender.purchasing_org_id) throw new RuleError('EXPERT_CONFLICT', `Expert ${e.id} works for the purchasing unit`, { expertId: e.id });
  }
  const chair = members.find((m) => m.chair)?.expertId ?? ids[0];
  const now = toDbTime(deps.clock.now());
  await tx('tender_committee').insert(ids.map((id) => ({ tender_id: tenderId, expert_id: id, is_chair: id === chair, source: from.source, source_ref: from.sourceRef, joined_at: now })));
  // Names stay confidential until the result is announced; the audit trail keeps the ids.
  await record(tx, actor, { action: 'tender.committee.linked', entityType: 'tender', entityId: tenderId, after: { expertIds: ids, chairExpertId: chair, source: from.source, sourceRef: from.sourceRef } });
  return { tenderId, expertIds: ids, chairExpertId: chair };
}
