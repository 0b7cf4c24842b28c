// Other procedures whose final stage is a sealed-bid tender: a competitive consultation's final
// quotations are a tender of procedure 'competitive_consultation', sealed, opened, scored and
// awarded by this module. Such a procedure registers who may bid and who may see the tender
// (its remaining suppliers only); a public tender has no hooks: any eligible supplier bids.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import type { TenderRow } from './repository';
import { ForbiddenError } from '../../http/errors';

export interface ProcedureHooks {
  /** Throws a typed error when this supplier may not submit a bid to this tender. */
  assertMayBid(tx: Tx, tender: TenderRow, supplierId: number): Promise<void>;
  /** The ids of this procedure's tenders a supplier may see (a subquery selecting one id column). */
  tendersVisibleTo(db: Knex, supplierId: number): Knex.QueryBuilder;
}

const hooks = new Map<string, ProcedureHooks>();

export function registerProcedure(procedure: string, h: ProcedureHooks): () => void {
  hooks.set(procedure, h);
  return () => void hooks.delete(procedure);
}

export const procedureOf = (row: { procedure?: string | null }): string => row.procedure ?? 'public_tender';

export function hooksFor(row: { procedure?: string | null }): ProcedureHooks | null {
  const p = procedureOf(row);
  if (p === 'public_tender') return null;
  const h = hooks.get(p);
  // A tender of a procedure whose module is not installed is closed to everyone rather than open to all.
  if (!h) return { assertMayBid: async () => { throw new ForbiddenError(`The ${p} procedure is not installed on this platform`, null, 'PROCEDURE_NOT_INSTALLED'); }, tendersVisibleTo: (db) => db('tenders').whereRaw('1 = 0').select('id') };
  return h;
}

export const registeredProcedures = (): string[] => [...hooks.keys()];
