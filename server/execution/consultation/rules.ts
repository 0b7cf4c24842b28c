// The legal numbers of a competitive consultation, read from the rule book (a city's values win),
// and the pure checks on them. Scoring terms (price weight ranges, the small-business deduction,
// the price formula) are the tender templates' own: ../tendering/rules.ts checks them.
import type { Knex } from 'knex';
import { DEFAULT_RULES, loadRuleBook, type RuleBook, type RuleDef } from '../../core/rules/rule-book';
import { loadCalendar } from '../../core/rules/calendar';
import type { RuleViolation } from '../tendering/rules';

/** The exceptions that let a consultation continue with fewer suppliers (the rule book's exception minimum). */
export const EXCEPTIONS = ['services_2015_124', 'research_art22'] as const;
export type ConsultationException = (typeof EXCEPTIONS)[number];

export interface ConsultationLegal {
  firstResponseDays: RuleDef;
  documentsWorkingDays: RuleDef;
  minSuppliers: RuleDef;
  exceptionMinSuppliers: RuleDef;
  teamMinimum: RuleDef;
  amendmentDays: RuleDef;
  awardNoticeWorkingDays: RuleDef;
  challengePeriodWorkingDays: RuleDef;
  addWorkingDays: (from: Date, n: number) => Date;
}

function legalOf(book: RuleBook, addWorkingDays: (from: Date, n: number) => Date): ConsultationLegal {
  return {
    firstResponseDays: book.consultationFirstResponseDays,
    documentsWorkingDays: book.consultationDocumentsWorkingDays,
    minSuppliers: book.consultationMinimumSuppliers,
    exceptionMinSuppliers: book.consultationExceptionMinimumSuppliers,
    teamMinimum: book.consultationTeamMinimum,
    amendmentDays: book.consultationAmendmentDays,
    awardNoticeWorkingDays: book.awardNoticeWorkingDays,
    challengePeriodWorkingDays: book.challengePeriodWorkingDays,
    addWorkingDays,
  };
}

export async function loadConsultationLegal(db: Knex): Promise<ConsultationLegal> {
  const cal = await loadCalendar(db);
  return legalOf(await loadRuleBook(db), (from, n) => cal.addWorkingDays(from, n));
}

export const DEFAULT_CONSULTATION_RULES = { firstResponseDays: DEFAULT_RULES.consultationFirstResponseDays, minSuppliers: DEFAULT_RULES.consultationMinimumSuppliers, exceptionMinSuppliers: DEFAULT_RULES.consultationExceptionMinimumSuppliers, teamMinimum: DEFAULT_RULES.consultationTeamMinimum };

const DAY = 86_400_000;

/**
 * The first-response period: documents issued at `issuedAt`, first responses due at `deadline`:
 * at least the rule book's days, and the documents available at least its working days (on the
 * holiday calendar: over the Spring Festival ten days may hold fewer than five working days).
 */
export function checkFirstResponsePeriod(issuedAt: Date, deadline: Date, period: RuleDef, documents?: { rule: RuleDef; addWorkingDays: (from: Date, n: number) => Date }): RuleViolation[] {
  if (deadline.getTime() - issuedAt.getTime() < period.value * DAY) {
    return [{ code: 'RESPONSE_PERIOD_TOO_SHORT', message: `At least ${period.value} days from issuing the consultation documents to the first-response deadline`, source: period.source, details: { minimumDays: period.value, earliestDeadline: new Date(issuedAt.getTime() + period.value * DAY).toISOString() } }];
  }
  if (documents) {
    const earliest = documents.addWorkingDays(issuedAt, documents.rule.value);
    if (deadline < earliest) return [{ code: 'DOCUMENTS_PERIOD_TOO_SHORT', message: `The consultation documents are available for at least ${documents.rule.value} working days before the deadline`, source: documents.rule.source, details: { minimumWorkingDays: documents.rule.value, earliestDeadline: earliest.toISOString() } }];
  }
  return [];
}

/** How many suppliers the consultation needs (invited, responding, quoting): the exception lowers it. */
export function minimumSuppliers(exception: string | null, legal: Pick<ConsultationLegal, 'minSuppliers' | 'exceptionMinSuppliers'>): { value: number; source: string } {
  const r = exception ? legal.exceptionMinSuppliers : legal.minSuppliers;
  return { value: r.value, source: r.source };
}

/** The team: an odd number, at least the minimum, experts at least two thirds of it. */
export function checkTeam(members: number, experts: number, min: RuleDef): RuleViolation[] {
  if (members < min.value || members % 2 === 0) return [{ code: 'TEAM_SIZE', message: `The consultation team is an odd number of members, at least ${min.value}`, source: min.source, details: { members, min: min.value } }];
  if (experts * 3 < members * 2) return [{ code: 'TEAM_EXPERTS_SHARE', message: 'Experts are at least two thirds of the consultation team', source: min.source, details: { members, experts } }];
  return [];
}

/**
 * A change issued before the first-response deadline that leaves less than the notice period
 * moves the deadline to that many days after the change (art. 10). Null when nothing moves.
 * Changes during consultation (after the deadline) do not move anything: they go to every
 * remaining supplier, who acknowledges them before the final quotations.
 */
export function movedResponseDeadline(changedAt: Date, deadline: Date, notice: RuleDef): Date | null {
  if (changedAt >= deadline) return null;
  const earliest = changedAt.getTime() + notice.value * DAY;
  return deadline.getTime() < earliest ? new Date(earliest) : null;
}
