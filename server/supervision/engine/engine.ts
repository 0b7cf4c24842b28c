// The live rule engine: subscribed to the audit trail (after commit), it evaluates the rules
// that react to each committed event and raises alerts, in arrival order, one batch at a time.
import type { Db } from '../../db/knex';
import type { Clock } from '../../db/time';
import type { Logger } from '../../http/log';
import { systemActor } from '../../http/actor';
import { onAuditEvents, type AuditEvent } from '../audit/audit';
import { RULES, matchesAction } from '../rules/catalogue';
import type { RuleSettingsService } from '../config/service';
import { DEFAULT_FOLD_WINDOW_MINUTES, type AlertService } from '../alerts/service';
import { ProcessSources } from '../sources';
import type { ProcessView } from '../sources/process-view';
import type { BusEvent } from '../sources/event-contract';
import { HANDLERS, PROCESS_RULES, type EvalContext } from './handlers';

// Our own bookkeeping never triggers rules.
const OWN_ACTIONS = /^(alert|rule_setting|risk_point)\./;

/**
 * A running competition's bid batches: its rules run on its latest state at most once per
 * `liveIntervalMs` (to 1.5 times that; every bid since is in that state, and every held event is evaluated), not once
 * per batch: at hundreds of batches a second each evaluation reloaded the competition's every
 * bid. Any other event of the process (its close) releases the held ones first, in order.
 */
const LIVE_ACTIONS = new Set(['auction.bids_accepted', 'auction.bid_accepted', 'competition.bid_accepted']);
export const DEFAULT_LIVE_INTERVAL_MS = 2_000;

export class RuleEngine {
  private queue: Array<{ events: BusEvent[]; receivedAtMs: number; own?: boolean }> = [];
  private running: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;
  readonly sources: ProcessSources;
  evaluated = 0;
  /** Live events held per process (`entity_type:entity_id`) until its interval has passed. */
  private held = new Map<string, { events: BusEvent[]; receivedAtMs: number; own: boolean; timer: NodeJS.Timeout }>();
  /** When each process's live events were last let through. */
  private lastLive = new Map<string, number>();
  readonly liveIntervalMs: number;

  constructor(private deps: { db: Db; clock: Clock; log: Logger; settings: RuleSettingsService; alerts: AlertService; liveIntervalMs?: number }) {
    this.sources = new ProcessSources(deps.db);
    this.liveIntervalMs = deps.liveIntervalMs ?? DEFAULT_LIVE_INTERVAL_MS;
  }

  start(): void {
    // Only events committed to this platform's database reach this listener (no look-up needed).
    this.unsubscribe ??= onAuditEvents((events) => this.enqueue(events, true), { db: this.deps.db });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    // Held live events are evaluated, not dropped: the module's stop awaits idle() next.
    for (const key of [...this.held.keys()]) this.release(key);
  }

  /** `own`: known to be committed to this platform's database (otherwise looked up before evaluation). */
  enqueue(events: Array<AuditEvent | BusEvent>, own = false): void {
    const relevant = events.filter((e) => !OWN_ACTIONS.test(e.action)) as BusEvent[];
    if (relevant.length === 0) return;
    const now = performance.now();
    const pass: BusEvent[] = [];
    for (const ev of relevant) {
      const key = `${ev.entity_type}:${ev.entity_id}`;
      if (this.liveIntervalMs > 0 && LIVE_ACTIONS.has(ev.action)) {
        const held = this.held.get(key);
        if (held) {
          held.events.push(ev);
          held.own &&= own;
          continue;
        }
        const last = this.lastLive.get(key);
        if (last !== undefined && now - last < this.liveIntervalMs) {
          // Up to half an interval later at random: competitions that started together do not
          // all come due in the same instant (a burst of reloads stalls the bid batches meanwhile).
          const timer = setTimeout(() => this.release(key), last + this.liveIntervalMs - now + Math.random() * this.liveIntervalMs * 0.5);
          timer.unref?.();
          this.held.set(key, { events: [ev], receivedAtMs: now, own, timer });
          continue;
        }
        this.lastLive.set(key, now);
      } else if (this.held.has(key)) {
        this.release(key);
      }
      pass.push(ev);
    }
    if (pass.length) this.queue.push({ events: pass, receivedAtMs: now, own });
    if (this.lastLive.size > 10_000) for (const [k, t] of this.lastLive) if (now - t >= this.liveIntervalMs) this.lastLive.delete(k);
    this.kick();
  }

  private kick(): void {
    this.running ??= this.drain().finally(() => (this.running = null));
  }

  /** A process's held live events join the queue now. */
  private release(key: string): void {
    const h = this.held.get(key);
    if (!h) return;
    clearTimeout(h.timer);
    this.held.delete(key);
    this.lastLive.set(key, performance.now());
    this.queue.push({ events: h.events, receivedAtMs: h.receivedAtMs, own: h.own });
    this.kick();
  }

