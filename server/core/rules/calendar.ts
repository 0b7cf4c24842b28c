// The working-day calendar: Monday to Friday in China Standard Time, minus public holidays, plus
// the weekend days the State Council makes working days (调休). Where a day comes from, first
// match wins:
//   1. 'city'        the city's own days (calendar_days, PUT /api/calendar/:day); never provisional.
//   2. 'official'    the State Council's announced arrangement for the year, as carried by the
//                    maintained library lunar-javascript (HolidayUtil; 2002–2026 at version 1.7.7).
//   3. 'provisional' a year the library does not have yet: computed from the lunar calendar with
//                    the usual lengths (provisionalDays below), flagged provisional until an admin
//                    confirms the year (calendar_years keeps the days confirmed, which then stay).
// The built-in days of a year are pure computation and cached in memory per year; the city's days
// and confirmations are read from the database by every loadCalendar (nothing of them is cached).
import type { Knex } from 'knex';
import { HolidayUtil, Lunar, Solar } from 'lunar-javascript';
import { toDbTime, isoFromDb } from '../../db/time';

export type DayKind = 'holiday' | 'workday';
export type DaySource = 'official' | 'provisional' | 'city';
/** official: announced (library); confirmed: computed, then confirmed by an admin; provisional: computed only. */
export type YearStatus = 'official' | 'confirmed' | 'provisional';

export interface CalendarDay {
  day: string; // YYYY-MM-DD, China Standard Time
  kind: DayKind;
  nameZh: string;
  nameEn: string;
  source: DaySource;
  provisional: boolean;
}

export interface YearConfirmation {
  year: number;
  confirmedAt: string; // ISO
  confirmedBy: number | null;
  /** The built-in days the admin confirmed (kept, so a later change of the computation cannot move them). */
  days: CalendarDay[];
}

/** Years the calendar computes (the library's announced data starts with 2002). */
export const CALENDAR_MIN_YEAR = 2002;
export const CALENDAR_MAX_YEAR = 2099;

const CST_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 86400_000;

const NAME_EN: Record<string, string> = {
  元旦节: "New Year's Day",
  春节: 'Spring Festival',
  清明节: 'Qingming Festival',
  劳动节: 'Labour Day',
  端午节: 'Dragon Boat Festival',
  中秋节: 'Mid-Autumn Festival',
  国庆节: 'National Day',
  国庆中秋: 'National Day and Mid-Autumn Festival',
  抗战胜利日: 'Victory Day',
};

function named(festival: string, kind: DayKind): { nameZh: string; nameEn: string } {
  const en = NAME_EN[festival] ?? festival;
  return kind === 'holiday' ? { nameZh: festival, nameEn: en } : { nameZh: `${festival}调休上班`, nameEn: `${en}: make-up working day` };
}

// ---- official arrangements (the library) -------------------------------------------------------

let officialData: { years: Set<number>; byYear: Map<number, CalendarDay[]> } | null = null;

function official() {
  if (officialData) return officialData;
  const years = new Set<number>();
  const byYear = new Map<number, CalendarDay[]>();
  // The announced years are consecutive: read until the first year after them with no day.
  for (let y = CALENDAR_MIN_YEAR - 1; y <= CALENDAR_MAX_YEAR; y++) {
    const holidays = HolidayUtil.getHolidays(y);
    if (!holidays.length && y >= CALENDAR_MIN_YEAR) break;
    for (const h of holidays) {
      // A year is announced when the library has its arrangement (days targeting its festivals);
      // a day is listed in its own year (a December make-up day for next New Year's Day included).
      years.add(Number(h.getTarget().slice(0, 4)));
      const kind: DayKind = h.isWork() ? 'workday' : 'holiday';
      const year = Number(h.getDay().slice(0, 4));
      if (!byYear.has(year)) byYear.set(year, []);
      byYear.get(year)!.push({ day: h.getDay(), kind, ...named(h.getName(), kind), source: 'official', provisional: false });
    }
  }
  officialData = { years, byYear };
  return officialData;
}

/** The years whose official arrangement the library carries. */
export function officialYears(): number[] {
  return [...official().years].sort((a, b) => a - b);
}

