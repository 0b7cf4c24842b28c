// Exact integer allocation of an amount in fen over weights (largest remainder, Hamilton):
// the parts always sum to the total, and no float ever touches money.

/** Splits `total` fen over `weights` (non-negative integers) in proportion; ties go to the earlier part. */
export function allocateFen(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total)) throw new Error(`allocateFen: total must be integer fen (got ${total})`);
  if (weights.length === 0) return [];
  const w = weights.map((x) => BigInt(Math.max(0, x)));
  let sum = w.reduce((a, b) => a + b, 0n);
  // Nothing to weigh by: split evenly.
  const ws = sum === 0n ? w.map(() => 1n) : w;
  if (sum === 0n) sum = BigInt(w.length);
  const T = BigInt(total);
  const parts = ws.map((x) => (T * x) / sum); // BigInt division truncates toward zero
  const rems = ws.map((x, i) => ({ i, r: T * x - parts[i] * sum }));
  let left = T - parts.reduce((a, b) => a + b, 0n);
  const step = left >= 0n ? 1n : -1n;
  // Largest remainders first (for a negative total, most negative remainder first).
  rems.sort((a, b) => (step > 0n ? (b.r > a.r ? 1 : b.r < a.r ? -1 : a.i - b.i) : a.r > b.r ? 1 : a.r < b.r ? -1 : a.i - b.i));
  for (let k = 0; left !== 0n; k = (k + 1) % rems.length) {
    parts[rems[k].i] += step;
    left -= step;
  }
  return parts.map(Number);
}

/** Savings rate in basis points (1/100 of a percent) from integer fen: round((ref - paid) / ref). */
export function savingsBp(referenceFen: number, paidFen: number): number | null {
  if (referenceFen <= 0) return null;
  const num = (BigInt(referenceFen) - BigInt(paidFen)) * 20000n;
  const den = BigInt(referenceFen) * 2n;
  // round half away from zero of num/den/… : (2x + d) / 2d
  const q = num >= 0n ? (num + BigInt(referenceFen)) / den : (num - BigInt(referenceFen)) / den;
  return Number(q);
}

/** Share in basis points of part over whole, rounded half up. */
export function shareBp(partFen: number, wholeFen: number): number | null {
  if (wholeFen <= 0) return null;
  return Number((BigInt(partFen) * 20000n + BigInt(wholeFen)) / (BigInt(wholeFen) * 2n));
}

/**
 * Herfindahl-Hirschman index on the 0..10,000 scale from suppliers' values in fen, exact:
 * Σ (s_i / S)² × 10,000, rounded half up.
 */
export function hhi(valuesFen: readonly number[]): number | null {
  const S = valuesFen.reduce((a, b) => a + BigInt(b), 0n);
  if (S <= 0n) return null;
  const sq = valuesFen.reduce((a, b) => a + BigInt(b) * BigInt(b), 0n);
  return Number((sq * 20000n + S * S) / (S * S * 2n));
}
