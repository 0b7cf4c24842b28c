// The legal numbers of a public tender, each with the regulation it comes from, and the pure
// checks built on them. Numbers the workflow body also uses (bidding period, minimum valid bids,
// award notice and challenge periods) are read from its configurable rule book at run time
// (./legal.ts); their defaults come from that book too, and the numbers only tendering has are here.
import { DEFAULT_RULES } from '../../core/rules/rule-book';
import { endOfLocalDay } from '../../core/rules/calendar';

export interface RuleDef {
  value: number;
  unit: 'days' | 'working_days' | 'count' | 'percent' | 'minutes';
  source: string;
}

export type CategoryKind = 'goods' | 'services' | 'works';
export type EvaluationMethod = 'comprehensive' | 'lowest_price';

export const TENDER_RULES = {
  tenderBiddingPeriodDays: DEFAULT_RULES.tenderBiddingPeriodDays,
  amendmentNoticeDays: { value: 15, unit: 'days', source: 'MOF Order No. 87 (2017): a clarification or amendment that may affect bid preparation is issued at least 15 days before the deadline, otherwise the deadline moves' },
  tenderMinimumValidBids: DEFAULT_RULES.tenderMinimumValidBids,
  priceWeightGoodsMin: { value: 30, unit: 'percent', source: 'MOF Order No. 87 art. 55: price weight 30 %-60 % for goods in comprehensive scoring' },
  priceWeightGoodsMax: { value: 60, unit: 'percent', source: 'MOF Order No. 87 art. 55: price weight 30 %-60 % for goods in comprehensive scoring' },
  priceWeightServicesMin: { value: 10, unit: 'percent', source: 'MOF Order No. 87 art. 55: price weight 10 %-30 % for services in comprehensive scoring' },
  priceWeightServicesMax: { value: 30, unit: 'percent', source: 'MOF Order No. 87 art. 55: price weight 10 %-30 % for services in comprehensive scoring' },
  smeDeductionGoodsServicesMin: { value: 10, unit: 'percent', source: 'Finance Treasury [2020] No. 46 (amended 2022): 10 %-20 % price deduction for small and micro enterprises, goods and services' },
  smeDeductionGoodsServicesMax: { value: 20, unit: 'percent', source: 'Finance Treasury [2020] No. 46 (amended 2022): 10 %-20 % price deduction for small and micro enterprises, goods and services' },
  smeDeductionWorksMin: { value: 3, unit: 'percent', source: 'Finance Treasury [2020] No. 46 (amended 2022): 3 %-5 % price deduction for small and micro enterprises, works' },
  smeDeductionWorksMax: { value: 5, unit: 'percent', source: 'Finance Treasury [2020] No. 46 (amended 2022): 3 %-5 % price deduction for small and micro enterprises, works' },
  committeeMinimumSize: DEFAULT_RULES.drawMinimumCommittee,
  committeeLargeProjectSize: { value: 7, unit: 'count', source: 'MOF Order No. 87 art. 47: at least 7 members when the budget is 10,000,000 CNY or more' },
  committeeLargeProjectBudgetYuan: { value: 10_000_000, unit: 'count', source: 'MOF Order No. 87 art. 47: budget of 10,000,000 CNY or more needs a larger committee' },
  abnormallyLowPercentOfAverage: { value: 80, unit: 'percent', source: 'MOF Order No. 87 art. 60 (abnormally low price must be explained); platform default: under 80 % of the average valid price' },
  decryptionWindowMinutes: { value: 30, unit: 'minutes', source: 'Platform default: bidders decrypt their own bids within 30 minutes of the opening' },
  recommendedCandidates: { value: 3, unit: 'count', source: 'MOF Order No. 87 art. 65: the committee recommends ranked winning candidates' },
  awardNoticeWorkingDays: DEFAULT_RULES.awardNoticeWorkingDays,
  challengePeriodWorkingDays: DEFAULT_RULES.challengePeriodWorkingDays,
} satisfies Record<string, RuleDef>;

