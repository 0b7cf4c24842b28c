// The first stage of a framework agreement as a state machine (the second stage's orders are
// procurement projects of method framework_order: server/core/projects/state-machine.ts).
//   draft → calling (call for entry published; sealed responses until the deadline)
//         → opening (at the deadline: each responder hands in its own key within the key window)
//         → evaluation (the window closed, responses read out) → entries_published (entry notice)
//         → active (every entry supplier signed); calling/evaluation → failed (too few responders)
//   (opening → failed is not a move: with too few valid responses the evaluation fails the call)
// `expired` is not stored: an active agreement past its last day reads as expired.
import { ConflictError } from '../../http/errors';

export const AGREEMENT_STATES = ['draft', 'calling', 'opening', 'evaluation', 'entries_published', 'active', 'failed'] as const;
export type AgreementState = (typeof AGREEMENT_STATES)[number];

const NEXT: Record<AgreementState, AgreementState[]> = {
  draft: ['calling'],
  calling: ['opening', 'failed'],
  opening: ['evaluation'],
  evaluation: ['entries_published', 'failed'],
  entries_published: ['active'],
  active: [],
  failed: [],
};

export function assertMove(from: string, to: AgreementState): void {
  if (!(NEXT[from as AgreementState] ?? []).includes(to)) throw new ConflictError('AGREEMENT_WRONG_STATE', `The agreement is ${from}; it cannot become ${to}`, { status: from, to });
}
