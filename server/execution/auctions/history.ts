// The price history a viewer may see of a competition: the best price over time (where the
// visibility mode shows it to this viewer) and, for a supplier, its own bids. Never another
// supplier's identity: the best price carries no label.
import type { Knex } from 'knex';
import type { SessionUser } from '../../http/auth/sessions';
import type { Auction } from './repository';
import { viewerOf } from './views';
import { fromDbTime } from '../../db/time';

export interface PricePoint {
  at: string;
  amountFen: number;
}

export async function priceHistory(db: Knex, a: Auction, user: SessionUser) {
  const viewer = viewerOf(user);
  const rows: Array<{ seq: number | string; supplier_id: number | string; amount_fen: number | string; accepted_at: string | Date }> = await db('auction_bids')
    .where({ auction_id: a.id })
    .orderBy('seq')
    .select('seq', 'supplier_id', 'amount_fen', 'accepted_at');
  const bids = rows.map((r) => ({ seq: Number(r.seq), supplierId: Number(r.supplier_id), amountFen: Number(r.amount_fen), at: fromDbTime(r.accepted_at)!.toISOString() }));
  const finished = a.status === 'closed' || a.status === 'failed';
  const bestShown = viewer.kind !== 'supplier' || a.visibility !== 'rank_only' || finished;
  const best: PricePoint[] = [];
  let low = Infinity;
  for (const b of bids) {
    if (b.amountFen < low) {
      low = b.amountFen;
      best.push({ at: b.at, amountFen: b.amountFen });
    }
  }
  return {
    auctionId: a.id,
    status: a.status,
    visibility: a.visibility,
    ceilingFen: a.ceilingFen,
    startedAt: (a.openedAt ?? a.startsAt).toISOString(),
    endsAt: a.endsAt?.toISOString() ?? null,
    best: bestShown ? best : null,
    own: viewer.kind === 'supplier' ? bids.filter((b) => b.supplierId === viewer.supplierId).map((b) => ({ seq: b.seq, at: b.at, amountFen: b.amountFen })) : [],
  };
}