export type TenderRuleKey = keyof typeof TENDER_RULES;
export const ruleValue = (k: TenderRuleKey): number => TENDER_RULES[k].value;

const DAY = 86_400_000;

export interface Criterion {
  key: string;
  name: string;
  kind: 'price' | 'technical' | 'commercial';
  weight: number; // points out of 100
}

export interface TemplateTerms {
  kind: CategoryKind;
  method: EvaluationMethod;
  priceWeight: number;
  smeDeductionPct: number;
  criteria: Criterion[];
  requirements: Array<{ key: string }>;
  qualifications: Array<{ key: string }>;
  budgetFen: number;
}

export interface RuleViolation {
  code: string;
  message: string;
  source?: string;
  details?: Record<string, unknown>;
}

export function priceWeightRange(kind: CategoryKind): { min: number; max: number; source: string } | null {
  if (kind === 'goods') return { min: ruleValue('priceWeightGoodsMin'), max: ruleValue('priceWeightGoodsMax'), source: TENDER_RULES.priceWeightGoodsMin.source };
  if (kind === 'services') return { min: ruleValue('priceWeightServicesMin'), max: ruleValue('priceWeightServicesMax'), source: TENDER_RULES.priceWeightServicesMin.source };
  return null; // works follow the Bidding Law's own scoring rules: no range in Order 87
}

export function smeDeductionRange(kind: CategoryKind): { min: number; max: number; source: string } {
  return kind === 'works'
    ? { min: ruleValue('smeDeductionWorksMin'), max: ruleValue('smeDeductionWorksMax'), source: TENDER_RULES.smeDeductionWorksMin.source }
    : { min: ruleValue('smeDeductionGoodsServicesMin'), max: ruleValue('smeDeductionGoodsServicesMax'), source: TENDER_RULES.smeDeductionGoodsServicesMin.source };
}

/** The legal checks on a filled template's evaluation terms (empty when all pass). */
export function checkTerms(t: TemplateTerms): RuleViolation[] {
  const out: RuleViolation[] = [];
  const keys = (xs: Array<{ key: string }>) => new Set(xs.map((x) => x.key)).size === xs.length;
  if (!keys(t.requirements) || !keys(t.qualifications) || !keys(t.criteria)) out.push({ code: 'DUPLICATE_KEYS', message: 'Requirement, qualification and criterion keys are unique' });
  if (t.requirements.length === 0) out.push({ code: 'NO_REQUIREMENTS', message: 'The documents state at least one requirement' });
  if (t.smeDeductionPct !== 0) {
    const r = smeDeductionRange(t.kind);
    if (t.smeDeductionPct < r.min || t.smeDeductionPct > r.max) out.push({ code: 'SME_DEDUCTION_OUT_OF_RANGE', message: `The small-business price deduction for ${t.kind} is ${r.min}%-${r.max}% (or none)`, source: r.source, details: r });
  }
  if (t.method === 'lowest_price') {
    if (t.criteria.length) out.push({ code: 'CRITERIA_WITH_LOWEST_PRICE', message: 'The lowest evaluated price method has no scoring criteria' });
    return out;
  }
  const price = t.criteria.filter((c) => c.kind === 'price');
  if (price.length !== 1) out.push({ code: 'PRICE_CRITERION', message: 'Comprehensive scoring has exactly one price criterion' });
  else if (price[0].weight !== t.priceWeight) out.push({ code: 'PRICE_WEIGHT_MISMATCH', message: 'The price criterion carries the price weight' });
  const range = priceWeightRange(t.kind);
  if (range && (t.priceWeight < range.min || t.priceWeight > range.max)) {
    out.push({ code: 'PRICE_WEIGHT_OUT_OF_RANGE', message: `The price weight for ${t.kind} is ${range.min}%-${range.max}%`, source: range.source, details: { min: range.min, max: range.max, given: t.priceWeight } });
  }
  if (!range && (t.priceWeight < 1 || t.priceWeight > 99)) out.push({ code: 'PRICE_WEIGHT_OUT_OF_RANGE', message: 'The price weight is between 1% and 99%' });
  const sum = t.criteria.reduce((s, c) => s + c.weight, 0);
  if (sum !== 100) out.push({ code: 'WEIGHTS_NOT_100', message: `Criteria weights sum to 100 (they sum to ${sum})`, source: 'MOF Order No. 87 art. 55: scoring items and their weights are set out in the documents', details: { sum } });
  if (t.criteria.some((c) => c.weight <= 0)) out.push({ code: 'ZERO_WEIGHT', message: 'Every criterion carries a positive weight' });
  return out;
}

