// The competition's rules as pure functions: amounts, decrements, bid validity, ranking,
// anti-sniping and the opening minimums. No I/O here, so every rule is unit-tested directly.

export type Visibility = 'best_price' | 'ladder' | 'rank_only';
export type DecrementKind = 'absolute' | 'percent';

/** Largest accepted amount: 10 billion yuan in fen; keeps every sum a safe integer. */
export const MAX_FEN = 1_000_000_000_000;

export interface BidRules {
  ceilingFen: number;
  decrementKind: DecrementKind;
  /** absolute: fen; percent: basis points of the current best price */
  decrementValue: number;
  visibility: Visibility;
}

export interface Standing {
  supplierId: number;
  amountFen: number; // the supplier's last (and lowest) bid
  seq: number; // sequence number of that bid: ties rank by who was accepted first
}

export type BidRejection =
  | 'BAD_AMOUNT'
  | 'ABOVE_CEILING'
  | 'ABOVE_OWN_AGREEMENT_PRICE'
  | 'NOT_BELOW_OWN_BID'
  | 'NOT_BELOW_BEST';

/** A bid amount must be a positive whole number of fen, at most MAX_FEN. */
export function parseAmount(v: unknown): number | null {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0 || v > MAX_FEN) return null;
  return v;
}

/** The minimum step below a reference price (at least 1 fen; percent rounds up to a whole fen). */
export function decrementFen(rules: Pick<BidRules, 'decrementKind' | 'decrementValue'>, referenceFen: number): number {
  if (rules.decrementKind === 'absolute') return Math.max(1, rules.decrementValue);
  return Math.max(1, Math.ceil((referenceFen * rules.decrementValue) / 10_000));
}

/**
 * The highest amount this supplier may bid now: the ceiling, its own last bid minus the
 * decrement and, where the best price is shown (best-price and ladder modes), the best minus it.
 */
export function maxAllowedBid(rules: BidRules, own: number | null, best: number | null): number {
  let max = rules.ceilingFen;
  if (own !== null) max = Math.min(max, own - decrementFen(rules, own));
  if (best !== null && rules.visibility !== 'rank_only') max = Math.min(max, best - decrementFen(rules, best));
  return max;
}

export function checkBid(rules: BidRules, amount: number, own: number | null, best: number | null): BidRejection | null {
  if (parseAmount(amount) === null) return 'BAD_AMOUNT';
  if (amount > rules.ceilingFen) return 'ABOVE_CEILING';
  if (own !== null && amount > own - decrementFen(rules, own)) return 'NOT_BELOW_OWN_BID';
  if (best !== null && rules.visibility !== 'rank_only' && amount > best - decrementFen(rules, best)) return 'NOT_BELOW_BEST';
  return null;
}

/** Lower price first; equal prices by who was accepted first. */
export function compareStanding(a: Standing, b: Standing): number {
  return a.amountFen - b.amountFen || a.seq - b.seq;
}

export function rankOf(sorted: readonly Standing[], supplierId: number): number | null {
  const i = sorted.findIndex((s) => s.supplierId === supplierId);
  return i < 0 ? null : i + 1;
}

/** Anti-sniping: a valid bid in the last N seconds moves the end to now + N, up to the hard cap. */
export function extendedEnd(endsAt: number, acceptedAt: number, extensionSec: number, hardEndAt: number | null): number {
  if (extensionSec <= 0 || endsAt - acceptedAt >= extensionSec * 1000) return endsAt;
  let next = acceptedAt + extensionSec * 1000;
  if (hardEndAt !== null) next = Math.min(next, hardEndAt);
  return Math.max(endsAt, next);
}

/** The multi-brand rule at the start time: enough suppliers and enough distinct brands. */
export function openingShortfall(participants: ReadonlyArray<{ brand: string }>, minSuppliers: number, minBrands: number): { suppliers: number; brands: number } | null {
  const brands = new Set(participants.map((p) => normaliseBrand(p.brand))).size;
  if (participants.length >= minSuppliers && brands >= minBrands) return null;
  return { suppliers: participants.length, brands };
}

export function normaliseBrand(brand: string): string {
  return brand.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** Supplier A, B, ... Z, AA, AB ... in the order they joined. */
export function participantLabel(index: number): string {
  let s = '';
  let n = index;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/** Savings against the ceiling, in fen, and in basis points of the ceiling. */
export function savings(ceilingFen: number, priceFen: number): { fen: number; bp: number } {
  const fen = ceilingFen - priceFen;
  return { fen, bp: ceilingFen > 0 ? Math.round((fen * 10_000) / ceilingFen) : 0 };
}
