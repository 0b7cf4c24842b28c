// SQL for competitions, participants and bids. Rows in, domain objects out.
import type { Knex } from 'knex';
import { fromDbTime, isoFromDb, toDbTime } from '../../db/time';
import { forUpdate, toInt } from '../../db/knex';
import type { Tx } from '../../db/tx';
import type { Statement } from '../../db/statements';
import type { AuctionStatus } from './state-machine';
import type { DecrementKind, Visibility } from './rules';

export interface Auction {
  id: number;
  code: string;
  title: string;
  lotDescription: string;
  quantity: number;
  unit: string;
  categoryCode: string;
  ceilingFen: number;
  decrementKind: DecrementKind;
  decrementValue: number;
  startsAt: Date;
  durationSec: number;
  extensionSec: number;
  maxExtensionSec: number | null;
  visibility: Visibility;
  minSuppliers: number;
  minBrands: number;
  status: AuctionStatus;
  endsAt: Date | null;
  hardEndAt: Date | null;
  remainingMs: number | null;
  statusReason: string | null;
  failureCode: string | null;
  lastSeq: number;
  bidCount: number;
  bestFen: number | null;
  bestSupplierId: number | null;
  winnerSupplierId: number | null;
  winnerPriceFen: number | null;
  savingsFen: number | null;
  requisitionId: number | null;
  projectId: number | null;
  orgId: number | null;
  createdBy: number | null;
  createdAt: Date;
  announcedAt: Date | null;
  openedAt: Date | null;
  closedAt: Date | null;
}

export interface Participant {
  id: number;
  auctionId: number;
  supplierId: number;
  label: string;
  brand: string;
  model: string;
  joinedAt: Date;
  /** A framework second competition: the order at this supplier's own agreement prices (its bids may not exceed it). */
  ownCeilingFen?: number | null;
}

export interface Bid {
  id: number;
  auctionId: number;
  seq: number;
  supplierId: number;
  amountFen: number;
  clientBidId: string;
  acceptedAt: Date;
}

const nint = (v: unknown) => (v === null || v === undefined ? null : toInt(v));

export function auctionFromRow(r: any): Auction {
  return {
    id: toInt(r.id),
    code: r.code,
    title: r.title,
    lotDescription: r.lot_description,
    quantity: toInt(r.quantity),
    unit: r.unit,
    categoryCode: r.category_code,
    ceilingFen: toInt(r.ceiling_fen),
    decrementKind: r.decrement_kind,
    decrementValue: toInt(r.decrement_value),
    startsAt: fromDbTime(r.starts_at)!,
    durationSec: toInt(r.duration_sec),
    extensionSec: toInt(r.extension_sec),
    maxExtensionSec: nint(r.max_extension_sec),
    visibility: r.visibility,
    minSuppliers: toInt(r.min_suppliers),
    minBrands: toInt(r.min_brands),
    status: r.status,
    endsAt: fromDbTime(r.ends_at),
    hardEndAt: fromDbTime(r.hard_end_at),
    remainingMs: nint(r.remaining_ms),
    statusReason: r.status_reason ?? null,
    failureCode: r.failure_code ?? null,
    lastSeq: toInt(r.last_seq),
    bidCount: toInt(r.bid_count),
    bestFen: nint(r.best_fen),
    bestSupplierId: nint(r.best_supplier_id),
    winnerSupplierId: nint(r.winner_supplier_id),
    winnerPriceFen: nint(r.winner_price_fen),
    savingsFen: nint(r.savings_fen),
    requisitionId: nint(r.requisition_id),
    projectId: nint(r.project_id),
    orgId: nint(r.org_id),
    createdBy: nint(r.created_by),
    createdAt: fromDbTime(r.created_at)!,
    announcedAt: fromDbTime(r.announced_at),
    openedAt: fromDbTime(r.opened_at),
    closedAt: fromDbTime(r.closed_at),
  };
}

const participantFromRow = (r: any): Participant => ({
  id: toInt(r.id),
  auctionId: toInt(r.auction_id),
  supplierId: toInt(r.supplier_id),
  label: r.label,
  brand: r.brand,
  model: r.model,
  joinedAt: fromDbTime(r.joined_at)!,
  ownCeilingFen: r.own_ceiling_fen === null || r.own_ceiling_fen === undefined ? null : toInt(r.own_ceiling_fen),
});

const bidFromRow = (r: any): Bid => ({
  id: toInt(r.id),
  auctionId: toInt(r.auction_id),
  seq: toInt(r.seq),
  supplierId: toInt(r.supplier_id),
  amountFen: toInt(r.amount_fen),
  clientBidId: r.client_bid_id,
  acceptedAt: fromDbTime(r.accepted_at)!,
});

export async function findAuction(db: Knex, id: number, opts: { lock?: Tx } = {}): Promise<Auction | null> {
  const q = (opts.lock ?? db)('auctions').where({ id });
  const row = await (opts.lock ? forUpdate(opts.lock, q) : q).first();
  return row ? auctionFromRow(row) : null;
}

export async function auctionsInStatus(db: Knex, statuses: AuctionStatus[]): Promise<Auction[]> {
  return (await db('auctions').whereIn('status', statuses).orderBy('id')).map(auctionFromRow);
}

export function listQuery(db: Knex, f: { status?: string; orgId?: number | null; hideDrafts?: boolean; categoryCodes?: string[] }) {
  const q = db('auctions').select('*').orderBy('starts_at', 'desc').orderBy('id', 'desc');
  if (f.status) q.where('status', f.status);
  if (f.orgId !== undefined) q.where('org_id', f.orgId ?? -1);
  if (f.hideDrafts) q.whereNot('status', 'draft');
  if (f.categoryCodes) q.whereIn('category_code', f.categoryCodes.length ? f.categoryCodes : ['-']);
  return q;
}