/** The bidding period check: documents issued at `from`, bids due at `deadline`. */
export function checkBiddingPeriod(from: Date, deadline: Date, openingAt: Date, period: RuleDef = TENDER_RULES.tenderBiddingPeriodDays): RuleViolation[] {
  const out: RuleViolation[] = [];
  const days = period.value;
  if (deadline.getTime() - from.getTime() < days * DAY) {
    out.push({ code: 'BIDDING_PERIOD_TOO_SHORT', message: `At least ${days} days from issuing the documents to the bid deadline`, source: period.source, details: { earliestDeadline: new Date(from.getTime() + days * DAY).toISOString() } });
  }
  if (openingAt.getTime() < deadline.getTime()) out.push({ code: 'OPENING_BEFORE_DEADLINE', message: 'The opening is at or after the bid deadline', source: 'Government Procurement Law; MOF Order No. 87 art. 39: bids are opened at the time fixed for the deadline' });
  return out;
}

/**
 * A substantive amendment issued less than 15 days before the deadline moves the deadline (and the
 * opening, by the same amount) to 15 days after the amendment. Returns null when nothing moves.
 */
export function extendedDeadline(amendedAt: Date, deadline: Date, substantive: boolean): Date | null {
  if (!substantive) return null;
  const earliest = amendedAt.getTime() + ruleValue('amendmentNoticeDays') * DAY;
  return deadline.getTime() < earliest ? new Date(earliest) : null;
}

export function committeeSizeFor(budgetFen: number): number {
  return budgetFen >= ruleValue('committeeLargeProjectBudgetYuan') * 100 ? ruleValue('committeeLargeProjectSize') : ruleValue('committeeMinimumSize');
}

export function checkCommittee(size: number, budgetFen: number): RuleViolation[] {
  const min = committeeSizeFor(budgetFen);
  if (size < min || size % 2 === 0) return [{ code: 'COMMITTEE_SIZE', message: `The committee has an odd number of members, at least ${min}`, source: TENDER_RULES.committeeMinimumSize.source, details: { size, min } }];
  return [];
}

// Working days in China Standard Time, Monday to Friday: the fallback for pure use (unit tests);
// services use the body's calendar with public holidays and make-up days (./legal.ts).
const CST = 8 * 3600_000;
export function addWorkingDays(from: Date, n: number): Date {
  let t = from.getTime();
  let left = n;
  while (left > 0) {
    t += DAY;
    const dow = new Date(t + CST).getUTCDay();
    if (dow !== 0 && dow !== 6) left--;
  }
  return new Date(t);
}

/**
 * When the challenge period ends: the announcement runs its working day(s), then 7 working days;
 * a period of days ends with its last day, at 23:59:59.999 China Standard Time (not at the clock
 * time of the award).
 */
export function challengePeriodEnd(noticeAt: Date, legal: { awardNoticeWorkingDays: RuleDef; challengePeriodWorkingDays: RuleDef; addWorkingDays: (from: Date, n: number) => Date } = { awardNoticeWorkingDays: TENDER_RULES.awardNoticeWorkingDays, challengePeriodWorkingDays: TENDER_RULES.challengePeriodWorkingDays, addWorkingDays }): Date {
  return endOfLocalDay(legal.addWorkingDays(legal.addWorkingDays(noticeAt, legal.awardNoticeWorkingDays.value), legal.challengePeriodWorkingDays.value));
}