// ---- provisional arrangements (computed) -------------------------------------------------------

function run(start: Solar, n: number): Solar[] {
  return Array.from({ length: n }, (_, i) => start.next(i));
}

/**
 * A one-day holiday (New Year's Day, Qingming, Dragon Boat, Mid-Autumn) with the weekend it joins:
 * on a Friday or a Monday it joins the weekend; on a Saturday or a Sunday the next Monday is given
 * in lieu (全国年节及纪念日放假办法, art. 6: a holiday falling on a weekend is made up on a working
 * day); on a Tuesday to Thursday it is the day alone (no bridging, which would need a make-up day).
 */
function withWeekend(d: Solar): Solar[] {
  switch (d.getWeek()) {
    case 1:
      return [d.next(-2), d.next(-1), d];
    case 5:
    case 6:
      return [d, d.next(1), d.next(2)];
    case 0:
      return [d.next(-1), d, d.next(1)];
    default:
      return [d];
  }
}

/**
 * The provisional holidays of a year the State Council has not announced yet, from the lunar
 * calendar and the usual lengths since the 2025 rules: New Year's Day (1 Jan); Spring Festival
 * 8 days from lunar New Year's Eve; Qingming on the Qingming solar term; Labour Day 1–5 May;
 * Dragon Boat on lunar 5/5; Mid-Autumn on lunar 8/15; National Day 1–7 October, or, when
 * Mid-Autumn falls between 29 September and 8 October, one 8-day National Day and Mid-Autumn
 * holiday (as in 2012, 2017, 2020, 2023, 2025). No make-up working weekend is invented: the
 * announced arrangement may add some, which only shortens periods, so deadlines counted on the
 * provisional calendar are never shorter than the announced one would give.
 */
export function provisionalDays(year: number): CalendarDay[] {
  const out = new Map<string, CalendarDay>();
  const add = (days: Solar[], festival: string) => {
    for (const s of days) {
      const day = s.toYmd();
      if (day.startsWith(`${year}-`) && !out.has(day)) out.set(day, { day, kind: 'holiday', ...named(festival, 'holiday'), source: 'provisional', provisional: true });
    }
  };
  const newYear = Lunar.fromYmd(year, 1, 1);
  add(withWeekend(Solar.fromYmd(year, 1, 1)), '元旦节');
  add(run(newYear.getSolar().next(-1), 8), '春节');
  add(withWeekend(newYear.getJieQiTable()['清明']), '清明节');
  add(run(Solar.fromYmd(year, 5, 1), 5), '劳动节');
  add(withWeekend(Lunar.fromYmd(year, 5, 5).getSolar()), '端午节');
  const midAutumn = Lunar.fromYmd(year, 8, 15).getSolar();
  const m = midAutumn.toYmd();
  if (m >= `${year}-09-29` && m <= `${year}-10-08`) {
    add(run(m < `${year}-10-01` ? midAutumn : Solar.fromYmd(year, 10, 1), 8), '国庆中秋');
  } else {
    add(withWeekend(midAutumn), '中秋节');
    add(run(Solar.fromYmd(year, 10, 1), 7), '国庆节');
  }
  return [...out.values()].sort((a, b) => a.day.localeCompare(b.day));
}

// ---- built-in days per year (cached: pure computation) -----------------------------------------

interface BuiltInYear {
  official: boolean;
  days: Map<string, CalendarDay>;
}

const builtInCache = new Map<number, BuiltInYear>();
const NO_DAYS: BuiltInYear = { official: false, days: new Map() };

/** The library's days of a year, or the provisional ones where it has none (cached per year). */
export function builtInYear(year: number): BuiltInYear {
  const hit = builtInCache.get(year);
  if (hit) return hit;
  if (!Number.isInteger(year) || year < CALENDAR_MIN_YEAR || year > CALENDAR_MAX_YEAR) return NO_DAYS;
  const data = official();
  const isOfficial = data.years.has(year);
  const days = new Map<string, CalendarDay>((data.byYear.get(year) ?? []).map((d) => [d.day, d]));
  if (!isOfficial) for (const d of provisionalDays(year)) if (!days.has(d.day)) days.set(d.day, d);
  const built = { official: isOfficial, days };
  builtInCache.set(year, built);
  return built;
}

