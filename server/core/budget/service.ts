// Money against budget lines: freeze on submission, release on rejection or cancellation,
// re-freeze at the award price, spend on payment. Each move is one conditional UPDATE whose
// WHERE clause carries the rule (enough available, enough frozen), so concurrent requests
// can never overdraw a line on either dialect: the database decides, we check affected rows.
import type { Tx } from '../../db/tx';
import { toDbTime } from '../../db/time';
import { forUpdate } from '../../db/knex';
import { NotFoundError, RuleError } from '../../http/errors';
import { record } from '../../supervision/audit/audit';
import type { Actor } from '../../http/actor';

export interface LineMoney {
  allocatedFen: number;
  frozenFen: number;
  spentFen: number;
  availableFen: number;
}

async function money(tx: Tx, lineId: number): Promise<LineMoney> {
  const r = await tx('budget_lines').where({ id: lineId }).first('allocated_fen', 'frozen_fen', 'spent_fen');
  if (!r) throw new NotFoundError(`Budget line ${lineId} not found`, null, 'BUDGET_LINE_NOT_FOUND');
  const a = Number(r.allocated_fen), f = Number(r.frozen_fen), s = Number(r.spent_fen);
  return { allocatedFen: a, frozenFen: f, spentFen: s, availableFen: a - f - s };
}

export const lineMoney = money;

/**
 * Takes the line's row lock first. Every transaction that moves money locks its line before it
 * appends to the audit chain, so the two locks are always taken in the same order (line, then
 * chain head) and InnoDB never sees the cycle "FK share lock on the line vs. chain head".
 */
export async function lockLine(tx: Tx, lineId: number): Promise<void> {
  await forUpdate(tx, tx('budget_lines').where({ id: lineId }).select('id')).first();
}

type Ref = { entityType: string; entityId: number | string };

/** Freezes amount on the line, or throws BUDGET_INSUFFICIENT (422) and changes nothing. */
export async function freeze(tx: Tx, actor: Actor, lineId: number, amountFen: number, ref: Ref): Promise<void> {
  if (amountFen <= 0) return;
  const n = await tx('budget_lines')
    .where({ id: lineId })
    .andWhereRaw('allocated_fen - frozen_fen - spent_fen >= ?', [amountFen])
    .update({ frozen_fen: tx.raw('frozen_fen + ?', [amountFen]), updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) {
    const m = await money(tx, lineId);
    throw new RuleError('BUDGET_INSUFFICIENT', `The budget line has ${m.availableFen} fen available, ${amountFen} fen requested`, { budgetLineId: lineId, requestedFen: amountFen, availableFen: m.availableFen });
  }
  await record(tx, actor, { action: 'budget.frozen', entityType: 'budget_line', entityId: lineId, after: { amountFen, for: ref } });
}

/** Releases a freeze (rejection, cancellation, failed procurement, award below the estimate). */
export async function release(tx: Tx, actor: Actor, lineId: number, amountFen: number, ref: Ref): Promise<void> {
  if (amountFen <= 0) return;
  const n = await tx('budget_lines')
    .where({ id: lineId })
    .andWhere('frozen_fen', '>=', amountFen)
    .update({ frozen_fen: tx.raw('frozen_fen - ?', [amountFen]), updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new RuleError('BUDGET_FREEZE_MISMATCH', 'Less money is frozen on the line than is being released', { budgetLineId: lineId, amountFen });
  await record(tx, actor, { action: 'budget.released', entityType: 'budget_line', entityId: lineId, after: { amountFen, for: ref } });
}

/**
 * Re-freezes a commitment at a new amount: releases the difference when lower; freezes the extra
 * when higher (only if available, else BUDGET_INSUFFICIENT).
 */
export async function refreeze(tx: Tx, actor: Actor, lineId: number, fromFen: number, toFen: number, ref: Ref): Promise<void> {
  if (toFen < fromFen) await release(tx, actor, lineId, fromFen - toFen, ref);
  else if (toFen > fromFen) await freeze(tx, actor, lineId, toFen - fromFen, ref);
}

/** Payment: frozen money becomes spent, in one statement. */
export async function spend(tx: Tx, actor: Actor, lineId: number, amountFen: number, ref: Ref): Promise<void> {
  const n = await tx('budget_lines')
    .where({ id: lineId })
    .andWhere('frozen_fen', '>=', amountFen)
    .update({ frozen_fen: tx.raw('frozen_fen - ?', [amountFen]), spent_fen: tx.raw('spent_fen + ?', [amountFen]), updated_at: toDbTime(actor.clock.now()) });
  if (n !== 1) throw new RuleError('BUDGET_FREEZE_MISMATCH', 'The payment is larger than the money frozen for it', { budgetLineId: lineId, amountFen });
  await record(tx, actor, { action: 'budget.spent', entityType: 'budget_line', entityId: lineId, after: { amountFen, for: ref } });
}

/** Sets a line's allocation (finance push); never below what is already frozen and spent. */
export async function allocate(tx: Tx, actor: Actor, line: { code: string; orgId: number; fiscalYear: number; name: string; economicClass: string; allocatedFen: number }): Promise<{ id: number; created: boolean }> {
  const now = toDbTime(actor.clock.now());
  const existing = await tx('budget_lines').where({ code: line.code }).first();
  if (!existing) {
    const [id] = await tx('budget_lines').insert({ code: line.code, org_id: line.orgId, fiscal_year: line.fiscalYear, name: line.name, economic_class: line.economicClass, allocated_fen: line.allocatedFen, frozen_fen: 0, spent_fen: 0, updated_at: now });
    await record(tx, actor, { action: 'budget.allocated', entityType: 'budget_line', entityId: Number(id), after: { code: line.code, allocatedFen: line.allocatedFen } });
    return { id: Number(id), created: true };
  }
  if (existing.org_id !== line.orgId || existing.fiscal_year !== line.fiscalYear) throw new RuleError('BUDGET_LINE_IDENTITY_MISMATCH', 'A budget line code cannot move to another unit or year', { code: line.code });
  const n = await tx('budget_lines')
    .where({ id: existing.id })
    .andWhereRaw('frozen_fen + spent_fen <= ?', [line.allocatedFen])
    .update({ allocated_fen: line.allocatedFen, name: line.name, economic_class: line.economicClass, updated_at: now });
  if (n !== 1) throw new RuleError('ALLOCATION_BELOW_COMMITTED', 'The new allocation is below what is already frozen and spent', { code: line.code, frozenFen: Number(existing.frozen_fen), spentFen: Number(existing.spent_fen) });
  await record(tx, actor, { action: 'budget.allocated', entityType: 'budget_line', entityId: existing.id, before: { allocatedFen: Number(existing.allocated_fen) }, after: { allocatedFen: line.allocatedFen } });
  return { id: existing.id, created: false };
}
