// Full trace: the complete timeline of a project, requisition, competition or supplier from the
// audit chain, following the related entities one hop (a project's requisition and contract, a
// competition's bids...), with each event's hash and link re-checked and the chain verified.
import type { Knex } from 'knex';
import { isoFromDb, toDbTime } from '../../db/time';
import { eventHash } from '../audit/chain';
import { verifyChain, type VerifyResult } from '../audit/audit';
import { hasTable } from '../sources/tables-source';
import { namesFor, resolveSubject, type ResolvedSubject, type TraceNames } from './subjects';

export type TraceSubject = 'project' | 'requisition' | 'competition' | 'tender' | 'supplier' | 'contract' | 'agreement';
export const TRACE_SUBJECTS: TraceSubject[] = ['project', 'requisition', 'competition', 'tender', 'supplier', 'contract', 'agreement'];

const ENTITY_TYPES: Record<TraceSubject, string[]> = {
  project: ['project', 'procurement_project'],
  tender: ['tender'],
  requisition: ['requisition'],
  competition: ['competition', 'auction'],
  supplier: ['supplier'],
  contract: ['contract'],
  agreement: ['framework_agreement'],
};
const FIELDS: Record<TraceSubject, string[]> = {
  project: ['projectId'],
  tender: ['tenderId'],
  requisition: ['requisitionId'],
  competition: ['competitionId', 'auctionId'],
  supplier: ['supplierId', 'winnerSupplierId', 'awardedSupplierId'],
  contract: ['contractId'],
  agreement: ['agreementId'],
};
// Which related entities a subject's own events lead to (one hop).
const FOLLOW: Record<TraceSubject, TraceSubject[]> = {
  project: ['requisition', 'competition', 'tender', 'contract', 'agreement'],
  requisition: ['project', 'competition'],
  competition: ['requisition', 'project', 'contract'],
  tender: ['project'],
  contract: ['project'],
  supplier: [],
  agreement: [],
};

export interface TraceFilter {
  action?: string;
  actorId?: number;
  from?: string;
  to?: string;
}

export interface TraceEvent {
  seq: number;
  occurredAt: string;
  actorId: number | null;
  actorName: string | null;
  actorRole: string;
  action: string;
  entityType: string;
  entityId: string;
  before: unknown;
  after: unknown;
  ip: string | null;
  hash: string;
  /** The event's content matches its hash and its prev_hash matches the previous event. */
  verified: boolean;
  /** Why the event is in this trace: the subject itself or a related entity. */
  via: string;
}

export interface Trace {
  subject: { type: TraceSubject; id: string; reference: string | null; title: string | null };
  /** People, units, suppliers and references named in the events, for telling them as sentences. */
  names: TraceNames;
  related: Array<{ type: TraceSubject; id: string }>;
  events: TraceEvent[];
  verification: { events: number; intact: number; allIntact: boolean; chain: VerifyResult; checkedAt: string };
}

function likePatterns(fields: string[], id: string): string[] {
  return fields.flatMap((f) => [`%"${f}":${id},%`, `%"${f}":${id}}%`, `%"${f}":"${id}"%`]);
}

async function rowsFor(db: Knex, type: TraceSubject, id: string, limit = 20000): Promise<any[]> {
  const patterns = likePatterns(FIELDS[type], id);
  return db('audit_events as a')
    .leftJoin('users as u', 'u.id', 'a.actor_id')
    .select('a.*', 'u.display_name as actor_name')
    .where((q) => {
      q.where((w) => w.whereIn('a.entity_type', ENTITY_TYPES[type]).andWhere('a.entity_id', id));
      for (const p of patterns) q.orWhere('a.after_json', 'like', p).orWhere('a.before_json', 'like', p);
    })
    .orderBy('a.seq')
    .limit(limit);
}

/** Related ids named in the events (`after.requisitionId`...) and in the owning tables' link columns. */
async function relatedOf(db: Knex, type: TraceSubject, id: string, rows: any[]): Promise<Array<{ type: TraceSubject; id: string }>> {
  const out = new Map<string, { type: TraceSubject; id: string }>();
  const add = (t: TraceSubject, v: unknown) => {
    if (v === null || v === undefined || v === '') return;
    const key = `${t}:${v}`;
    if (!(t === type && String(v) === id)) out.set(key, { type: t, id: String(v) });
  };
  for (const r of rows) {
    for (const json of [r.after_json, r.before_json]) {
      if (!json) continue;
      let o: any;
      try {
        o = JSON.parse(json);
      } catch {
        continue;
      }
      if (!o || typeof o !== 'object') continue;
      for (const t of FOLLOW[type]) for (const f of FIELDS[t]) add(t, o[f]);
    }
  }
  if (type === 'project' && (await hasTable(db, 'procurement_projects')) && /^\d+$/.test(id)) {
    const p = await db('procurement_projects').where({ id: Number(id) }).first('requisition_id');
    if (p) add('requisition', p.requisition_id);
    if (await hasTable(db, 'contracts')) for (const c of await db('contracts').where({ project_id: Number(id) }).select('id')) add('contract', c.id);
  }
  if (type === 'requisition' && (await hasTable(db, 'procurement_projects')) && /^\d+$/.test(id)) {
    for (const p of await db('procurement_projects').where({ requisition_id: Number(id) }).select('id')) add('project', p.id);
  }
  if ((type === 'project' || type === 'tender') && (await hasTable(db, 'tenders')) && /^\d+$/.test(id)) {
    if (type === 'project') for (const t of await db('tenders').where({ project_id: Number(id) }).select('id')) add('tender', t.id);
    else add('project', (await db('tenders').where({ id: Number(id) }).first('project_id'))?.project_id);
  }
  if ((type === 'competition' || type === 'project' || type === 'requisition') && (await hasTable(db, 'auctions')) && /^\d+$/.test(id)) {
    const col = type === 'competition' ? 'id' : type === 'project' ? 'project_id' : 'requisition_id';
    for (const a of await db('auctions').where(col, Number(id)).select('id', 'project_id', 'requisition_id')) {
      add('competition', a.id);
      add('project', a.project_id);
      add('requisition', a.requisition_id);
    }
  }
  return [...out.values()];
}

