// Every legal number the workflow enforces, in one table, each with the regulation it comes from.
// These are defaults: a city overrides a value in procurement_rule_settings (PUT /api/rules/:key)
// without touching code. (Approval step time limits belong to each chain step: PUT /api/approval-chains/:orgId.) Money in fen, periods in days or working days as the key says.
import type { Knex } from 'knex';

export interface RuleDef {
  value: number;
  unit: 'fen' | 'days' | 'working_days' | 'count' | 'percent' | 'minutes' | 'flag';
  source: string;
}

const YUAN = 100;

export const DEFAULT_RULES = {
  publicTenderThresholdGoodsServicesFen: { value: 2_000_000 * YUAN, unit: 'fen', source: 'State Council General Office notice on the central centralized-procurement catalogue and thresholds (public tender at or above 2,000,000 CNY for goods and services)' },
  publicTenderThresholdWorksFen: { value: 4_000_000 * YUAN, unit: 'fen', source: 'Bidding Law and its threshold rules (construction contracts at or above 4,000,000 CNY)' },
  decentralizedThresholdGoodsServicesFen: { value: 1_000_000 * YUAN, unit: 'fen', source: 'Central decentralized-procurement threshold, goods and services (1,000,000 CNY)' },
  decentralizedThresholdWorksFen: { value: 1_200_000 * YUAN, unit: 'fen', source: 'Central decentralized-procurement threshold, works (1,200,000 CNY)' },
  tenderBiddingPeriodDays: { value: 20, unit: 'days', source: 'MOF Order No. 87 (2017): at least 20 days from issuing tender documents to the bid deadline' },
  tenderDocumentsAvailableWorkingDays: { value: 5, unit: 'working_days', source: 'MOF Order No. 87 (2017): tender documents available for at least 5 working days' },
  tenderMinimumValidBids: { value: 3, unit: 'count', source: 'Government Procurement Law art. 36; MOF Order No. 87: fewer than 3 bidders or valid bids fails the tender' },
  inquiryResponsePeriodWorkingDays: { value: 3, unit: 'working_days', source: 'MOF Order No. 74: inquiry, at least 3 working days from issuing documents to the deadline' },
  negotiationResponsePeriodWorkingDays: { value: 3, unit: 'working_days', source: 'MOF Order No. 74: competitive negotiation, at least 3 working days from issuing documents to the deadline' },
  nonTenderMinimumSuppliers: { value: 3, unit: 'count', source: 'MOF Order No. 74: inquiry and competitive negotiation need at least 3 suppliers' },
  singleSourceNoticeWorkingDays: { value: 5, unit: 'working_days', source: 'MOF Order No. 74; Finance Treasury [2014] No. 214: single-source justification published for at least 5 working days' },
  awardNoticeWorkingDays: { value: 1, unit: 'working_days', source: 'MOF Order No. 87: the award announcement runs 1 working day' },
  challengePeriodWorkingDays: { value: 7, unit: 'working_days', source: 'Government Procurement Law art. 52: a supplier may challenge within 7 working days' },
  challengeReplyWorkingDays: { value: 7, unit: 'working_days', source: 'Government Procurement Law art. 53: the purchaser replies to a challenge within 7 working days' },
  contractWithinDays: { value: 30, unit: 'days', source: 'Government Procurement Law art. 46: contract within 30 days of the award notice' },
  onlineCompetitionMinimumSuppliers: { value: 3, unit: 'count', source: 'Platform rules for online price competition (varies by province): at least 3 responding suppliers' },
  splitWindowDays: { value: 30, unit: 'days', source: 'Government Procurement Law art. 28 (no splitting to evade public tender); platform detection window' },
  tenderMaxKeyAttempts: { value: 5, unit: 'count', source: 'Platform default: a bidder may hand in up to 5 keys for its bid within the decryption window (a wrong key is refused, not fatal; the bound stops guessing through the platform)' },
  acceptanceWithinDays: { value: 30, unit: 'days', source: 'Platform default: acceptance recorded within 30 days of contract signing (Law art. 41 requires acceptance)' },
  // Competitive consultation (server/execution/consultation), Finance Treasury [2014] No. 214.
  consultationFirstResponseDays: { value: 10, unit: 'days', source: 'Finance Treasury [2014] No. 214 art. 10: at least 10 days from the day the consultation documents are first issued to the deadline for first responses' },
  consultationMinimumSuppliers: { value: 3, unit: 'count', source: 'Finance Treasury [2014] No. 214 arts. 6 and 22: at least 3 suppliers invited, and at least 3 submitting final quotations' },
  consultationExceptionMinimumSuppliers: { value: 2, unit: 'count', source: 'Finance Treasury [2015] No. 124 (government-purchased services, PPP included: with 2 qualified suppliers the consultation may continue); Finance Treasury [2014] No. 214 art. 22 (research projects with insufficient competition and supported technology transfer: 2 final quotations)' },
  consultationTeamMinimum: { value: 3, unit: 'count', source: 'Finance Treasury [2014] No. 214 art. 14: the team is the purchaser\'s representative and experts, an odd number of 3 or more, experts at least two thirds' },
  consultationDocumentsWorkingDays: { value: 5, unit: 'working_days', source: 'Finance Treasury [2014] No. 214 art. 10: the consultation documents are available for at least 5 working days from the day they are first issued' },
  consultationAmendmentDays: { value: 5, unit: 'days', source: 'Finance Treasury [2014] No. 214 art. 10: a clarification or change that may affect the responses is issued at least 5 days before the first-response deadline, otherwise the deadline moves' },
  // Invitational tender (server/execution/invitations; not verified against the regulation's text in this session: configurable defaults).
  invitationalTenderMinimumInvited: { value: 3, unit: 'count', source: 'Government Procurement Law art. 34; MOF Order No. 87 (2017) art. 14: an invitational tender invites at least 3 suppliers, drawn at random from the qualified suppliers or qualified by prequalification' },
  prequalificationNoticeWorkingDays: { value: 5, unit: 'working_days', source: 'MOF Order No. 87 (2017) art. 14: the prequalification notice is published for at least 5 working days' },
  // The sealed expert draw (server/execution/draws).
  drawMinimumCommittee: { value: 5, unit: 'count', source: 'MOF Order No. 87 (2017) art. 47: the evaluation committee has at least 5 members' },
  drawOddCommittee: { value: 1, unit: 'flag', source: 'MOF Order No. 87 (2017) art. 47: the evaluation committee is an odd number (1 = required, 0 = not)' },
  drawMaxSpecialties: { value: 10, unit: 'count', source: 'Platform default: at most 10 specialties in one draw' },
  drawResponseMinutes: { value: 120, unit: 'minutes', source: 'Platform default: an invited expert answers within 120 minutes unless the draw says otherwise' },
  // Framework-agreement procurement (server/execution/framework), MOF Order No. 110 (2022, in force 1 March 2022).
  frameworkMaxTermMonthsGoods: { value: 12, unit: 'count', source: 'MOF Order No. 110 (2022): a goods framework agreement runs for at most 1 year (months; article number not verified against the official text here)' },
  frameworkMaxTermMonthsServices: { value: 12, unit: 'count', source: 'MOF Order No. 110 (2022): platform default 1 year for services as for goods (months); the order allows a longer term for some services, which a city may set here (article not verified against the official text here)' },
  frameworkResponsePeriodDays: { value: 20, unit: 'days', source: 'MOF Order No. 110 (2022): at least 20 days from the call for entry to the response deadline (article number not verified against the official text here)' },
  frameworkMinimumResponders: { value: 2, unit: 'count', source: 'MOF Order No. 110 (2022): at least 2 suppliers respond and meet the conditions, else the call fails (article number not verified against the official text here)' },
  frameworkEliminationRatePercent: { value: 20, unit: 'percent', source: 'MOF Order No. 110 (2022), closed framework agreements: the entry stage eliminates as a rule at least 20 % of the qualified responders (confirmed by published commentary on the order)' },
  frameworkMinimumEliminated: { value: 1, unit: 'count', source: 'MOF Order No. 110 (2022), closed framework agreements: at least one qualified responder is eliminated (confirmed by published commentary on the order)' },
  frameworkKeyWindowMinutes: { value: 60, unit: 'minutes', source: 'Platform default, as a tender\'s decryption window: each responder hands in the key of its sealed response within 60 minutes of the deadline (MOF Order No. 110 leaves the electronic opening to the platform); tenderMaxKeyAttempts bounds the wrong keys' },
  frameworkSecondCompetitionMinimumSuppliers: { value: 3, unit: 'count', source: 'Platform default: a second competition on the live auction engine needs at least 3 entry suppliers (the engine\'s online competition minimum); with fewer the unit selects directly or by rotation' },
} satisfies Record<string, RuleDef>;

export type RuleKey = keyof typeof DEFAULT_RULES;
export type RuleBook = Record<RuleKey, RuleDef>;

export function isRuleKey(k: string): k is RuleKey {
  return Object.prototype.hasOwnProperty.call(DEFAULT_RULES, k);
}

/** Defaults merged with the city's own values. */
export async function loadRuleBook(db: Knex): Promise<RuleBook> {
  const book = { ...DEFAULT_RULES } as RuleBook;
  for (const r of await db('procurement_rule_settings').select()) {
    const key: string = r.rule_key;
    if (isRuleKey(key)) book[key] = { ...book[key], value: Number(JSON.parse(r.value_json)), source: r.source };
  }
  return book;
}

export function rule(book: RuleBook, key: RuleKey): number {
  return book[key].value;
}
