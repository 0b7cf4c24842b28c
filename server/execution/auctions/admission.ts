// Load shedding on the bid path, before any database work: a token bucket per supplier
// (RATE_LIMITED with the limit) and bounded queues per competition and per supplier
// (SERVICE_UNAVAILABLE / RATE_LIMITED with a retry hint) instead of a queue that grows without
// limit while commits are slow. Real (monotonic) time, so a test's manual clock does not freeze it.
export interface AdmissionLimits {
  bidRatePerSec: number;
  bidQueuePerAuction: number;
  bidQueuePerSupplier: number;
}

export type Refusal = { code: 'RATE_LIMITED' | 'SERVICE_UNAVAILABLE'; message: string; retryAfterMs: number; limit?: Record<string, number> };

interface Bucket {
  tokens: number;
  at: number;
}

export class BidAdmission {
  private buckets = new Map<number, Bucket>();
  private queuedByAuction = new Map<number, number>();
  private queuedBySupplier = new Map<number, number>();
  /** Refusals by code since the start (readiness and the board show them). */
  counts = { RATE_LIMITED: 0, SERVICE_UNAVAILABLE: 0 };
  private sweep: NodeJS.Timeout;

  constructor(private limits: AdmissionLimits, private now: () => number = () => performance.now()) {
    // Idle suppliers' buckets are full again after a while: forget them.
    this.sweep = setInterval(() => {
      const t = this.now();
      for (const [k, b] of this.buckets) if (t - b.at > 60_000) this.buckets.delete(k);
    }, 60_000);
    this.sweep.unref();
  }

  get burst(): number {
    return this.limits.bidRatePerSec * 2;
  }

  /** Takes one token for the supplier, or says when the next one comes. */
  rate(supplierId: number): Refusal | null {
    const t = this.now();
    const rate = this.limits.bidRatePerSec;
    const b = this.buckets.get(supplierId) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * rate);
    b.at = t;
    this.buckets.set(supplierId, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return null;
    }
    return this.refuse({
      code: 'RATE_LIMITED',
      message: `At most ${rate} bids a second per supplier (bursts of ${this.burst}); wait and send again`,
      retryAfterMs: Math.ceil(((1 - b.tokens) / rate) * 1000),
      limit: { perSecond: rate, burst: this.burst },
    });
  }

  /** Room in the sequencer's queue for one more bid of this supplier in this competition? */
  room(auctionId: number, supplierId: number): Refusal | null {
    if ((this.queuedBySupplier.get(supplierId) ?? 0) >= this.limits.bidQueuePerSupplier) {
      return this.refuse({ code: 'RATE_LIMITED', message: `At most ${this.limits.bidQueuePerSupplier} of your bids may wait to be recorded; wait for their answers`, retryAfterMs: 1000, limit: { queuedPerSupplier: this.limits.bidQueuePerSupplier } });
    }
    if ((this.queuedByAuction.get(auctionId) ?? 0) >= this.limits.bidQueuePerAuction) {
      return this.refuse({ code: 'SERVICE_UNAVAILABLE', message: 'Too many bids are waiting to be recorded in this competition; send yours again shortly', retryAfterMs: 1000, limit: { queuedPerAuction: this.limits.bidQueuePerAuction } });
    }
    return null;
  }

  enqueued(auctionId: number, supplierId: number): void {
    this.queuedByAuction.set(auctionId, (this.queuedByAuction.get(auctionId) ?? 0) + 1);
    this.queuedBySupplier.set(supplierId, (this.queuedBySupplier.get(supplierId) ?? 0) + 1);
  }

  dequeued(auctionId: number, supplierId: number): void {
    dec(this.queuedByAuction, auctionId);
    dec(this.queuedBySupplier, supplierId);
  }

  refuse(r: Refusal): Refusal {
    this.counts[r.code]++;
    return r;
  }

  close(): void {
    clearInterval(this.sweep);
  }
}

function dec(m: Map<number, number>, k: number): void {
  const n = (m.get(k) ?? 0) - 1;
  if (n > 0) m.set(k, n);
  else m.delete(k);
}
