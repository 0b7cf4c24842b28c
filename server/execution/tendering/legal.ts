// The legal numbers this module shares with the procurement workflow come from the body's rule
// book and working-day calendar (a city's overrides and public holidays apply); the numbers
// only tendering uses (price weights, amendments, committee) stay in ./rules.ts.
import type { Knex } from 'knex';
import { loadRuleBook } from '../../core/rules/rule-book';
import { loadCalendar } from '../../core/rules/calendar';
import type { RuleDef } from './rules';

export interface LegalContext {
  biddingPeriodDays: RuleDef;
  minValidBids: RuleDef;
  awardNoticeWorkingDays: RuleDef;
  challengePeriodWorkingDays: RuleDef;
  /** Keys a bidder may hand in for one bid during the decryption window. */
  maxKeyAttempts: RuleDef;
  addWorkingDays: (from: Date, n: number) => Date;
}

export async function loadLegal(db: Knex): Promise<LegalContext> {
  const book = await loadRuleBook(db);
  const cal = await loadCalendar(db);
  const def = (k: keyof typeof book): RuleDef => ({ value: book[k].value, unit: book[k].unit as RuleDef['unit'], source: book[k].source });
  return {
    biddingPeriodDays: def('tenderBiddingPeriodDays'),
    minValidBids: def('tenderMinimumValidBids'),
    awardNoticeWorkingDays: def('awardNoticeWorkingDays'),
    challengePeriodWorkingDays: def('challengePeriodWorkingDays'),
    maxKeyAttempts: def('tenderMaxKeyAttempts'),
    addWorkingDays: (from, n) => cal.addWorkingDays(from, n),
  };
}
