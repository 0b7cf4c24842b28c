// Times are stored as UTC text 'YYYY-MM-DD HH:MM:SS.mmm' in both dialects
// (DATETIME(3) on MySQL with dateStrings, TEXT on SQLite): sortable, unambiguous, one code path.
export function toDbTime(d: Date | number): string {
  const date = typeof d === 'number' ? new Date(d) : d;
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * The first instant of a calendar day in China Standard Time (UTC+8, no daylight saving): the
 * public searches by date mean the day in Beijing, not the UTC day the database stores.
 */
export function chinaDayStart(day: string): Date {
  return new Date(`${day}T00:00:00+08:00`);
}

/** The first instant after a CST calendar day. */
export function chinaDayEnd(day: string): Date {
  return new Date(chinaDayStart(day).getTime() + 86_400_000);
}

export function fromDbTime(v: string | Date | null | undefined): Date | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v;
  return new Date(v.replace(' ', 'T') + 'Z');
}

export function isoFromDb(v: string | Date | null | undefined): string | null {
  const d = fromDbTime(v);
  return d ? d.toISOString() : null;
}

/** An injectable clock so tests can move time (deadlines, sessions, rate limits). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 5, 1, 0, 0)) {}
  now(): Date {
    return new Date(this.t);
  }
  set(d: Date | number): void {
    this.t = typeof d === 'number' ? d : d.getTime();
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
