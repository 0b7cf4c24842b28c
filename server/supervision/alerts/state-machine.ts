// Alert handling: open → assigned → acknowledged → investigating → closed (with a finding).
// Nothing leaves "closed", and no transition deletes anything.
export type AlertStatus = 'open' | 'assigned' | 'acknowledged' | 'investigating' | 'closed';
export const ALERT_STATUSES: AlertStatus[] = ['open', 'assigned', 'acknowledged', 'investigating', 'closed'];
export type AlertCommand = 'assign' | 'acknowledge' | 'investigate' | 'note' | 'close' | 'link';
export const FINDINGS = ['confirmed', 'unfounded', 'referred', 'corrected'] as const;
export type Finding = (typeof FINDINGS)[number];

const ALLOWED: Record<AlertCommand, AlertStatus[]> = {
  assign: ['open', 'assigned', 'acknowledged', 'investigating'],
  acknowledge: ['assigned'],
  investigate: ['acknowledged'],
  note: ['open', 'assigned', 'acknowledged', 'investigating'],
  close: ['acknowledged', 'investigating'],
  link: ['open', 'assigned', 'acknowledged', 'investigating', 'closed'],
};

export function canApply(cmd: AlertCommand, status: AlertStatus): boolean {
  return ALLOWED[cmd].includes(status);
}

/** The status after a command (assigning an alert already under way keeps its status). */
export function nextStatus(cmd: AlertCommand, status: AlertStatus): AlertStatus {
  switch (cmd) {
    case 'assign':
      return status === 'open' ? 'assigned' : status;
    case 'acknowledge':
      return 'acknowledged';
    case 'investigate':
      return 'investigating';
    case 'close':
      return 'closed';
    default:
      return status;
  }
}
