// Competition states and the steps between them.
import { ConflictError } from '../../http/errors';

export const AUCTION_STATUSES = ['draft', 'announced', 'running', 'suspended', 'closed', 'failed'] as const;
export type AuctionStatus = (typeof AUCTION_STATUSES)[number];

export type AuctionStep = 'announce' | 'join' | 'open' | 'fail' | 'suspend' | 'resume' | 'close' | 'bid';

const ALLOWED: Record<AuctionStep, readonly AuctionStatus[]> = {
  announce: ['draft'],
  join: ['announced'],
  open: ['announced'],
  fail: ['announced', 'running'],
  suspend: ['running'],
  resume: ['suspended'],
  close: ['running'],
  bid: ['running'],
};

export function canStep(status: AuctionStatus, step: AuctionStep): boolean {
  return ALLOWED[step].includes(status);
}

/** 409 AUCTION_WRONG_STATE when the competition is not in a state that allows the step. */
export function assertStep(status: AuctionStatus, step: AuctionStep): void {
  if (!canStep(status, step)) throw new ConflictError('AUCTION_WRONG_STATE', `A competition that is ${status} does not allow: ${step}`, { status, step });
}

export const FINISHED: readonly AuctionStatus[] = ['closed', 'failed'];
