// The legal procedure of each method as a state machine: which stage may follow which.
// Guards on periods and counts live in service.ts, with the numbers from the rule book.
import type { Method } from '../methods/rules';

export const STAGES = [
  'documents_prepared',
  'prequalification',
  'suppliers_invited',
  'notice_published',
  'bidding_open',
  'opening',
  'responses_open',
  'justification_notice',
  'negotiation',
  'competition',
  'order',
  'evaluation',
  'award_notice',
  'challenge_period',
  'contract',
  'acceptance',
  'payment',
  'closed',
  'failed',
] as const;
export type Stage = (typeof STAGES)[number];

const AFTER_AWARD: Record<string, Stage[]> = {
  award_notice: ['challenge_period'],
  challenge_period: ['contract'],
  contract: ['acceptance'],
  acceptance: ['payment'],
  payment: ['closed'],
};

export const MACHINES: Record<Method, { initial: Stage; next: Partial<Record<Stage, Stage[]>> }> = {
  public_tender: {
    initial: 'documents_prepared',
    next: {
      documents_prepared: ['notice_published'],
      notice_published: ['bidding_open'],
      bidding_open: ['opening'],
      opening: ['evaluation', 'failed'],
      evaluation: ['award_notice', 'failed'],
      ...AFTER_AWARD,
    },
  },
  inquiry: {
    initial: 'documents_prepared',
    next: { documents_prepared: ['responses_open'], responses_open: ['evaluation'], evaluation: ['award_notice', 'failed'], ...AFTER_AWARD },
  },
  competitive_negotiation: {
    initial: 'documents_prepared',
    next: { documents_prepared: ['responses_open'], responses_open: ['evaluation'], evaluation: ['award_notice', 'failed'], ...AFTER_AWARD },
  },
  single_source: {
    initial: 'documents_prepared',
    // One supplier, named in the published justification: no challenge period between award and contract.
    next: { documents_prepared: ['justification_notice'], justification_notice: ['negotiation'], negotiation: ['award_notice', 'failed'], ...AFTER_AWARD, award_notice: ['contract'] },
  },
  online_price_competition: {
    initial: 'competition',
    next: { competition: ['award_notice', 'failed'], ...AFTER_AWARD },
  },
  // Invitational tender (law art. 29, 34; MOF Order No. 87 art. 14): the invited suppliers come
  // from a sealed random draw, or from a published prequalification, before the documents go out;
  // then the tender flow as it is. The happy path runs through the draw, prequalification is the
  // other way in.
  invitational_tender: {
    initial: 'documents_prepared',
    next: {
      documents_prepared: ['suppliers_invited', 'prequalification'],
      prequalification: ['suppliers_invited', 'failed'],
      suppliers_invited: ['bidding_open'],
      bidding_open: ['opening'],
      opening: ['evaluation', 'failed'],
      evaluation: ['award_notice', 'failed'],
      ...AFTER_AWARD,
    },
  },
  // Competitive consultation (Finance Treasury [2014] No. 214), run by the consultation module
  // (server/execution/consultation): documents issued, first responses until the deadline
  // (>= 10 days), the team consults each supplier separately, then the sealed final quotations are
  // opened together and scored; too few responses or quotations fail it.
  competitive_consultation: {
    initial: 'documents_prepared',
    next: { documents_prepared: ['responses_open'], responses_open: ['negotiation', 'failed'], negotiation: ['evaluation', 'failed'], evaluation: ['award_notice', 'failed'], ...AFTER_AWARD },
  },
  // A second-stage order within a framework agreement (server/execution/framework): the supplier is
  // chosen in `order` (direct selection, rotation, or the second competition's result); the result
  // is published for the order notice period, then the contract.
  framework_order: {
    initial: 'order',
    next: { order: ['award_notice', 'failed'], ...AFTER_AWARD, award_notice: ['contract'] },
  },
};

/** After the award only an upheld challenge annuls the result (not part of the normal procedure). */
export const ANNULLABLE_STAGES: Stage[] = ['award_notice', 'challenge_period', 'contract'];

/** The stage in which each method's result (the award) is recorded. */
export const AWARD_STAGE: Record<Method, Stage> = {
  public_tender: 'evaluation',
  inquiry: 'evaluation',
  competitive_negotiation: 'evaluation',
  single_source: 'negotiation',
  online_price_competition: 'competition',
  invitational_tender: 'evaluation',
  competitive_consultation: 'evaluation',
  framework_order: 'order',
};

export function canMove(method: Method, from: Stage, to: Stage): boolean {
  return MACHINES[method].next[from]?.includes(to) ?? false;
}

/** The stages a project of this method passes through on the successful path, in order. */
export function happyPath(method: Method): Stage[] {
  const out: Stage[] = [];
  let s: Stage | undefined = MACHINES[method].initial;
  while (s) {
    out.push(s);
    s = MACHINES[method].next[s]?.find((x) => x !== 'failed');
  }
  return out;
}
