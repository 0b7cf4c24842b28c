// What a supervisor types into the trace: a reference people use (the tender number ZB2026-00006,
// PRJ-/REQ-/CON-/PAY- numbers of the workflow, a competition's WSJJ- code, a supplier's unified
// social credit code) or an internal id. It is resolved to the subject it names, or to nothing:
// an unknown reference is "not found", never an empty trace that looks verified.
// And the names a story needs: people, units, suppliers and the references of the things named
// in the events (never an expert's name: a sealed draw's panel stays sealed).
import type { Knex } from 'knex';
import { NotFoundError } from '../../http/errors';
import { hasTable } from '../sources/tables-source';
import type { TraceSubject } from './service';

interface RefSource { type: TraceSubject; table: string; ref: string; title?: string }

// How each subject is numbered (see the services that create them): tenders.reference (ZB2026-00006),
// procurement_projects.ref (PRJ-2026-000123), requisitions.ref (REQ-2026-000123), auctions.code
// (WSJJ-2026-0007), contracts.ref (CON-2026-000123), suppliers.credit_code (18 characters).
const SOURCES: RefSource[] = [
  { type: 'tender', table: 'tenders', ref: 'reference', title: 'title' },
  { type: 'project', table: 'procurement_projects', ref: 'ref', title: 'title' },
  { type: 'requisition', table: 'requisitions', ref: 'ref', title: 'title' },
  { type: 'competition', table: 'auctions', ref: 'code', title: 'title' },
  { type: 'contract', table: 'contracts', ref: 'ref' },
  { type: 'supplier', table: 'suppliers', ref: 'credit_code', title: 'name' },
  { type: 'agreement', table: 'framework_agreements', ref: 'ref', title: 'title' },
];

export interface ResolvedSubject {
  type: TraceSubject;
  id: string;
  reference: string | null;
  title: string | null;
}

/** The subject a reference or id names; 404 TRACE_SUBJECT_NOT_FOUND when it names nothing. */
export async function resolveSubject(db: Knex, type: TraceSubject | undefined, text: string, hasEvents: (type: TraceSubject, id: string) => Promise<boolean>): Promise<ResolvedSubject> {
  const wanted = text.trim();
  const sources = SOURCES.filter((s) => !type || s.type === type);
  for (const s of sources) {
    if (!(await hasTable(db, s.table))) continue;
    const cols = ['id', `${s.ref} as ref`, ...(s.title ? [`${s.title} as title`] : [])];
    const byRef = await db(s.table).whereRaw(`UPPER(${s.ref}) = ?`, [wanted.toUpperCase()]).first(cols);
    if (byRef) return { type: s.type, id: String(byRef.id), reference: byRef.ref, title: byRef.title ?? null };
  }
  // A payment request's number leads to its contract.
  if ((!type || type === 'contract') && (await hasTable(db, 'payment_requests'))) {
    const pay = await db('payment_requests as p').join('contracts as c', 'c.id', 'p.contract_id').whereRaw('UPPER(p.ref) = ?', [wanted.toUpperCase()]).first('c.id', 'c.ref');
    if (pay) return { type: 'contract', id: String(pay.id), reference: pay.ref, title: null };
  }
  // An internal id of the chosen kind: it exists as a row, or at least on the audit trail.
  if (type && /^\d+$/.test(wanted)) {
    const s = SOURCES.find((x) => x.type === type)!;
    const row = (await hasTable(db, s.table)) ? await db(s.table).where({ id: Number(wanted) }).first(['id', `${s.ref} as ref`, ...(s.title ? [`${s.title} as title`] : [])]) : null;
    if (row) return { type, id: wanted, reference: row.ref, title: row.title ?? null };
    if (await hasEvents(type, wanted)) return { type, id: wanted, reference: null, title: null };
  }
  throw new NotFoundError(`Nothing is known by "${wanted}"${type ? ` as a ${type}` : ''}`, { subjectId: wanted, subjectType: type ?? null }, 'TRACE_SUBJECT_NOT_FOUND');
}

export interface TraceNames {
  users: Record<string, string>;
  suppliers: Record<string, string>;
  orgs: Record<string, { zh: string; en: string }>;
  /** References of the things events name: tender:6 → ZB2026-00006. */
  refs: Record<string, string>;
  /** Whose bid a tender bid id is (events of the evaluation name the bid, not the bidder). */
  bidSuppliers: Record<string, number>;
}