const yearOf = (day: string) => Number(day.slice(0, 4));

export class WorkingCalendar {
  private confirmedDays = new Map<number, Map<string, CalendarDay>>();
  /** isWorkingDay by CST day number (days since 1970-01-01), for the counting loops. */
  private workingByDayNo = new Map<number, boolean>();
  private provisionalByDayNo = new Map<number, boolean>();

  constructor(
    private city: ReadonlyMap<string, CalendarDay> = new Map(),
    private confirmations: ReadonlyMap<number, YearConfirmation> = new Map(),
  ) {
    for (const [year, c] of confirmations) this.confirmedDays.set(year, new Map(c.days.map((d) => [d.day, { ...d, provisional: false }])));
  }

  /** Built-in days plus the given days as the city's own (tests, tools). */
  static fromEntries(entries: Array<[string, DayKind, string?]>): WorkingCalendar {
    return new WorkingCalendar(new Map(entries.map(([day, kind, name]) => [day, { day, kind, nameZh: name ?? day, nameEn: name ?? day, source: 'city' as const, provisional: false }])));
  }

  /** The CST calendar date of an instant. */
  static localDay(at: Date): string {
    return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
  }

  private builtIn(year: number): ReadonlyMap<string, CalendarDay> {
    const b = builtInYear(year);
    if (b.official) return b.days;
    return this.confirmedDays.get(year) ?? b.days;
  }

  /** The listed day (holiday or working weekend), or null for an ordinary weekday or weekend. */
  dayInfo(day: string): CalendarDay | null {
    return this.city.get(day) ?? this.builtIn(yearOf(day)).get(day) ?? null;
  }

