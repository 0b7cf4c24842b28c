// The engine sees every committed event, so it keeps the recent processes' events in memory:
// a process is read from the audit trail once, then kept current from the live stream. In a
// cluster the live stream is this node's commits only: a process changed on another node is
// forgotten here (server/realtime/caches.ts) and read again when next needed.
import type { Knex } from 'knex';
import { processEvents } from './audit-source';
import { processKeyOf, type BusEvent } from './event-contract';

interface Entry {
  events: BusEvent[];
  seqs: Set<number>;
}

export class ProcessEventCache {
  private entries = new Map<string, Entry>();
  /** Bumped when a process is forgotten, so a read that was under way is not kept. */
  private generation = new Map<string, number>();
  constructor(private max = 1000) {}

  /** Another node changed these processes: drop them (the next use reads them again). */
  forget(keys: string[] | null): void {
    for (const key of keys ?? [...this.entries.keys()]) {
      this.entries.delete(key);
      this.generation.set(key, (this.generation.get(key) ?? 0) + 1);
      if (this.generation.size > this.max * 4) this.generation.delete(this.generation.keys().next().value!);
    }
  }

  /** Live events: appended to the processes already held (in seq order, without duplicates). */
  observe(events: BusEvent[]): void {
    for (const e of events) {
      const key = processKeyOf(e);
      const entry = key ? this.entries.get(key) : undefined;
      if (entry) this.add(entry, e);
    }
  }

  async eventsOf(db: Knex, key: string): Promise<BusEvent[]> {
    let entry = this.entries.get(key);
    if (!entry) {
      const gen = this.generation.get(key);
      const loaded = await processEvents(db, key);
      if (this.generation.get(key) !== gen) {
        // Forgotten while reading: the read may predate the other node's commit; use it once, keep nothing.
        return loaded.map((e) => ({ ...e, seq: Number(e.seq) }));
      }
      // Events observed while loading are kept: merge rather than replace.
      entry = this.entries.get(key) ?? { events: [], seqs: new Set() };
      for (const e of loaded) this.add(entry, e);
      this.entries.set(key, entry);
      if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    } else {
      // least recently used goes first
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry.events;
  }

  private add(entry: Entry, e: BusEvent): void {
    const seq = Number(e.seq);
    if (entry.seqs.has(seq)) return;
    entry.seqs.add(seq);
    const ev = { ...e, seq };
    const last = entry.events[entry.events.length - 1];
    if (!last || Number(last.seq) < seq) entry.events.push(ev);
    else {
      entry.events.push(ev);
      entry.events.sort((a, b) => Number(a.seq) - Number(b.seq));
    }
  }
}
