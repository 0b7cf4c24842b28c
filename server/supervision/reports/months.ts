// Reports count months in China Standard Time (UTC+8, no daylight saving): a purchase awarded at
// 20:00 UTC on 31 March belongs to April for the finance bureau.
import { fromDbTime, toDbTime } from '../../db/time';

const CST_MS = 8 * 3600_000;

export function cstMonth(v: string | Date | null | undefined): string | null {
  const d = fromDbTime(v as string | Date | null);
  if (!d) return null;
  return new Date(d.getTime() + CST_MS).toISOString().slice(0, 7);
}

/** The months of a period, inclusive ('2026-01'..'2026-03'). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split('-').map(Number);
  const [ty, tm] = to.split('-').map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
    if (out.length > 1200) break;
  }
  return out;
}

/**
 * A CST month as a half-open range of stored times (UTC text, see db/time.ts): from the first
 * instant of `from` to the first instant after `to`, so a timestamp filter agrees with cstMonth().
 */
export function cstMonthRangeDb(from?: string, to?: string): { start?: string; end?: string } {
  const first = (m: string) => new Date(`${m}-01T00:00:00+08:00`);
  const out: { start?: string; end?: string } = {};
  if (from) out.start = toDbTime(first(from));
  if (to) {
    const [y, m] = to.split('-').map(Number);
    out.end = toDbTime(first(m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`));
  }
  return out;
}