  isWorkingDay(day: string): boolean {
    const k = this.city.get(day) ?? this.builtIn(yearOf(day)).get(day);
    if (k) return k.kind === 'workday';
    const dow = new Date(day + 'T00:00:00Z').getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /** A day whose status comes from a provisional calendar not yet confirmed. */
  isProvisionalDay(day: string): boolean {
    return !this.city.has(day) && this.builtIn(yearOf(day)).get(day)?.provisional === true;
  }

  /**
   * The instant n working days after `from`: the same time of day on the n-th working day after
   * from's date (a period starting on a holiday counts from the next working day).
   */
  addWorkingDays(from: Date, n: number): Date {
    let t = from.getTime();
    let left = n;
    while (left > 0) {
      t += DAY_MS;
      if (this.isWorkingAt(t)) left--;
    }
    return new Date(t);
  }

  /** The instant n working days before `to`, at the same time of day (addWorkingDays backwards). */
  subtractWorkingDays(to: Date, n: number): Date {
    let t = to.getTime();
    let left = n;
    while (left > 0) {
      t -= DAY_MS;
      if (this.isWorkingAt(t)) left--;
    }
    return new Date(t);
  }

  /** Working days wholly between two instants (the count addWorkingDays would need). */
  workingDaysBetween(from: Date, to: Date): number {
    let n = 0;
    let t = from.getTime();
    while (t + DAY_MS <= to.getTime()) {
      t += DAY_MS;
      if (this.isWorkingAt(t)) n++;
    }
    return n;
  }

  /** isWorkingDay of the CST day of an instant, remembered per day (calendars are short-lived). */
  private isWorkingAt(t: number): boolean {
    const dayNo = Math.floor((t + CST_OFFSET_MS) / DAY_MS);
    let w = this.workingByDayNo.get(dayNo);
    if (w === undefined) this.workingByDayNo.set(dayNo, (w = this.isWorkingDay(new Date(dayNo * DAY_MS).toISOString().slice(0, 10))));
    return w;
  }

  /**
   * Whether a working-day count from `from` to `to` went over a provisional day: the days after
   * from's date up to and including to's date (the days addWorkingDays looks at).
   */
  isProvisionalSpan(from: Date | string | null, to: Date | string | null): boolean {
    if (!from || !to) return false;
    const dayNo = (x: Date | string) => Math.floor((new Date(x).getTime() + CST_OFFSET_MS) / DAY_MS);
    const last = dayNo(to);
    for (let d = dayNo(from) + 1; d <= last; d++) {
      let p = this.provisionalByDayNo.get(d);
      if (p === undefined) this.provisionalByDayNo.set(d, (p = this.isProvisionalDay(new Date(d * DAY_MS).toISOString().slice(0, 10))));
      if (p) return true;
    }
    return false;
  }

  yearStatus(year: number): YearStatus {
    if (builtInYear(year).official) return 'official';
    return this.confirmations.has(year) ? 'confirmed' : 'provisional';
  }

  confirmation(year: number): YearConfirmation | null {
    return this.confirmations.get(year) ?? null;
  }

  /** The year's built-in days (official, confirmed or provisional), without the city's own. */
  builtInDays(year: number): CalendarDay[] {
    return [...this.builtIn(year).values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Every listed day of a year, holidays and working weekends, the city's own winning. */
  days(year: number): CalendarDay[] {
    const out = new Map(this.builtIn(year));
    for (const [day, d] of this.city) if (yearOf(day) === year) out.set(day, d);
    return [...out.values()].sort((a, b) => a.day.localeCompare(b.day));
  }
}

const cityDay = (r: any): CalendarDay => ({ day: r.day, kind: r.kind, nameZh: r.name, nameEn: r.name_en ?? r.name, source: 'city', provisional: false });

/** The calendar with the city's days and confirmed years as stored now (read on every call). */
export async function loadCalendar(db: Knex): Promise<WorkingCalendar> {
  const rows = await db('calendar_days').select('day', 'kind', 'name', 'name_en');
  const years = await db('calendar_years').select('year', 'confirmed_at', 'confirmed_by', 'days_json');
  const confirmations = new Map<number, YearConfirmation>(
    years.map((r: any) => [Number(r.year), { year: Number(r.year), confirmedAt: isoFromDb(r.confirmed_at)!, confirmedBy: r.confirmed_by === null ? null : Number(r.confirmed_by), days: JSON.parse(r.days_json) as CalendarDay[] }]),
  );
  return new WorkingCalendar(new Map(rows.map((r: any) => [r.day, cityDay(r)])), confirmations);
}

/** Stores an admin's confirmation of a provisional year (the caller audits it). */
export async function storeConfirmation(db: Knex, year: number, at: Date, userId: number | null, days: CalendarDay[]): Promise<void> {
  await db('calendar_years').insert({ year, confirmed_at: toDbTime(at), confirmed_by: userId, days_json: JSON.stringify(days.map((d) => ({ ...d, provisional: false }))) });
}

/** The CST calendar year and month (1–12) of an instant. */
export function chinaYearMonth(at: Date): { year: number; month: number } {
  const d = WorkingCalendar.localDay(at);
  return { year: Number(d.slice(0, 4)), month: Number(d.slice(5, 7)) };
}

/** From 1 November (China Standard Time) the next year's calendar should be settled. */
export const NOTICE_FROM_MONTH = 11;

/**
 * The years whose calendar is still provisional and should be confirmed now: this year (a year
 * that began unconfirmed) and, from 1 November CST, next year.
 */
export function unconfirmedYears(cal: WorkingCalendar, now: Date): number[] {
  const { year, month } = chinaYearMonth(now);
  const years = month >= NOTICE_FROM_MONTH ? [year, year + 1] : [year];
  return years.filter((y) => y >= CALENDAR_MIN_YEAR && y <= CALENDAR_MAX_YEAR && cal.yearStatus(y) === 'provisional');
}

export const addDays = (from: Date, n: number): Date => new Date(from.getTime() + n * DAY_MS);

/** The last instant (23:59:59.999 China Standard Time) of the CST day of an instant: a period that ends "on" a day ends here. */
export function endOfLocalDay(at: Date): Date {
  const dayNo = Math.floor((at.getTime() + CST_OFFSET_MS) / DAY_MS);
  return new Date((dayNo + 1) * DAY_MS - CST_OFFSET_MS - 1);
}
