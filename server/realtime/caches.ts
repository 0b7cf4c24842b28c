// Caches a node keeps in memory, dropped on every node of the cluster when what they hold
// changes. The node that commits a change reads it from its own committed audit events (every
// state change is audited), drops its own copy at once, and tells the other nodes over the bus.
// On a single node the bus is in process and nothing crosses a wire.
import type { Knex } from 'knex';
import type { Logger } from '../http/log';
import { onAuditEvents, type AuditEvent } from '../supervision/audit/audit';
import type { ClusterBus } from './bus';

export const CACHE_TOPIC = 'cache.drop';

export interface SharedCache {
  /** What a batch of committed events makes stale: true (everything), keys, or false/[] (nothing). */
  stale(events: AuditEvent[]): boolean | string[];
  /**
   * Drops entries (keys null: everything). `local` is true on the node that committed the change,
   * which calls it before the bus carries the drop to the others.
   */
  drop(keys: string[] | null, local: boolean): void;
  /** Only other nodes' commits make it stale (it follows this node's own live): nothing to do on a single node. */
  remoteOnly?: boolean;
}

interface DropMessage {
  cache: string;
  keys: string[] | null;
}

export class SharedCaches {
  private caches = new Map<string, Set<SharedCache>>();
  private offAudit: () => void;
  private offBus: () => void;

  constructor(db: Knex, private bus: ClusterBus, private log: Logger) {
    this.offAudit = onAuditEvents((events) => this.committed(events), { db });
    this.offBus = bus.subscribe(CACHE_TOPIC, (m, from) => {
      if (from === bus.nodeId) return; // dropped locally already, when committed
      const msg = m as DropMessage;
      for (const c of this.caches.get(msg.cache) ?? []) this.run(msg.cache, () => c.drop(msg.keys, false));
    });
  }

  /** Register a cache under a name (the same on every node). Returns the unregister function. */
  register(name: string, cache: SharedCache): () => void {
    let set = this.caches.get(name);
    if (!set) this.caches.set(name, (set = new Set()));
    set.add(cache);
    return () => set!.delete(cache);
  }

  /** Drop a cache's entries on every node, for a change that is not an audit event. */
  dropEverywhere(name: string, keys: string[] | null = null): void {
    for (const c of this.caches.get(name) ?? []) if (!c.remoteOnly) this.run(name, () => c.drop(keys, true));
    this.send({ cache: name, keys });
  }

  private committed(events: AuditEvent[]): void {
    for (const [name, set] of this.caches) {
      // Caches of one name share what makes them stale: ask the first, drop them all.
      const first = set.values().next().value;
      if (!first || (first.remoteOnly && !this.bus.clustered)) continue;
      const stale = this.staleOf(name, first, events);
      if (stale === false || (Array.isArray(stale) && stale.length === 0)) continue;
      const keys = stale === true ? null : [...new Set(stale)];
      for (const c of set) if (!c.remoteOnly) this.run(name, () => c.drop(keys, true));
      this.send({ cache: name, keys });
    }
  }

  private staleOf(name: string, cache: SharedCache, events: AuditEvent[]): boolean | string[] {
    try {
      return cache.stale(events);
    } catch (err) {
      // Unsure what is stale: drop everything rather than keep a stale answer.
      this.log.error('cache staleness check failed', { cache: name, error: (err as Error).message });
      return true;
    }
  }

  private send(msg: DropMessage): void {
    if (!this.bus.clustered) return; // one node: already dropped
    this.bus.publish(CACHE_TOPIC, msg).catch((err) => this.log.error('cache drop not sent to the other nodes', { cache: msg.cache, error: (err as Error).message }));
  }

  private run(name: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error('cache drop failed', { cache: name, error: (err as Error).message });
    }
  }

  close(): void {
    this.offAudit();
    this.offBus();
  }
}
