// Eligibility on the bid path. assertSupplierMayAct costs two queries; at thousands of bids a
// second that would dominate the commit, so each supplier's answer is kept and dropped at once
// when a supplier or blacklist change is committed (audit events), on every node of a cluster
// (server/realtime/caches.ts). What changes with time alone is bounded too: an answer never
// outlives the end of the blacklisting it reports, nor the start of one already entered for a
// later date. The time limit itself (30 s) only bounds a drop that never arrived;
// an answer is read again in the background before it.
import type { Knex } from 'knex';
import type { Clock } from '../../db/time';
import { assertSupplierMayAct, nextBlacklistStart } from '../suppliers/eligibility';
import type { SharedCaches } from '../../realtime/caches';
import { AppError } from '../../http/errors';

export const ELIGIBILITY_TTL_MS = 30_000;
export const ELIGIBILITY_CACHE = 'auction-eligibility';

interface Entry {
  at: number;
  /** Good until (epoch ms): the time limit, or sooner when a blacklisting starts or ends. */
  until: number;
  /** From then on the answer is read again in the background while the kept one still serves. */
  refreshAt: number;
  refreshing: boolean;
  result: Promise<{ code: string; message: string } | null>;
}

export class EligibilityCache {
  private entries = new Map<number, Entry>();
  private unsubscribe: () => void;
  /** Raised by every drop: a background read begun before it never puts its answer back. */
  private generation = 0;

  constructor(private db: Knex, private clock: Clock, caches: SharedCaches, private ttlMs = ELIGIBILITY_TTL_MS) {
    this.unsubscribe = caches.register(ELIGIBILITY_CACHE, {
      stale: (events) => events.some((e) => /supplier|blacklist/i.test(e.entity_type) || /supplier|blacklist/i.test(e.action)),
      drop: () => this.clear(),
    });
  }

  /** null when the supplier may bid now, otherwise the refusal (SUPPLIER_BLACKLISTED, ...). */
  check(supplierId: number): Promise<{ code: string; message: string } | null> {
    const now = this.clock.now().getTime();
    const e = this.entries.get(supplierId);
    if (e && now < e.until && now >= e.at) {
      // Read again ahead of the limit, off the bid path: suppliers who all began bidding together
      // do not all come due in the same instant and wait for the database together.
      if (now >= e.refreshAt && !e.refreshing) {
        e.refreshing = true;
        const generation = this.generation;
        const next = this.read(supplierId, now);
        next.result.then(
          () => {
            if (this.generation === generation && this.entries.get(supplierId) === e) this.entries.set(supplierId, next);
          },
          () => (e.refreshing = false),
        );
      }
      return e.result;
    }
    const entry = this.read(supplierId, now);
    this.entries.set(supplierId, entry);
    entry.result.catch(() => {
      // A database error is not an answer to keep: the next check asks again (only this
      // entry is dropped, never a newer one that may already be on its way).
      if (this.entries.get(supplierId) === entry) this.entries.delete(supplierId);
    });
    return entry.result;
  }

  private read(supplierId: number, now: number): Entry {
    // Read again in the background between half and nine tenths of the time limit, at random.
    const entry: Entry = { at: now, until: now + this.ttlMs, refreshAt: now + this.ttlMs * (0.5 + Math.random() * 0.4), refreshing: false, result: null as unknown as Entry['result'] };
    const at = new Date(now);
    entry.result = assertSupplierMayAct(this.db, supplierId, at, 'submit_bid').then(
      async () => {
        const starts = await nextBlacklistStart(this.db, supplierId, at);
        if (starts) entry.until = Math.min(entry.until, starts.getTime());
        return null;
      },
      (err) => {
        if (!(err instanceof AppError)) throw err;
        const ends = Date.parse((err.details as { endsAt?: string } | undefined)?.endsAt ?? '');
        if (!Number.isNaN(ends)) entry.until = Math.min(entry.until, ends);
        return { code: err.code, message: err.message };
      },
    );
    return entry;
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  close(): void {
    this.unsubscribe();
  }
}
