// Who is acting: carried from the request (or a system job) into services and the audit trail.
import type { Clock } from '../db/time';

export const ROLES = ['purchaser', 'approver', 'operator', 'supplier', 'expert', 'finance', 'supervisor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  userId: number | null;
  role: string; // a Role, or 'system:<job>' for scheduled work
  requestId: string | null;
  ip: string | null;
  clock: Clock;
}

export function systemActor(job: string, clock: Clock): Actor {
  return { userId: null, role: `system:${job}`, requestId: null, ip: null, clock };
}
