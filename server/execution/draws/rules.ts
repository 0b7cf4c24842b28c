// Draw rules as configurable data with their sources; a city overrides a value, not code: they
// live in the rule book (server/core/rules/rule-book.ts, PUT /api/rules/:key by an admin).
import type { Knex } from 'knex';
import { DEFAULT_RULES, loadRuleBook, rule, type RuleBook } from '../../core/rules/rule-book';

export interface DrawRules {
  minCommittee: number;
  oddCommittee: boolean;
  maxGroups: number;
  defaultResponseMinutes: number;
  source: string;
}

function drawRulesOf(book: RuleBook): DrawRules {
  return {
    minCommittee: rule(book, 'drawMinimumCommittee'),
    oddCommittee: rule(book, 'drawOddCommittee') !== 0,
    maxGroups: rule(book, 'drawMaxSpecialties'),
    defaultResponseMinutes: rule(book, 'drawResponseMinutes'),
    source: `${book.drawMinimumCommittee.source}; ${book.drawOddCommittee.source}`,
  };
}

export const DEFAULT_DRAW_RULES: DrawRules = drawRulesOf(DEFAULT_RULES);

/** The draw rules in force: the rule book's values (defaults, or the city's own). */
export async function loadDrawRules(db: Knex): Promise<DrawRules> {
  return drawRulesOf(await loadRuleBook(db));
}

/** An expert sitting (or invited to) another evaluation this close to the evaluation time is not available. */
export const SAME_SESSION_MS = 4 * 3600_000;

/** The cap period: the calendar quarter, in China Standard Time (UTC+8, no DST). */
const CST_MS = 8 * 3600_000;
export function quarterOf(at: Date): { start: Date; end: Date } {
  const local = new Date(at.getTime() + CST_MS);
  const y = local.getUTCFullYear();
  const q = Math.floor(local.getUTCMonth() / 3);
  return { start: new Date(Date.UTC(y, q * 3, 1) - CST_MS), end: new Date(Date.UTC(y, q * 3 + 3, 1) - CST_MS) };
}

export interface DrawGroupInput {
  specialty: string;
  count: number;
}

/** Returns the broken rule's code and message, or null when the committee shape is lawful. */
export function committeeProblem(groups: DrawGroupInput[], rules: DrawRules): { code: string; message: string } | null {
  const total = groups.reduce((s, g) => s + g.count, 0);
  const specialties = new Set(groups.map((g) => g.specialty));
  if (specialties.size !== groups.length) return { code: 'DUPLICATE_SPECIALTY', message: 'Each specialty appears once; add its counts together' };
  if (groups.length > rules.maxGroups) return { code: 'TOO_MANY_GROUPS', message: `At most ${rules.maxGroups} specialties in one draw` };
  if (total < rules.minCommittee) return { code: 'COMMITTEE_TOO_SMALL', message: `The committee needs at least ${rules.minCommittee} experts (${rules.source})` };
  if (rules.oddCommittee && total % 2 === 0) return { code: 'COMMITTEE_NOT_ODD', message: `The committee must be an odd number of experts (${rules.source})` };
  return null;
}
