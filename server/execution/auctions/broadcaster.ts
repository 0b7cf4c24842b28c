// Fan-out of auction.state. The first change after a quiet spell goes out on the next turn; further
// changes within the interval are coalesced into one message carrying the latest state, so
// a busy competition costs subscribers × (1000 / interval) messages a second at most.
import type { Client, RealtimeHub } from '../../realtime/hub';
import type { Clock } from '../../db/time';
import type { LiveAuction } from './live';
import { stateBroadcast, stateShaper, type StateBroadcast } from './views';

export const STATE_INTERVAL_MS = 20;
export const channelOf = (id: number) => `auction:${id}`;

/**
 * Where a cluster broadcast stands: the owner's lease epoch and the competition's seq. An owner
 * that was paused may still send a state it had queued after another node took over; nodes drop
 * a state older than one they already delivered (module.ts), so sockets see seqs in order.
 */
export interface BroadcastOrder {
  auctionId: number;
  epoch: number;
  seq: number;
}
export type OrderedBroadcast = StateBroadcast & { order?: BroadcastOrder };

/** True when `b` comes after `last` (or either is unordered): a later epoch, or the same epoch and no lower seq. */
export function inOrder(last: BroadcastOrder | undefined, b: BroadcastOrder | undefined): boolean {
  if (!last || !b) return true;
  return b.epoch > last.epoch || (b.epoch === last.epoch && b.seq >= last.seq);
}

export class Broadcaster {
  /** Cluster mode: the lease epoch this node holds the competition at (set by the service). */
  epochOf: (id: number) => number = () => 0;
  private lastSent = new Map<number, number>();
  private pending = new Map<number, NodeJS.Timeout | NodeJS.Immediate>();
  /** The newest committed state waiting to go out, per competition. */
  private latest = new Map<number, LiveAuction>();

  constructor(private hub: RealtimeHub, private clock: Clock, private lookup: (id: number) => LiveAuction | undefined, private intervalMs = STATE_INTERVAL_MS) {}

  /**
   * Announce a committed state (coalesced). `view` is a frozen copy, so the sending can wait
   * for the next turn of the event loop (overlapping the next batch's commit) and still only
   * ever show committed bids.
   */
  changed(id: number, view?: LiveAuction): void {
    if (view) this.latest.set(id, view);
    if (this.pending.has(id)) return; // a send is already due and will carry this change
    const wait = this.intervalMs - (performance.now() - (this.lastSent.get(id) ?? -Infinity));
    const fire = () => {
      this.pending.delete(id);
      this.send(id);
    };
    if (wait <= 0) this.pending.set(id, setImmediate(fire));
    else {
      const timer = setTimeout(fire, wait);
      timer.unref?.();
      this.pending.set(id, timer);
    }
  }

  /** Send the current state now, bypassing coalescing (open, suspend, resume, close). */
  now(id: number): void {
    this.cancel(id);
    this.latest.delete(id);
    this.send(id);
  }

  private cancel(id: number): void {
    const t = this.pending.get(id);
    if (t) {
      clearTimeout(t as NodeJS.Timeout);
      clearImmediate(t as NodeJS.Immediate);
    }
    this.pending.delete(id);
  }

  private send(id: number): void {
    const live = this.latest.get(id) ?? this.lookup(id);
    this.latest.delete(id);
    if (!live) return;
    this.lastSent.set(id, performance.now());
    if (this.hub.clustered) {
      // Every node shapes it for its own sockets (the 'auction:' shaper, module.ts).
      const order: BroadcastOrder = { auctionId: id, epoch: this.epochOf(id), seq: live.a.lastSeq };
      this.hub.publishShaped(channelOf(id), { ...stateBroadcast(live, this.clock.now()), order });
      return;
    }
    const shape = stateShaper(live, this.clock.now());
    this.hub.publish(channelOf(id), (c: Client) => shape(c.user));
  }

  stop(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
    this.latest.clear();
  }
}