/** The trace of whatever `subjectId` names (a reference people use, or an id of `subjectType`); 404 when nothing. */
export async function traceOf(db: Knex, subjectType: TraceSubject | undefined, subjectId: string, filter: TraceFilter, now: Date): Promise<Trace> {
  const subject = await resolveSubject(db, subjectType, subjectId, async (t, id) => (await rowsFor(db, t, id, 1)).length > 0);
  return buildTrace(db, subject.type, subject.id, filter, now, subject);
}

export async function buildTrace(db: Knex, type: TraceSubject, id: string, filter: TraceFilter, now: Date, resolved?: ResolvedSubject): Promise<Trace> {
  const own = await rowsFor(db, type, id);
  const related = await relatedOf(db, type, id, own);
  const bySeq = new Map<number, { row: any; via: string }>();
  for (const r of own) bySeq.set(Number(r.seq), { row: r, via: `${type}:${id}` });
  for (const rel of related) for (const r of await rowsFor(db, rel.type, rel.id)) if (!bySeq.has(Number(r.seq))) bySeq.set(Number(r.seq), { row: r, via: `${rel.type}:${rel.id}` });
  let items = [...bySeq.values()].sort((a, b) => Number(a.row.seq) - Number(b.row.seq));
  if (filter.action) items = items.filter((x) => x.row.action.startsWith(filter.action!));
  if (filter.actorId) items = items.filter((x) => Number(x.row.actor_id) === filter.actorId);
  if (filter.from) items = items.filter((x) => x.row.occurred_at >= toDbTime(new Date(filter.from!)));
  if (filter.to) items = items.filter((x) => x.row.occurred_at < toDbTime(new Date(filter.to!)));

  // Re-check each event: its hash over its content, and its link to the previous event of its stream.
  const prevWanted = new Map<string, number[]>();
  for (const { row: r } of items) if (Number(r.stream_seq) > 1) (prevWanted.get(r.stream) ?? prevWanted.set(r.stream, []).get(r.stream)!).push(Number(r.stream_seq) - 1);
  const prevHash = new Map<string, string>();
  for (const [stream, seqs] of prevWanted) {
    for (let i = 0; i < seqs.length; i += 500) {
      for (const p of await db('audit_events').where({ stream }).whereIn('stream_seq', seqs.slice(i, i + 500)).select('stream_seq', 'hash')) prevHash.set(`${stream}#${Number(p.stream_seq)}`, p.hash);
    }
  }
  const events: TraceEvent[] = items.map(({ row: r, via }) => {
    const seq = Number(r.seq);
    const expectedPrev = Number(r.stream_seq) === 1 ? '0'.repeat(64) : prevHash.get(`${r.stream}#${Number(r.stream_seq) - 1}`);
    const verified = eventHash(r.prev_hash, r) === r.hash && expectedPrev === r.prev_hash;
    return {
      seq,
      occurredAt: isoFromDb(r.occurred_at)!,
      actorId: r.actor_id === null ? null : Number(r.actor_id),
      actorName: r.actor_name ?? null,
      actorRole: r.actor_role,
      action: r.action,
      entityType: r.entity_type,
      entityId: r.entity_id,
      before: r.before_json ? JSON.parse(r.before_json) : null,
      after: r.after_json ? JSON.parse(r.after_json) : null,
      ip: r.ip,
      hash: r.hash,
      verified,
      via,
    };
  });
  const chain = await verifyChain(db);
  const intact = events.filter((e) => e.verified).length;
  const names = await namesFor(db, events);
  return { subject: { type, id, reference: resolved?.reference ?? null, title: resolved?.title ?? null }, names, related, events, verification: { events: events.length, intact, allIntact: intact === events.length && chain.intact, chain, checkedAt: now.toISOString() } };
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // Quote always; neutralise spreadsheet formulas.
  return `"${(/^[=+\-@]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
};

export function traceCsv(t: Trace): string {
  const head = ['seq', 'occurred_at_utc', 'actor', 'actor_role', 'action', 'entity_type', 'entity_id', 'via', 'after', 'hash', 'verified'];
  const lines = [head.join(',')];
  for (const e of t.events) lines.push([e.seq, e.occurredAt, e.actorName ?? e.actorId ?? '', e.actorRole, e.action, e.entityType, e.entityId, e.via, e.after, e.hash, e.verified ? 'yes' : 'NO'].map(csvCell).join(','));
  lines.push('');
  lines.push(`# chain ${t.verification.chain.intact ? 'intact' : 'BROKEN'}, ${t.verification.intact}/${t.verification.events} events verified, checked ${t.verification.checkedAt}`);
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}
