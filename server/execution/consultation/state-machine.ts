// The life of a competitive consultation up to its final quotations. From there the linked tender
// (procedure 'competitive_consultation') carries it: sealed final quotations, opening, scoring,
// award, challenge period; the consultation's stage is then read from the tender's status.
import { ConflictError } from '../../http/errors';

export const CONSULTATION_STATUSES = ['draft', 'issued', 'consulting', 'final_quotation', 'failed', 'cancelled'] as const;
export type ConsultationStatus = (typeof CONSULTATION_STATUSES)[number];

const TRANSITIONS: Record<string, { from: ConsultationStatus[]; to: ConsultationStatus }> = {
  issue: { from: ['draft'], to: 'issued' },
  cancel: { from: ['draft', 'issued'], to: 'cancelled' },
  closeResponses: { from: ['issued'], to: 'consulting' },
  fail: { from: ['issued', 'consulting'], to: 'failed' },
  callFinalQuotations: { from: ['consulting'], to: 'final_quotation' },
};
export type ConsultationStep = keyof typeof TRANSITIONS;

export function transition(current: string, step: ConsultationStep): ConsultationStatus {
  const t = TRANSITIONS[step];
  if (!t.from.includes(current as ConsultationStatus)) throw new ConflictError('CONSULTATION_WRONG_STATE', `A consultation that is ${current} cannot ${step}`, { status: current, step, allowedFrom: t.from });
  return t.to;
}

export function assertStatus(current: string, allowed: ConsultationStatus[], code = 'CONSULTATION_WRONG_STATE'): void {
  if (!allowed.includes(current as ConsultationStatus)) throw new ConflictError(code, `The consultation is ${current}; this needs ${allowed.join(' or ')}`, { status: current, allowed });
}

/** The stage shown to people: the consultation's own status, then its final-quotation tender's. */
export function stageOf(status: string, tenderStatus: string | null): string {
  if (status !== 'final_quotation' || !tenderStatus) return status;
  const map: Record<string, string> = { published: 'final_quotation', opening: 'opening', evaluation: 'evaluation', report_confirmation: 'evaluation', evaluated: 'evaluated', awarded: 'awarded', failed: 'failed', cancelled: 'cancelled' };
  return map[tenderStatus] ?? 'final_quotation';
}