export async function participants(db: Knex, auctionId: number): Promise<Participant[]> {
  return (await db('auction_participants').where({ auction_id: auctionId }).orderBy('id')).map(participantFromRow);
}

export async function participantIdsOf(db: Knex, supplierId: number): Promise<Set<number>> {
  return new Set((await db('auction_participants').where({ supplier_id: supplierId }).select('auction_id')).map((r: any) => toInt(r.auction_id)));
}

export async function bids(db: Knex, auctionId: number): Promise<Bid[]> {
  return (await db('auction_bids').where({ auction_id: auctionId }).orderBy('seq')).map(bidFromRow);
}

export async function bidByClientId(db: Knex, auctionId: number, supplierId: number, clientBidId: string): Promise<Bid | null> {
  const r = await db('auction_bids').where({ auction_id: auctionId, supplier_id: supplierId, client_bid_id: clientBidId }).first();
  return r ? bidFromRow(r) : null;
}

export async function supplierNames(db: Knex, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const rows = await db('suppliers').whereIn('id', ids).select('id', 'name');
  return new Map(rows.map((r: any) => [toInt(r.id), r.name as string]));
}

export async function supplierCategories(db: Knex, supplierId: number): Promise<string[]> {
  return (await db('supplier_categories').where({ supplier_id: supplierId })).map((r: any) => r.category_code as string);
}

export async function suppliesBrand(db: Knex, supplierId: number, categoryCode: string, brand: string, model: string): Promise<boolean> {
  return !!(await db('supplier_brands').where({ supplier_id: supplierId, category_code: categoryCode, brand, model }).first('id'));
}

export async function nextCode(tx: Tx, year: number): Promise<string> {
  const prefix = `WSJJ-${year}-`;
  const row = await tx('auctions').where('code', 'like', `${prefix}%`).max({ m: 'code' }).first();
  const last = row?.m ? Number(String(row.m).slice(prefix.length)) : 0;
  return `${prefix}${String(last + 1).padStart(4, '0')}`;
}

export interface BidInsert {
  auctionId: number;
  seq: number;
  supplierId: number;
  amountFen: number;
  clientBidId: string;
  userId: number | null;
  ip: string | null;
  deviceId: string | null;
  acceptedAt: Date;
  /** Cluster mode: the lease epoch the batch was committed under (null on a single node). */
  ownerEpoch?: number | null;
}

const BID_COLUMNS = 'auction_id, seq, supplier_id, amount_fen, client_bid_id, user_id, ip, device_id, accepted_at, owner_epoch';

/** One multi-row INSERT per 1,000 bids, as plain SQL (the query builder is slow at this size). */
export async function insertBids(tx: Tx, rows: BidInsert[]): Promise<void> {
  for (const st of bidInserts(rows)) await tx.raw(st.sql, st.bindings as Knex.RawBinding[]);
}

/** The INSERTs of a batch's bids, a thousand rows each. */
export function bidInserts(rows: BidInsert[]): Statement[] {
  const out: Statement[] = [];
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const bindings: unknown[] = [];
    for (const b of chunk) bindings.push(b.auctionId, b.seq, b.supplierId, b.amountFen, b.clientBidId, b.userId, b.ip, b.deviceId, toDbTime(b.acceptedAt), b.ownerEpoch ?? null);
    out.push({ sql: `INSERT INTO auction_bids (${BID_COLUMNS}) VALUES ${chunk.map(() => '(?,?,?,?,?,?,?,?,?,?)').join(',')}`, bindings });
  }
  return out;
}

/**
 * The running figures of every competition touched by one bid batch, in ONE statement
 * (UPDATE ... SET col = CASE id WHEN ... END WHERE id IN (...), the same SQL on both dialects).
 */
export async function updateRunningFigures(tx: Tx, list: Auction[], now: Date): Promise<void> {
  if (!list.length) return;
  const st = runningFigures(list, now);
  await tx.raw(st.sql, st.bindings as Knex.RawBinding[]);
}

export function runningFigures(list: Auction[], now: Date): Statement {
  const cols: Array<[string, (a: Auction) => unknown]> = [
    ['last_seq', (a) => a.lastSeq],
    ['bid_count', (a) => a.bidCount],
    ['best_fen', (a) => a.bestFen],
    ['best_supplier_id', (a) => a.bestSupplierId],
    ['ends_at', (a) => (a.endsAt ? toDbTime(a.endsAt) : null)],
  ];
  const bindings: unknown[] = [];
  const sets = cols.map(([col, get]) => {
    const whens = list.map((a) => {
      bindings.push(a.id, get(a));
      return 'WHEN ? THEN ?';
    });
    return `${col} = CASE id ${whens.join(' ')} END`;
  });
  bindings.push(toDbTime(now), ...list.map((a) => a.id));
  return { sql: `UPDATE auctions SET ${sets.join(', ')}, updated_at = ? WHERE id IN (${list.map(() => '?').join(',')})`, bindings };
}

export function times(a: Auction) {
  return {
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt?.toISOString() ?? null,
    hardEndAt: a.hardEndAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
    announcedAt: a.announcedAt?.toISOString() ?? null,
    openedAt: a.openedAt?.toISOString() ?? null,
    closedAt: a.closedAt?.toISOString() ?? null,
  };
}

export { isoFromDb };
