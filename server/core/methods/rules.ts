// Method determination: one readable table, read top to bottom, first match wins.
// Inputs are the requisition's facts; thresholds come from the rule book.
import { rule, type RuleBook } from '../rules/rule-book';

export const METHODS = ['public_tender', 'online_price_competition', 'inquiry', 'competitive_negotiation', 'single_source', 'invitational_tender', 'competitive_consultation', 'framework_order'] as const;
/** The methods a purchasing unit may ask for with a reason (the approval chain judges the reason). */
export const REQUESTABLE_METHODS = ['invitational_tender', 'competitive_consultation'] as const;
export type RequestableMethod = (typeof REQUESTABLE_METHODS)[number];
export type Method = (typeof METHODS)[number];
export type CategoryKind = 'goods' | 'services' | 'works';

export interface MethodFacts {
  totalFen: number;
  kind: CategoryKind;
  frameworkGoods: boolean; // every item is framework-agreement catalogue goods
  /** A framework agreement (MOF Order No. 110) is in force for the requisition's category. */
  frameworkAgreementInForce?: boolean;
  singleSourceRequested: boolean;
  singleSourceReason: string | null;
  /** Invitational tender or competitive consultation asked for by the unit, with its reason. */
  requestedMethod?: RequestableMethod | null;
  requestedMethodReason?: string | null;
}

interface Row {
  when: (f: MethodFacts, b: RuleBook) => boolean;
  method: Method;
  reason: string;
}

const tenderThreshold = (f: MethodFacts, b: RuleBook) => rule(b, f.kind === 'works' ? 'publicTenderThresholdWorksFen' : 'publicTenderThresholdGoodsServicesFen');

export const METHOD_TABLE: Row[] = [
  { when: (f) => f.singleSourceRequested && !!f.singleSourceReason?.trim(), method: 'single_source', reason: 'single source requested with a justification; the justification is published before proceeding (MOF Order No. 74)' },
  {
    when: (f) => f.requestedMethod === 'invitational_tender' && !!f.requestedMethodReason?.trim(),
    method: 'invitational_tender',
    reason: 'invitational tender requested with a reason: special goods or services obtainable only from a limited number of suppliers, or a public tender whose cost is disproportionate to the value (Government Procurement Law art. 29)',
  },
  {
    when: (f) => f.requestedMethod === 'competitive_consultation' && !!f.requestedMethodReason?.trim(),
    method: 'competitive_consultation',
    reason: 'competitive consultation requested with a reason: services, works not subject to tender, technically complex needs or requirements to be worked out with suppliers (Finance Treasury [2014] No. 214 art. 3)',
  },
  { when: (f, b) => f.totalFen >= tenderThreshold(f, b), method: 'public_tender', reason: 'amount at or above the public-tender threshold' },
  // Framework-agreement procurement: catalogue goods under an agreement in force are ordered within it
  // (direct selection, second competition or rotation, server/execution/framework).
  { when: (f) => f.kind === 'goods' && f.frameworkGoods && f.frameworkAgreementInForce === true, method: 'framework_order', reason: 'framework-agreement catalogue goods with an agreement in force: a second-stage order within the agreement (MOF Order No. 110)' },
  { when: (f) => f.kind === 'goods' && f.frameworkGoods, method: 'online_price_competition', reason: 'framework-agreement catalogue goods below the tender threshold' },
  { when: (f) => f.kind === 'goods', method: 'inquiry', reason: 'standard goods below the tender threshold' },
  { when: () => true, method: 'competitive_negotiation', reason: 'services or works below the tender threshold' },
];

export function determineMethod(facts: MethodFacts, book: RuleBook): { method: Method; reason: string } {
  const row = METHOD_TABLE.find((r) => r.when(facts, book))!;
  return { method: row.method, reason: row.reason };
}

/**
 * Splitting to stay under the tender threshold: the same unit buying the same category within
 * the window, each requisition under the threshold, together at or above it.
 */
export function looksSplit(current: { totalFen: number }, recent: Array<{ totalFen: number }>, thresholdFen: number): boolean {
  if (current.totalFen >= thresholdFen || recent.length === 0) return false;
  const under = recent.filter((r) => r.totalFen < thresholdFen);
  return under.length > 0 && current.totalFen + under.reduce((s, r) => s + r.totalFen, 0) >= thresholdFen;
}