const SUPPLIER_FIELDS = ['supplierId', 'winnerSupplierId', 'awardedSupplierId'];
const ORG_FIELDS = ['orgId', 'purchasingOrgId', 'unitId'];
const USER_FIELDS = ['userId', 'assignedTo', 'approverId'];
const REF_FIELDS: Record<string, TraceSubject> = { tenderId: 'tender', projectId: 'project', requisitionId: 'requisition', auctionId: 'competition', competitionId: 'competition', contractId: 'contract', agreementId: 'agreement' };
const ENTITY_SUBJECT: Record<string, TraceSubject> = { tender: 'tender', project: 'project', procurement_project: 'project', requisition: 'requisition', auction: 'competition', competition: 'competition', contract: 'contract', supplier: 'supplier', framework_agreement: 'agreement' };

/** Names and references for every person, unit, supplier and thing the events mention. */
export async function namesFor(db: Knex, events: Array<{ entityType: string; entityId: string; before: unknown; after: unknown; actorId: number | null }>): Promise<TraceNames> {
  const ids = { users: new Set<number>(), suppliers: new Set<number>(), orgs: new Set<number>(), bids: new Set<number>(), refs: new Map<TraceSubject, Set<number>>() };
  const addRef = (t: TraceSubject, v: unknown) => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 1) return;
    if (t === 'supplier') return void ids.suppliers.add(n);
    if (!ids.refs.has(t)) ids.refs.set(t, new Set());
    ids.refs.get(t)!.add(n);
  };
  const num = (v: unknown, into: Set<number>) => {
    const n = Number(v);
    if (v !== null && v !== undefined && v !== '' && Number.isSafeInteger(n) && n > 0) into.add(n);
  };
  for (const e of events) {
    if (e.actorId) ids.users.add(e.actorId);
    if (ENTITY_SUBJECT[e.entityType]) addRef(ENTITY_SUBJECT[e.entityType], e.entityId);
    if (e.entityType === 'organisation') num(e.entityId, ids.orgs);
    if (e.entityType === 'user') num(e.entityId, ids.users);
    for (const o of [e.before, e.after]) {
      if (!o || typeof o !== 'object') continue;
      const r = o as Record<string, unknown>;
      for (const f of SUPPLIER_FIELDS) num(r[f], ids.suppliers);
      for (const f of ORG_FIELDS) num(r[f], ids.orgs);
      for (const f of USER_FIELDS) num(r[f], ids.users);
      if (e.entityType === 'tender') num(r.bidId, ids.bids);
      for (const [f, t] of Object.entries(REF_FIELDS)) addRef(t, r[f]);
    }
  }
  const out: TraceNames = { users: {}, suppliers: {}, orgs: {}, refs: {}, bidSuppliers: {} };
  const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / 500) }, (_, i) => xs.slice(i * 500, i * 500 + 500));
  if (ids.bids.size && (await hasTable(db, 'tender_bids'))) {
    for (const c of chunks([...ids.bids])) {
      for (const b of await db('tender_bids').whereIn('id', c).select('id', 'supplier_id')) {
        out.bidSuppliers[b.id] = Number(b.supplier_id);
        ids.suppliers.add(Number(b.supplier_id));
      }
    }
  }
  for (const c of chunks([...ids.users])) for (const u of await db('users').whereIn('id', c).select('id', 'display_name')) out.users[u.id] = u.display_name;
  for (const c of chunks([...ids.suppliers])) for (const s of await db('suppliers').whereIn('id', c).select('id', 'name')) out.suppliers[s.id] = s.name;
  for (const c of chunks([...ids.orgs])) for (const o of await db('organisations').whereIn('id', c).select('id', 'name_zh', 'name_en')) out.orgs[o.id] = { zh: o.name_zh, en: o.name_en };
  for (const [t, set] of ids.refs) {
    const s = SOURCES.find((x) => x.type === t)!;
    if (!(await hasTable(db, s.table))) continue;
    for (const c of chunks([...set])) for (const r of await db(s.table).whereIn('id', c).select('id', `${s.ref} as ref`)) out.refs[`${t}:${r.id}`] = r.ref;
  }
  return out;
}
