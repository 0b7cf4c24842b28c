// One check, used everywhere a supplier acts (joining a competition, submitting a bid, signing
// a contract): the supplier must be approved in the library and not blacklisted at that moment.
import type { Knex } from 'knex';
import { fromDbTime, toDbTime, isoFromDb } from '../../db/time';
import { ForbiddenError, NotFoundError } from '../../http/errors';

export type SupplierAction = 'join_competition' | 'submit_bid' | 'sign_contract' | 'register_for_tender';

export interface BlacklistEntry {
  id: number;
  reason: string;
  startsAt: string;
  endsAt: string;
}

export async function activeBlacklistEntry(db: Knex, supplierId: number, at: Date): Promise<BlacklistEntry | null> {
  const t = toDbTime(at);
  const row = await db('supplier_blacklist')
    .where({ supplier_id: supplierId })
    .whereNull('lifted_at')
    .where('starts_at', '<=', t)
    .where('ends_at', '>', t)
    .orderBy('ends_at', 'desc')
    .first();
  return row ? { id: row.id, reason: row.reason, startsAt: isoFromDb(row.starts_at)!, endsAt: isoFromDb(row.ends_at)! } : null;
}

/** When the supplier's next blacklisting already entered for a later date starts (null: none). */
export async function nextBlacklistStart(db: Knex, supplierId: number, at: Date): Promise<Date | null> {
  const row = await db('supplier_blacklist').where({ supplier_id: supplierId }).whereNull('lifted_at').where('starts_at', '>', toDbTime(at)).min({ s: 'starts_at' }).first();
  return fromDbTime(row?.s ?? null);
}

/** Throws SUPPLIER_NOT_APPROVED or SUPPLIER_BLACKLISTED (403) when the supplier may not act. */
export async function assertSupplierMayAct(db: Knex, supplierId: number, at: Date, action: SupplierAction): Promise<void> {
  const s = await db('suppliers').where({ id: supplierId }).first('id', 'status');
  if (!s) throw new NotFoundError(`Supplier ${supplierId} not found`);
  if (s.status !== 'approved') throw new ForbiddenError('The supplier is not an approved member of the supplier library', { supplierId, status: s.status, action }, 'SUPPLIER_NOT_APPROVED');
  const entry = await activeBlacklistEntry(db, supplierId, at);
  if (entry) throw new ForbiddenError(`The supplier is blacklisted until ${entry.endsAt}`, { supplierId, action, endsAt: entry.endsAt }, 'SUPPLIER_BLACKLISTED');
}
