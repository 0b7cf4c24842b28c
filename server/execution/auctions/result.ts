// The announced result of a finished competition. The ladder is anonymised (labels only);
// supervisors and operators also see who each label was.
import type { Knex } from 'knex';
import { ConflictError } from '../../http/errors';
import type { SessionUser } from '../../http/auth/sessions';
import * as repo from './repository';
import type { Auction } from './repository';
import { savings } from './rules';

/** `user` null: the public portal (labels only, plus the winner the award notice names). */
export async function resultFor(db: Knex, a: Auction, user: SessionUser | null) {
  if (a.status !== 'closed' && a.status !== 'failed') throw new ConflictError('AUCTION_NOT_FINISHED', 'The result is announced when the competition ends', { status: a.status });
  const parts = await repo.participants(db, a.id);
  const labels = new Map(parts.map((p) => [p.supplierId, p.label]));
  const names = await repo.supplierNames(db, parts.map((p) => p.supplierId));
  const identities = !!user && user.roles.some((r) => r === 'supervisor' || r === 'operator' || r === 'admin');
  const bids = await repo.bids(db, a.id);
  const winner = parts.find((p) => p.supplierId === a.winnerSupplierId) ?? null;
  return {
    auctionId: a.id,
    code: a.code,
    title: a.title,
    status: a.status,
    failureCode: a.failureCode,
    reason: a.statusReason,
    ceilingFen: a.ceilingFen,
    closedAt: a.closedAt?.toISOString() ?? null,
    winner: winner ? { label: winner.label, supplierId: winner.supplierId, supplierName: names.get(winner.supplierId) ?? '', brand: winner.brand, model: winner.model } : null,
    priceFen: a.winnerPriceFen,
    savingsFen: a.savingsFen,
    savingsBp: a.winnerPriceFen !== null ? savings(a.ceilingFen, a.winnerPriceFen).bp : null,
    participants: parts.length,
    bids: bids.map((b) => ({
      seq: b.seq,
      label: labels.get(b.supplierId) ?? '?',
      amountFen: b.amountFen,
      at: b.acceptedAt.toISOString(),
      ...(identities ? { supplierId: b.supplierId, supplierName: names.get(b.supplierId) ?? '' } : {}),
      ...(user && user.supplierId === b.supplierId ? { mine: true } : {}),
    })),
  };
}
