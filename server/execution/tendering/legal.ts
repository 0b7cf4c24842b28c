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

/**
 * `tender`: a tender of another procedure (a consultation's final quotations) fails under that
 * procedure's minimum, stored on the tender when it was called (the rule book's consultation
 * minimum, or its exception minimum).
 */
export async function loadLegal(db: Knex, tender?: { procedure?: string | null; min_valid_bids?: number | null }): Promise<LegalContext> {
  const book = await loadRuleBook(db);
  const cal = await loadCalendar(db);
  const def = (k: keyof typeof book): RuleDef => ({ value: book[k].value, unit: book[k].unit as RuleDef['unit'], source: book[k].source });
  return {
    biddingPeriodDays: def('tenderBiddingPeriodDays'),
    minValidBids: tender?.min_valid_bids != null && tender.procedure === 'competitive_consultation' ? { value: Number(tender.min_valid_bids), unit: 'count', source: Number(tender.min_valid_bids) < book.consultationMinimumSuppliers.value ? book.consultationExceptionMinimumSuppliers.source : book.consultationMinimumSuppliers.source } : def('tenderMinimumValidBids'),
    awardNoticeWorkingDays: def('awardNoticeWorkingDays'),
    challengePeriodWorkingDays: def('challengePeriodWorkingDays'),
    maxKeyAttempts: def('tenderMaxKeyAttempts'),
    addWorkingDays: (from, n) => cal.addWorkingDays(from, n),
  };
}
