// Framework-agreement rules as pure functions (unit-tested): the agreement's term, the response
// period, who enters under price or quality priority, and what an order costs at agreement prices.
// The numbers come from the rule book (MOF Order No. 110, see server/core/rules/rule-book.ts).

export type EvaluationMethod = 'price_priority' | 'quality_priority';
export type OrderMode = 'direct' | 'competition' | 'rotation';
export const ORDER_MODES: readonly OrderMode[] = ['direct', 'competition', 'rotation'];

export interface EntryRules {
  minimumResponders: number;
  eliminationRatePercent: number;
  minimumEliminated: number;
}

export interface RankedResponse {
  responseId: number;
  supplierId: number;
  totalFen: number;
  qualityScore: number | null;
  submittedAt: number; // ms
}

export type EntryOutcome =
  | { ok: true; entries: RankedResponse[]; eliminated: RankedResponse[]; maxEntries: number }
  | { ok: false; code: 'TOO_FEW_RESPONDERS' | 'QUALITY_SCORE_MISSING'; valid: number; needed: number };

/**
 * Entry: the valid responses ranked (price priority: lowest total first; quality priority: highest
 * score first, then the lower price), and at least the elimination rate of them, and at least the
 * minimum number, eliminated (a closed framework agreement never admits everyone who qualifies).
 */
export function selectEntries(method: EvaluationMethod, valid: RankedResponse[], rules: EntryRules): EntryOutcome {
  const n = valid.length;
  if (n < rules.minimumResponders) return { ok: false, code: 'TOO_FEW_RESPONDERS', valid: n, needed: rules.minimumResponders };
  if (method === 'quality_priority' && valid.some((r) => r.qualityScore === null)) return { ok: false, code: 'QUALITY_SCORE_MISSING', valid: n, needed: n };
  const eliminate = Math.max(rules.minimumEliminated, Math.ceil((n * rules.eliminationRatePercent) / 100));
  const maxEntries = n - eliminate;
  if (maxEntries < 1) return { ok: false, code: 'TOO_FEW_RESPONDERS', valid: n, needed: eliminate + 1 };
  const ranked = [...valid].sort((a, b) =>
    method === 'price_priority'
      ? a.totalFen - b.totalFen || a.submittedAt - b.submittedAt
      : (b.qualityScore ?? 0) - (a.qualityScore ?? 0) || a.totalFen - b.totalFen || a.submittedAt - b.submittedAt,
  );
  return { ok: true, entries: ranked.slice(0, maxEntries), eliminated: ranked.slice(maxEntries), maxEntries };
}

/** Whole months from start to the day after the end (both YYYY-MM-DD, the end inclusive). */
export function termMonths(start: string, end: string): number {
  const [ys, ms, ds] = start.split('-').map(Number);
  const [ye, me, de] = end.split('-').map(Number);
  const after = new Date(Date.UTC(ye, me - 1, de) + 86_400_000);
  const months = (after.getUTCFullYear() - ys) * 12 + (after.getUTCMonth() + 1 - ms);
  // A term ending a day past a whole month counts that month too.
  return after.getUTCDate() > ds ? months + 1 : months;
}

export interface PricedItem {
  itemId: number;
  categoryCode: string;
  unitPriceFen: number;
}

/**
 * What an order costs at one entry supplier's agreement prices: each requisition item is bought as
 * the agreement item of its category (the first by line number). Null when an item is not covered.
 */
export function orderValueFen(items: Array<{ categoryCode: string; quantity: number }>, prices: PricedItem[]): number | null {
  let total = 0;
  for (const it of items) {
    const p = prices.find((x) => x.categoryCode === it.categoryCode);
    if (!p) return null;
    total += p.unitPriceFen * it.quantity;
  }
  return total;
}

/** Rotation (顺序轮候): the entry at the pointer, among the signed entries in rank order, cycling. */
export function rotationPick<T extends { rank: number }>(signed: T[], pointer: number): { entry: T; next: number } | null {
  if (signed.length === 0) return null;
  const ordered = [...signed].sort((a, b) => a.rank - b.rank);
  const i = ((pointer % ordered.length) + ordered.length) % ordered.length;
  return { entry: ordered[i], next: (i + 1) % ordered.length };
}

/** Status as read at a moment: an active agreement past its last day has expired. */
export function effectiveStatus(status: string, termEnd: string, today: string): string {
  return status === 'active' && today > termEnd ? 'expired' : status;
}
