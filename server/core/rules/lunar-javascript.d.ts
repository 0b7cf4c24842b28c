// The few parts of lunar-javascript (npm, no typings of its own) that the working-day calendar uses.
declare module 'lunar-javascript' {
  export interface Solar {
    toYmd(): string; // YYYY-MM-DD
    next(days: number): Solar;
    getWeek(): number; // 0 = Sunday … 6 = Saturday
  }
  export interface Lunar {
    getSolar(): Solar;
    /** The solar terms around this lunar year, by Chinese name (清明, …). */
    getJieQiTable(): Record<string, Solar>;
  }
  export interface Holiday {
    getDay(): string; // YYYY-MM-DD
    getName(): string; // one of HolidayUtil.NAMES
    isWork(): boolean; // a weekend day made a working day (调休)
    getTarget(): string; // YYYY-MM-DD of the festival the day belongs to
  }
  export const Solar: { fromYmd(year: number, month: number, day: number): Solar };
  export const Lunar: { fromYmd(lunarYear: number, lunarMonth: number, lunarDay: number): Lunar };
  export const HolidayUtil: {
    NAMES: string[];
    /** The announced days of a solar year (or 'YYYY-MM'), holidays and make-up working days. */
    getHolidays(yearOrMonth: number | string): Holiday[];
  };
}
