// Reports count months in China Standard Time (UTC+8, no daylight saving): a purchase awarded at
// 20:00 UTC on 31 March belongs to April for the finance bureau.
import { fromDbTime } from '../../db/time';

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
