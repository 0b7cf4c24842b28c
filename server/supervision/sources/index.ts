// Where the engine gets a process's view: the owning module's tables when they hold it (auctions,
// tenders, the body's projects), else the audit trail (the integration bus).
import type { Knex } from 'knex';
import { toDbTime } from '../../db/time';
import { allViewsFromAudit, requisitionsFromAudit } from './audit-source';
import { ProcessEventCache } from './event-cache';
import { auctionView, completeProjectView, projectAwards, projectOfContract, requisitionsFromTable, tenderView } from './tables-source';
import { emptyView, type ProcessView } from './process-view';
import { foldProcess, processKeyOf, type BusEvent } from './event-contract';
import type { RequisitionFact, UnitAward } from '../rules/platform';

export class ProcessSources {
  private cache = new ProcessEventCache();
  constructor(readonly db: Knex) {}

  /** Live events keep the cached processes current (called by the engine as events arrive). */
  observe(events: BusEvent[]): void {
    this.cache.observe(events);
  }

  /** Processes changed on another node (cluster): read them again when next needed. */
  forget(keys: string[] | null): void {
    this.cache.forget(keys);
  }

  private async fromAudit(key: string): Promise<ProcessView | null> {
    const events = await this.cache.eventsOf(this.db, key);
    return events.length ? foldProcess(key, events) : null;
  }

  /** The process an event concerns; a contract's events concern its project. */
  async keyOf(ev: BusEvent): Promise<string | null> {
    const key = processKeyOf(ev);
    if (key) return key;
    if (ev.entity_type === 'contract') {
      const p = await projectOfContract(this.db, ev.entity_id);
      return p ? `project:${p}` : null;
    }
    return null;
  }

  async view(key: string): Promise<ProcessView | null> {
    const [kind, id] = key.split(':');
    if (kind === 'competition') return (await auctionView(this.db, id)) ?? (await this.fromAudit(key));
    if (kind === 'tender') return (await tenderView(this.db, id)) ?? (await this.fromAudit(key));
    const v = (await this.fromAudit(key)) ?? emptyView('project', id);
    const full = await completeProjectView(this.db, v);
    return full.orgId === null && full.bids.length === 0 && full.awards.length === 0 && !full.title ? null : full;
  }

  /** The population Cardinal's fences are computed on: processes of the last `days` days. */
  async population(now: Date, days = 730): Promise<ProcessView[]> {
    const since = toDbTime(now.getTime() - days * 86_400_000);
    const out: ProcessView[] = [];
    for (const v of await allViewsFromAudit(this.db, since)) {
      // The owning module's tables are the better view where they have it.
      if (v.kind === 'competition') out.push((await auctionView(this.db, v.id)) ?? v);
      else if (v.kind === 'tender') out.push((await tenderView(this.db, v.id)) ?? v);
      else out.push(await completeProjectView(this.db, v));
    }
    return out;
  }

  async unitAwards(now: Date, days: number, population?: ProcessView[]): Promise<UnitAward[]> {
    const since = toDbTime(now.getTime() - days * 86_400_000);
    const views = population ?? (await this.population(now, days));
    const out: UnitAward[] = [];
    const seen = new Set<string>();
    // One award may show in its tender or competition and again in its project: count it once.
    const add = (a: UnitAward & { amountFen: number | null }) => {
      const sig = `${a.orgId}|${a.supplierId}|${a.amountFen ?? ''}|${a.at.slice(0, 10)}`;
      if (seen.has(a.processKey) || seen.has(sig)) return;
      seen.add(a.processKey);
      seen.add(sig);
      out.push({ processKey: a.processKey, orgId: a.orgId, supplierId: a.supplierId, at: a.at });
    };
    for (const v of views) {
      const a = v.awards.find((x) => x.status === 'active');
      if (a && v.orgId !== null) add({ processKey: v.key, orgId: v.orgId, supplierId: a.supplierId, at: a.at ?? now.toISOString(), amountFen: a.amountFen });
    }
    for (const a of await projectAwards(this.db, since)) add({ ...a, amountFen: (a as any).amountFen ?? null });
    return out;
  }

  async requisitions(orgId: number, categoryCode: string, since: Date): Promise<RequisitionFact[]> {
    const s = toDbTime(since);
    return (await requisitionsFromTable(this.db, orgId, categoryCode, s)) ?? (await requisitionsFromAudit(this.db, orgId, categoryCode, s));
  }
}
