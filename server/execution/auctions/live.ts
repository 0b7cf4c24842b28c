// The in-memory state of one competition: the authority for validation order while it runs.
// Built from the database (on open, on start after a crash) and changed only by the engine,
// which writes every change to the database before it is announced.
import type { Auction, Bid, Participant } from './repository';
import { compareStanding, type Standing } from './rules';

export interface LiveParticipant extends Participant {
  name: string;
}

export interface TimedStanding extends Standing {
  at: number; // accepted at (ms)
}

/** Where the bid is in the audit chain: the batch event's seq and hash, its place in the competition's stream, and the bid's index in its `bids`. */
export interface AuditPointer {
  seq: number;
  hash: string;
  stream: string;
  streamSeq: number;
  index: number;
}

export type BidAnswer =
  | { type: 'bid.accepted'; auctionId: number; clientBidId: string; seq: number; amount: number; rank: number; endsAt: string | null; acceptedAt: string; audit?: AuditPointer }
  | { type: 'bid.rejected'; auctionId: number; clientBidId: string; code: string; message: string; retryAfterMs?: number; limit?: Record<string, number> };

const MAX_REMEMBERED_REJECTIONS = 5000;

export class LiveAuction {
  participants = new Map<number, LiveParticipant>();
  standings = new Map<number, TimedStanding>();
  /** supplierId + clientBidId → the first answer (idempotent retries). */
  private answers = new Map<string, BidAnswer>();
  private rejections: string[] = [];
  private sortedCache: TimedStanding[] | null = null;

  constructor(public a: Auction) {}

  static build(a: Auction, participants: Participant[], names: Map<number, string>, bids: Bid[]): LiveAuction {
    const live = new LiveAuction(a);
    for (const p of participants) live.participants.set(p.supplierId, { ...p, name: names.get(p.supplierId) ?? '' });
    for (const b of bids) {
      live.standings.set(b.supplierId, { supplierId: b.supplierId, amountFen: b.amountFen, seq: b.seq, at: b.acceptedAt.getTime() });
      live.answers.set(key(b.supplierId, b.clientBidId), { type: 'bid.accepted', auctionId: a.id, clientBidId: b.clientBidId, seq: b.seq, amount: b.amountFen, rank: 0, endsAt: null, acceptedAt: b.acceptedAt.toISOString() });
    }
    return live;
  }

  sorted(): TimedStanding[] {
    if (!this.sortedCache) this.sortedCache = [...this.standings.values()].sort(compareStanding);
    return this.sortedCache;
  }

  rankOf(supplierId: number): number | null {
    const i = this.sorted().findIndex((s) => s.supplierId === supplierId);
    return i < 0 ? null : i + 1;
  }

  /** The answer already given to this supplier's clientBidId, if any. */
  answerFor(supplierId: number, clientBidId: string): BidAnswer | undefined {
    return this.answers.get(key(supplierId, clientBidId));
  }

  remember(supplierId: number, answer: BidAnswer): void {
    const k = key(supplierId, answer.clientBidId);
    this.answers.set(k, answer);
    if (answer.type === 'bid.rejected') {
      // Rejections wrote nothing; remember a bounded number of them for retries.
      this.rejections.push(k);
      if (this.rejections.length > MAX_REMEMBERED_REJECTIONS) this.answers.delete(this.rejections.shift()!);
    }
  }

  forget(supplierId: number, clientBidId: string): void {
    this.answers.delete(key(supplierId, clientBidId));
  }

  applyBid(s: TimedStanding): void {
    this.standings.set(s.supplierId, s);
    this.sortedCache = null;
    this.a.lastSeq = s.seq;
    this.a.bidCount += 1;
    if (this.a.bestFen === null || s.amountFen < this.a.bestFen) {
      this.a.bestFen = s.amountFen;
      this.a.bestSupplierId = s.supplierId;
    }
  }

  /**
   * The state as of the last commit, while a bid batch that changed this competition is being
   * committed (null otherwise): readers (GET /state, a subscriber's first snapshot, broadcasts)
   * must never see a bid before it is durable, nor one a failed batch rolls back.
   */
  private inFlight: LiveAuction | null = null;

  /** What readers may see: the committed state. */
  view(): LiveAuction {
    return this.inFlight ?? this;
  }

  /** Called before a batch first changes this competition: readers keep the committed copy. */
  beginBatch(): void {
    if (!this.inFlight) this.inFlight = this.frozen();
  }

  /** The batch committed (or was rolled back): readers see this state again. */
  endBatch(): void {
    this.inFlight = null;
  }

  /** A read-only copy of the committed state, for announcing it while the next batch runs. */
  frozen(): LiveAuction {
    const f = new LiveAuction({ ...this.a });
    f.participants = this.participants; // fixed once the competition runs
    f.standings = new Map(this.standings);
    f.sortedCache = this.sorted().slice();
    return f;
  }

  snapshot(): Snapshot {
    return { a: { ...this.a }, standings: new Map(this.standings) };
  }

  restore(s: Snapshot): void {
    this.a = s.a;
    this.standings = s.standings;
    this.sortedCache = null;
  }
}

export interface Snapshot {
  a: Auction;
  standings: Map<number, TimedStanding>;
}

function key(supplierId: number, clientBidId: string): string {
  return `${supplierId}\u0000${clientBidId}`;
}
