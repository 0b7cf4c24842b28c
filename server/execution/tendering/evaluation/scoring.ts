// The arithmetic of evaluation, pure and exact: integer fen and integer milli-points, rounded half
// up once, so a result can be recomputed by hand from the report.
import type { EvaluationMethod } from '../rules';

/** round(n / d) half up, for non-negative integers, without floating point. */
export function divRound(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/** The price used for the price score: small and micro enterprises get the configured deduction. */
export function evaluatedPriceFen(priceFen: number, smallBusiness: boolean, smeDeductionPct: number): number {
  if (!smallBusiness || smeDeductionPct <= 0) return priceFen;
  return Number(divRound(BigInt(priceFen) * BigInt(100 - smeDeductionPct), 100n));
}

/** Price score in milli-points: lowest valid evaluated price / this evaluated price × weight. */
export function priceScoreMilli(lowestEvaluatedFen: number, evaluatedFen: number, priceWeight: number): number {
  return Number(divRound(BigInt(lowestEvaluatedFen) * BigInt(priceWeight) * 1000n, BigInt(evaluatedFen)));
}

/** Bids priced under pct % of the average valid price (the committee asks for an explanation). */
export function abnormallyLowBids(bids: Array<{ bidId: number; priceFen: number }>, pct: number): Set<number> {
  const out = new Set<number>();
  if (bids.length < 2) return out;
  const sum = bids.reduce((s, b) => s + BigInt(b.priceFen), 0n);
  const n = BigInt(bids.length);
  for (const b of bids) if (BigInt(b.priceFen) * 100n * n < sum * BigInt(pct)) out.add(b.bidId);
  return out;
}

export interface BidForRanking {
  bidId: number;
  supplierId: number;
  priceFen: number;
  smallBusiness: boolean;
  submittedAt: string; // ISO, ties go to the earlier bid
  /** Each committee member's non-price points for this bid (milli-points), one entry per expert. */
  expertTechMilli: number[];
}

export interface RankedBid {
  bidId: number;
  supplierId: number;
  priceFen: number;
  evaluatedPriceFen: number;
  priceScoreMilli: number;
  techScoreMilli: number;
  totalScoreMilli: number;
  rank: number;
  recommended: boolean;
}

/**
 * Ranks the compliant bids. Comprehensive scoring: the committee's technical result is the
 * average of the experts' totals; the price score is computed; ranked by total, then lower
 * price, then technical score, then earlier submission (MOF Order No. 87 art. 65).
 * Lowest evaluated price: ranked by evaluated price, then earlier submission.
 */
export function rankBids(bids: BidForRanking[], terms: { method: EvaluationMethod; priceWeight: number; smeDeductionPct: number; recommend: number }): RankedBid[] {
  if (bids.length === 0) return [];
  const evaluated = bids.map((b) => ({ ...b, evaluatedPriceFen: evaluatedPriceFen(b.priceFen, b.smallBusiness, terms.smeDeductionPct) }));
  const lowest = Math.min(...evaluated.map((b) => b.evaluatedPriceFen));
  const scored = evaluated.map((b) => {
    const tech = b.expertTechMilli.length ? Number(divRound(BigInt(b.expertTechMilli.reduce((s, x) => s + x, 0)), BigInt(b.expertTechMilli.length))) : 0;
    const price = terms.method === 'comprehensive' ? priceScoreMilli(lowest, b.evaluatedPriceFen, terms.priceWeight) : 0;
    return { bidId: b.bidId, supplierId: b.supplierId, priceFen: b.priceFen, evaluatedPriceFen: b.evaluatedPriceFen, priceScoreMilli: price, techScoreMilli: terms.method === 'comprehensive' ? tech : 0, totalScoreMilli: terms.method === 'comprehensive' ? price + tech : 0, submittedAt: b.submittedAt };
  });
  scored.sort((a, b) =>
    terms.method === 'comprehensive'
      ? b.totalScoreMilli - a.totalScoreMilli || a.evaluatedPriceFen - b.evaluatedPriceFen || b.techScoreMilli - a.techScoreMilli || a.submittedAt.localeCompare(b.submittedAt)
      : a.evaluatedPriceFen - b.evaluatedPriceFen || a.submittedAt.localeCompare(b.submittedAt),
  );
  return scored.map(({ submittedAt: _s, ...b }, i) => ({ ...b, rank: i + 1, recommended: i < terms.recommend }));
}

/** Compliance by majority: a check fails when more than half of the committee fails it. */
export function failedChecks(votes: Array<Record<string, boolean>>, checkKeys: string[]): string[] {
  return checkKeys.filter((k) => votes.filter((v) => v[k] === false).length * 2 > votes.length);
}