  /** Resolves once every event received so far has been evaluated, held live events included (tests, shutdown). */
  async idle(): Promise<void> {
    for (const key of [...this.held.keys()]) this.release(key);
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      // Everything that arrived while the last round ran is evaluated together: a process's
      // rules run once on its latest state, however many of its events are waiting.
      const items = this.queue.splice(0);
      try {
        const mine = await this.ownBatches(items);
        if (mine.length === 0) continue;
        const batch = { events: mine.flatMap((b) => b.events), receivedAtMs: mine[0].receivedAtMs };
        this.sources.observe(batch.events);
        await this.evaluate(batch.events, batch.receivedAtMs);
      } catch (err) {
        this.deps.log.error('supervision rule evaluation failed', { error: (err as Error).message });
      }
    }
  }

  /**
   * Events handed in directly (not by this platform's audit listener) may come from another
   * platform sharing the process (tests): keep only the batches committed to this platform's
   * database (same seq, same hash).
   */
  private async ownBatches(items: Array<{ events: BusEvent[]; receivedAtMs: number; own?: boolean }>) {
    if (items.every((i) => i.own)) return items;
    const firsts = items.filter((i) => !i.own).map((i) => i.events[0]);
    const rows = await this.deps.db('audit_events').whereIn('seq', firsts.map((e) => Number(e.seq))).select('seq', 'hash');
    const hashes = new Map(rows.map((r: any) => [Number(r.seq), r.hash]));
    return items.filter((i) => i.own || !i.events[0].hash || hashes.get(Number(i.events[0].seq)) === i.events[0].hash);
  }

  async evaluate(events: BusEvent[], receivedAtMs = performance.now()): Promise<number> {
    const settings = new Map((await this.deps.settings.all()).map((s) => [s.code, s]));
    const now = this.deps.clock.now();
    const views = new Map<string, Promise<ProcessView | null>>();
    let population: Promise<ProcessView[]> | null = null;
    const actor = systemActor('supervision', this.deps.clock);
    let raised = 0;
    const done = new Set<string>();
    for (const ev of events) {
      const ctx: EvalContext = {
        ev,
        now,
        settings,
        sources: this.sources,
        view: (key) => {
          if (!views.has(key)) views.set(key, this.sources.view(key));
          return views.get(key)!;
        },
        population: () => (population ??= this.sources.population(now)),
      };
      for (const rule of RULES) {
        const s = settings.get(rule.code)!;
        if (!s.enabled || !matchesAction(rule.actions, ev.action)) continue;
        if (PROCESS_RULES.has(rule.code)) {
          const key = await this.sources.keyOf(ev);
          if (key && done.has(`${rule.code}|${key}`)) continue;
          if (key) done.add(`${rule.code}|${key}`);
        }
        let findings;
        try {
          findings = await HANDLERS[rule.code](ctx, s.thresholds);
        } catch (err) {
          this.deps.log.error('supervision rule failed', { rule: rule.code, action: ev.action, error: (err as Error).message });
          continue;
        }
        this.evaluated++;
        for (const finding of findings) {
          const foldWindowMinutes = typeof s.thresholds.foldWindowMinutes === 'number' ? s.thresholds.foldWindowMinutes : DEFAULT_FOLD_WINDOW_MINUTES;
          const alert = await this.deps.alerts.raise(actor, { ruleCode: rule.code, severity: s.severity, finding, foldWindowMinutes, trigger: { seq: Number(ev.seq), occurredAt: ev.occurred_at, receivedAtMs } });
          if (alert && alert.occurrences === 1) raised++;
        }
      }
    }
    return raised;
  }
}

/** Evaluates the audit trail already recorded (demo seed, a rule switched on later): oldest first, in pages. */
export async function replayAuditTrail(engine: RuleEngine, db: Db, pageSize = 500): Promise<number> {
  const patterns = [...new Set(RULES.flatMap((r) => r.actions))];
  const exact = patterns.filter((p) => !p.endsWith('.*'));
  const prefixes = patterns.filter((p) => p.endsWith('.*')).map((p) => p.slice(0, -1));
  let after = 0;
  let raised = 0;
  for (;;) {
    const rows: BusEvent[] = await db('audit_events')
      .where('seq', '>', after)
      .andWhere((q) => {
        q.whereIn('action', exact);
        prefixes.forEach((p) => q.orWhere('action', 'like', `${p}%`));
      })
      .orderBy('seq')
      .limit(pageSize)
      .select('seq', 'occurred_at', 'actor_id', 'actor_role', 'action', 'entity_type', 'entity_id', 'after_json', 'ip');
    if (rows.length === 0) return raised;
    raised += await engine.evaluate(rows);
    after = Number(rows[rows.length - 1].seq);
  }
}
