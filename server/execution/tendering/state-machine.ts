// The life of a tender. Each step names the statuses it may start from; anything else is a 409.
import { ConflictError } from '../../http/errors';

export const TENDER_STATUSES = ['draft', 'published', 'opening', 'evaluation', 'report_confirmation', 'evaluated', 'awarded', 'failed', 'cancelled'] as const;
export type TenderStatus = (typeof TENDER_STATUSES)[number];

const TRANSITIONS: Record<string, { from: TenderStatus[]; to: TenderStatus }> = {
  publish: { from: ['draft'], to: 'published' },
  cancel: { from: ['draft', 'published'], to: 'cancelled' },
  open: { from: ['published'], to: 'opening' },
  startEvaluation: { from: ['opening'], to: 'evaluation' },
  fail: { from: ['published', 'opening', 'evaluation'], to: 'failed' },
  completeScoring: { from: ['evaluation'], to: 'report_confirmation' },
  confirmReport: { from: ['report_confirmation'], to: 'evaluated' },
  award: { from: ['evaluated'], to: 'awarded' },
};
export type TenderStep = keyof typeof TRANSITIONS;

/** The status after `step`, or a 409 naming the status the tender is in. */
export function transition(current: string, step: TenderStep): TenderStatus {
  const t = TRANSITIONS[step];
  if (!t.from.includes(current as TenderStatus)) throw new ConflictError('TENDER_WRONG_STATE', `A tender that is ${current} cannot ${step}`, { status: current, step, allowedFrom: t.from });
  return t.to;
}

export function assertStatus(current: string, allowed: TenderStatus[], code = 'TENDER_WRONG_STATE'): void {
  if (!allowed.includes(current as TenderStatus)) throw new ConflictError(code, `The tender is ${current}; this needs ${allowed.join(' or ')}`, { status: current, allowed });
}

/** OCDS tender.status for the portal. */
export function ocdsTenderStatus(s: string): string {
  return s === 'draft' ? 'planning' : s === 'awarded' ? 'complete' : s === 'failed' ? 'unsuccessful' : s === 'cancelled' ? 'cancelled' : 'active';
}

/** OCDS bids.details[].status. */
export function ocdsBidStatus(s: string): string {
  return s === 'sealed' ? 'pending' : s === 'decrypted' ? 'valid' : s === 'withdrawn' || s === 'replaced' ? 'withdrawn' : s;
}
