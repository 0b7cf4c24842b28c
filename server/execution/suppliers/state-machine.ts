// The supplier application's states. An approved supplier's later qualification changes are
// reviewed as change requests while the approved profile stays in force.
export type SupplierStatus = 'pending' | 'approved' | 'rejected' | 'more_info';
export type ReviewDecision = 'approve' | 'reject' | 'request_more';

const REVIEW: Record<ReviewDecision, SupplierStatus> = { approve: 'approved', reject: 'rejected', request_more: 'more_info' };

/** The status after an operator's decision, or null when the application is not awaiting review. */
export function afterReview(from: SupplierStatus, decision: ReviewDecision): SupplierStatus | null {
  return from === 'pending' ? REVIEW[decision] : null;
}

/** A supplier who edits an application sent back (or refused) resubmits it for review. */
export function afterResubmit(from: SupplierStatus): SupplierStatus | null {
  return from === 'more_info' || from === 'rejected' || from === 'pending' ? 'pending' : null;
}

export const decisionNeedsReason = (d: ReviewDecision) => d !== 'approve';
