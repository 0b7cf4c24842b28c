// The working-day calendar: Monday to Friday in China Standard Time, minus public holidays, plus
// the weekend days the State Council makes working days (调休). Defaults below are the announced
// 2026 arrangement; a city adds or corrects days in calendar_days (which wins).
import type { Knex } from 'knex';

export type DayKind = 'holiday' | 'workday';
const CST_OFFSET_MS = 8 * 3600_000;

function range(from: string, to: string, kind: DayKind, name: string): Array<[string, DayKind, string]> {
  const out: Array<[string, DayKind, string]> = [];
  for (let d = Date.parse(from + 'T00:00:00Z'); d <= Date.parse(to + 'T00:00:00Z'); d += 86400_000) out.push([new Date(d).toISOString().slice(0, 10), kind, name]);
  return out;
}

export const DEFAULT_CALENDAR: Array<[string, DayKind, string]> = [
  ...range('2026-01-01', '2026-01-03', 'holiday', '元旦 New Year'),
  ['2026-01-04', 'workday', '元旦调休'],
  ...range('2026-02-15', '2026-02-23', 'holiday', '春节 Spring Festival'),
  ['2026-02-14', 'workday', '春节调休'],
  ['2026-02-28', 'workday', '春节调休'],
  ...range('2026-04-04', '2026-04-06', 'holiday', '清明节 Qingming'),
  ...range('2026-05-01', '2026-05-05', 'holiday', '劳动节 Labour Day'),
  ['2026-05-09', 'workday', '劳动节调休'],
  ...range('2026-06-19', '2026-06-21', 'holiday', '端午节 Dragon Boat'),
  ...range('2026-09-25', '2026-09-27', 'holiday', '中秋节 Mid-Autumn'),
  ...range('2026-10-01', '2026-10-07', 'holiday', '国庆节 National Day'),
  ['2026-09-20', 'workday', '国庆节调休'],
  ['2026-10-10', 'workday', '国庆节调休'],
];

export class WorkingCalendar {
  constructor(private days: Map<string, DayKind>) {}

  static fromEntries(entries: Array<[string, DayKind, string?]>): WorkingCalendar {
    return new WorkingCalendar(new Map(entries.map(([d, k]) => [d, k])));
  }

  /** The CST calendar date of an instant. */
  static localDay(at: Date): string {
    return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
  }

  isWorkingDay(day: string): boolean {
    const k = this.days.get(day);
    if (k) return k === 'workday';
    const dow = new Date(day + 'T00:00:00Z').getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /**
   * The instant n working days after `from`: the same time of day on the n-th working day after
   * from's date (a period starting on a holiday counts from the next working day).
   */
  addWorkingDays(from: Date, n: number): Date {
    let t = from.getTime();
    let left = n;
    while (left > 0) {
      t += 86400_000;
      if (this.isWorkingDay(WorkingCalendar.localDay(new Date(t)))) left--;
    }
    return new Date(t);
  }

  /** Working days wholly between two instants (the count addWorkingDays would need). */
  workingDaysBetween(from: Date, to: Date): number {
    let n = 0;
    let t = from.getTime();
    while (t + 86400_000 <= to.getTime()) {
      t += 86400_000;
      if (this.isWorkingDay(WorkingCalendar.localDay(new Date(t)))) n++;
    }
    return n;
  }
}

export async function loadCalendar(db: Knex): Promise<WorkingCalendar> {
  const map = new Map<string, DayKind>(DEFAULT_CALENDAR.map(([d, k]) => [d, k]));
  for (const r of await db('calendar_days').select()) map.set(r.day, r.kind);
  return new WorkingCalendar(map);
}

export const addDays = (from: Date, n: number): Date => new Date(from.getTime() + n * 86400_000);
