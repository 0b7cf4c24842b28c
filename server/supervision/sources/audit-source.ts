// Process views built from the audit trail itself (the integration bus), for processes whose
// module keeps no table we can read, and as the common fallback.
import type { Knex } from 'knex';
import { afterOf, foldProcess, processKeyOf, type BusEvent } from './event-contract';
import type { ProcessView } from './process-view';

const PROCESS_ENTITY_TYPES = ['competition', 'auction', 'project', 'tender', 'procurement_project'];
const PROCESS_SUBJECT_PREFIXES = ['bid.', 'award.', 'contract.', 'participant.', 'tender.', 'response.'];
const COLUMNS = ['seq', 'occurred_at', 'actor_id', 'actor_role', 'action', 'entity_type', 'entity_id', 'after_json', 'ip'];

/** Events of one process: its own entity rows, and rows whose `after` names it. */
export async function processEvents(db: Knex, key: string): Promise<BusEvent[]> {
  const [kind, id] = key.split(':');
  const types = kind === 'competition' ? ['competition', 'auction'] : ['project', 'tender', 'procurement_project'];
  const fields = kind === 'competition' ? ['competitionId', 'auctionId'] : ['projectId', 'tenderId'];
  const patterns = fields.flatMap((f) => [`%"${f}":${id},%`, `%"${f}":${id}}%`, `%"${f}":"${id}"%`]);
  const rows: BusEvent[] = await db('audit_events')
    .select(COLUMNS)
    .where((q) => {
      q.where((w) => w.whereIn('entity_type', types).andWhere('entity_id', id));
      q.orWhere((w) => {
        w.where((p) => PROCESS_SUBJECT_PREFIXES.forEach((s) => p.orWhere('action', 'like', `${s}%`))).andWhere((p) => patterns.forEach((pat) => p.orWhere('after_json', 'like', pat)));
      });
    })
    .orderBy('seq');
  return rows.filter((e) => processKeyOf(e) === key);
}

export async function viewFromAudit(db: Knex, key: string): Promise<ProcessView | null> {
  const events = await processEvents(db, key);
  return events.length ? foldProcess(key, events) : null;
}

/** Every process seen on the bus since `since` (DB time), folded; the population for Cardinal's fences. */
export async function allViewsFromAudit(db: Knex, since: string, limitEvents = 200_000): Promise<ProcessView[]> {
  const rows: BusEvent[] = await db('audit_events')
    .select(COLUMNS)
    .where('occurred_at', '>=', since)
    .andWhere((q) => {
      q.whereIn('entity_type', PROCESS_ENTITY_TYPES);
      PROCESS_SUBJECT_PREFIXES.forEach((s) => q.orWhere('action', 'like', `${s}%`));
    })
    .orderBy('seq')
    .limit(limitEvents);
  const byKey = new Map<string, BusEvent[]>();
  for (const e of rows) {
    const k = processKeyOf(e);
    if (k) (byKey.get(k) ?? byKey.set(k, []).get(k)!).push(e);
  }
  return [...byKey].map(([k, evs]) => foldProcess(k, evs));
}

/** Requisition facts (SV07) from the bus: `requisition.submitted` with orgId, categoryCode, totalFen. */
export async function requisitionsFromAudit(db: Knex, orgId: number, categoryCode: string, since: string) {
  const rows: BusEvent[] = await db('audit_events').select(COLUMNS).where('action', 'requisition.submitted').andWhere('occurred_at', '>=', since).orderBy('seq');
  return rows
    .map((e) => ({ e, a: afterOf(e) }))
    .filter(({ a }) => Number(a.orgId) === orgId && a.categoryCode === categoryCode && Number.isFinite(Number(a.totalFen)))
    .map(({ e, a }) => ({ id: String(e.entity_id), orgId, categoryCode, totalFen: Number(a.totalFen), at: new Date(e.occurred_at.replace(' ', 'T') + 'Z').toISOString() }));
}
