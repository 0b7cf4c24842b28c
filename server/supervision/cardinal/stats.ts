// Quartiles as Cardinal computes them (statrs OrderStatistics: the R-8, median-unbiased
// estimator), so our fences match the reference implementation on the same data.
export function quantile(values: readonly number[], tau: number): number {
  if (values.length === 0 || tau < 0 || tau > 1) return Number.NaN;
  const data = [...values].sort((a, b) => a - b);
  const n = data.length;
  const h = (n + 1 / 3) * tau + 1 / 3;
  const hf = Math.trunc(h);
  if (hf <= 0 || tau === 0) return data[0];
  if (hf >= n || tau === 1) return data[n - 1];
  const a = data[hf - 1];
  const b = data[hf];
  return a + (h - hf) * (b - a);
}

export const lowerQuartile = (v: readonly number[]) => quantile(v, 0.25);
export const upperQuartile = (v: readonly number[]) => quantile(v, 0.75);
export const percentile = (v: readonly number[], p: number) => quantile(v, p / 100);

/** Q1 - 1.5 IQR */
export function lowerFence(v: readonly number[]): { q1: number; q3: number; fence: number } {
  const q1 = lowerQuartile(v);
  const q3 = upperQuartile(v);
  return { q1, q3, fence: q1 - 1.5 * (q3 - q1) };
}

/** Q3 + 1.5 IQR */
export function upperFence(v: readonly number[]): { q1: number; q3: number; fence: number } {
  const q1 = lowerQuartile(v);
  const q3 = upperQuartile(v);
  return { q1, q3, fence: q3 + 1.5 * (q3 - q1) };
}
