// Process views from the owning modules' tables, where those tables exist: the online price
// competitions (auctions, auction_bids, auction_participants), the workflow body's projects,
// requisitions and contracts. Every query is guarded, so supervision runs before they land.
import type { Knex } from 'knex';
import { isoFromDb } from '../../db/time';
import { poolOf } from '../../db/knex';
import { emptyView, type ProcessView } from './process-view';

const present = new Map<string, boolean>();
export async function hasTable(db: Knex, name: string): Promise<boolean> {
  // Cached once true: tables appear with migrations, they do not disappear at run time.
  if (present.get(name)) return true;
  const yes = await db.schema.hasTable(name);
  if (yes) present.set(name, true);
  return yes;
}

const AUCTION_STATUS: Record<string, ProcessView['status']> = { draft: 'planned', announced: 'planned', running: 'active', suspended: 'active', closed: 'complete', failed: 'unsuccessful' };

/**
 * What a competition's bids add up to for the rules: each distinct (supplier, address, device) and
 * each supplier's last bid, both in the order first seen, and the last bid folded in.
 */
interface BidDigest {
  lastSeq: number;
  lastId: string | null;
  fingerprints: Map<string, { supplierId: string; ip: string | null; deviceId: string | null }>;
  lastBids: Map<string, { id: unknown; supplier_id: unknown; amount_fen: unknown; accepted_at: string | Date | null; ip: string | null; device_id: string | null }>;
}
/** Per database (its pool's config object) and competition; the oldest read dropped past the bound. */
const digests = new WeakMap<object, Map<number, BidDigest>>();
const MAX_DIGESTS = 5_000;
const BID_COLUMNS = ['id', 'seq', 'supplier_id', 'amount_fen', 'accepted_at', 'ip', 'device_id'];

/**
 * A competition's bids folded in seq order. Bids are only ever appended, each competition's in seq
 * order (one sequencer at a time commits them: a fenced-off owner commits nothing), so the bids
 * past the last one folded are all that is new. The read starts AT that last bid: if the row found
 * there is not the one folded (another database behind the same pool, rows removed), the digest
 * is built again from every bid.
 */
async function bidDigest(db: Knex, auctionId: number): Promise<BidDigest> {
  let byId = digests.get(poolOf(db));
  if (!byId) digests.set(poolOf(db), (byId = new Map()));
  // The competition's bids in seq order: all of them, or those from a given seq on.
  const bids = (from?: { op: '>' | '>='; seq: number }): Promise<any[]> => {
    const q = db('auction_bids').where({ auction_id: auctionId });
    if (from) q.andWhere('seq', from.op, from.seq);
    return q.orderBy('seq').select(BID_COLUMNS);
  };
  let d = byId.get(auctionId);
  let rows: any[] = [];
  if (d) {
    // Where this read starts (another reading of the same competition may move the digest meanwhile).
    const from = { seq: d.lastSeq, id: d.lastId };
    rows = await bids({ op: from.id === null ? '>' : '>=', seq: from.seq });
    if (from.id !== null && !(rows.length && String(rows[0].id) === from.id && Number(rows[0].seq) === from.seq)) d = undefined;
  }
  if (!d) {
    d = { lastSeq: 0, lastId: null, fingerprints: new Map(), lastBids: new Map() };
    rows = await bids();
  }
  for (const b of rows) {
    // Folded once, in seq order: what a reading that ran alongside this one folded already is skipped.
    if (d.lastId !== null && Number(b.seq) <= d.lastSeq) continue;
    const supplierId = String(b.supplier_id);
    const fp = JSON.stringify([supplierId, b.ip, b.device_id]);
    if (!d.fingerprints.has(fp)) d.fingerprints.set(fp, { supplierId, ip: b.ip, deviceId: b.device_id });
    d.lastBids.set(supplierId, b); // Map order stays the order first set: suppliers by first bid
    d.lastSeq = Number(b.seq);
    d.lastId = String(b.id);
  }
  byId.delete(auctionId);
  byId.set(auctionId, d); // most recently read last
  if (byId.size > MAX_DIGESTS) byId.delete(byId.keys().next().value!);
  return d;
}

/** An online price competition from the auctions tables; null when it is not there. */
export async function auctionView(db: Knex, id: string): Promise<ProcessView | null> {
  if (!(await hasTable(db, 'auctions')) || !/^\d+$/.test(id)) return null;
  const a = await db('auctions').where({ id: Number(id) }).first();
  if (!a) return null;
  const v = emptyView('competition', id);
  v.title = a.title;
  v.orgId = a.org_id === null ? null : Number(a.org_id);
  v.method = 'online_competition';
  v.status = AUCTION_STATUS[a.status] ?? 'active';
  v.ceilingFen = Number(a.ceiling_fen);
  v.categoryCode = a.category_code;
  v.periodStart = isoFromDb(a.announced_at ?? a.starts_at); // documents available from the announcement
  v.periodEnd = isoFromDb(a.hard_end_at ?? a.ends_at);
  // Read live, every couple of seconds, while a competition may hold thousands of bids: the
  // bids are folded into a digest kept per competition (see bidDigest), so each reading fetches
  // only the bids committed since the last one, not every bid again.
  const auctionId = Number(id);
  const digest = await bidDigest(db, auctionId);
  for (const f of digest.fingerprints.values()) v.fingerprints.push(f);
  const participants = await db('auction_participants').where({ auction_id: auctionId });
  for (const p of participants) v.fingerprints.push({ supplierId: String(p.supplier_id), ip: p.ip, deviceId: p.device_id });
  const done = v.status === 'complete';
  // A supplier's offer is its last accepted bid; suppliers in the order they first bid.
  for (const b of digest.lastBids.values()) v.bids.push({ id: String(b.id), supplierId: String(b.supplier_id), amountFen: Number(b.amount_fen), status: done ? 'valid' : 'pending', at: isoFromDb(b.accepted_at), ip: b.ip, deviceId: b.device_id });
  if (done && a.winner_supplier_id !== null) v.awards.push({ id: `competition:${id}/award`, supplierId: String(a.winner_supplier_id), amountFen: a.winner_price_fen === null ? null : Number(a.winner_price_fen), status: 'active', at: isoFromDb(a.closed_at) });
  return v;
}

/** Awards of the workflow body's projects (procurement_projects), for concentration (SV06). */
export async function projectAwards(db: Knex, since: string) {
  if (!(await hasTable(db, 'procurement_projects'))) return [];
  const rows = await db('procurement_projects').whereNotNull('awarded_supplier_id').andWhere('updated_at', '>=', since).select('id', 'org_id', 'awarded_supplier_id', 'award_fen', 'award_notice_at', 'updated_at');
  return rows.map((r: any) => ({ processKey: `project:${r.id}`, orgId: Number(r.org_id), supplierId: String(r.awarded_supplier_id), amountFen: r.award_fen === null ? null : Number(r.award_fen), at: isoFromDb(r.award_notice_at ?? r.updated_at)! }));
}

/** Requisition facts (SV07) from the requisitions table. */
export async function requisitionsFromTable(db: Knex, orgId: number, categoryCode: string, since: string) {
  if (!(await hasTable(db, 'requisitions'))) return null;
  const rows = await db('requisitions').where({ org_id: orgId, category_code: categoryCode }).whereNotNull('submitted_at').andWhere('submitted_at', '>=', since).whereNotIn('status', ['draft', 'cancelled', 'rejected']).select('id', 'total_fen', 'submitted_at');
  return rows.map((r: any) => ({ id: String(r.id), orgId, categoryCode, totalFen: Number(r.total_fen), at: isoFromDb(r.submitted_at)! }));
}

const TENDER_STATUS: Record<string, ProcessView['status']> = { draft: 'planned', published: 'active', opening: 'active', evaluation: 'active', report_confirmation: 'active', evaluated: 'active', awarded: 'complete', failed: 'unsuccessful', cancelled: 'cancelled' };
const EVALUATED = new Set(['evaluated', 'report_confirmation', 'awarded']);

/** A public tender from the tendering tables (tenders, tender_bids); null when it is not there. */
export async function tenderView(db: Knex, id: string): Promise<ProcessView | null> {
  if (!(await hasTable(db, 'tenders')) || !/^\d+$/.test(id)) return null;
  const t = await db('tenders').where({ id: Number(id) }).first();
  if (!t) return null;
  const v = emptyView('tender', id);
  v.title = t.title;
  v.orgId = t.purchasing_org_id === null ? null : Number(t.purchasing_org_id);
  v.method = t.procedure ?? 'public_tender';
  v.status = TENDER_STATUS[t.status] ?? 'active';
  v.ceilingFen = Number(t.budget_fen);
  v.categoryCode = t.category_code;
  v.periodStart = isoFromDb(t.published_at);
  v.periodEnd = isoFromDb(t.bid_deadline);
  if (t.procedure === 'competitive_consultation' && t.consultation_id !== null && (await hasTable(db, 'consultations'))) {
    // A consultation's final quotations: the legal period (SV02) is the consultation's, from
    // issuing its documents to the first-response deadline.
    const c = await db('consultations').where({ id: Number(t.consultation_id) }).first('issued_at', 'response_deadline');
    if (c) {
      v.periodStart = isoFromDb(c.issued_at);
      v.periodEnd = isoFromDb(c.response_deadline);
    }
  }
  const bids = await db('tender_bids').where({ tender_id: Number(id) }).whereNotIn('status', ['replaced', 'withdrawn']).orderBy('id');
  for (const b of bids) {
    const status = b.status === 'invalid' || b.status === 'disqualified' ? 'disqualified' : b.status === 'decrypted' && EVALUATED.has(t.status) ? 'valid' : 'pending';
    // submitted_device is absent before its migration and null for bids sent without a device id.
    const deviceId: string | null = b.submitted_device ?? null;
    v.bids.push({ id: String(b.id), supplierId: String(b.supplier_id), amountFen: b.price_fen === null ? null : Number(b.price_fen), status, at: isoFromDb(b.submitted_at), ip: b.submitted_ip, deviceId });
    if (b.submitted_ip || deviceId) v.fingerprints.push({ supplierId: String(b.supplier_id), ip: b.submitted_ip, deviceId });
  }
  if (t.awarded_bid_id !== null) {
    const win = bids.find((b: any) => Number(b.id) === Number(t.awarded_bid_id));
    if (win) v.awards.push({ id: `tender:${id}/award`, supplierId: String(win.supplier_id), amountFen: t.award_amount_fen === null ? null : Number(t.award_amount_fen), status: 'active', at: isoFromDb(t.awarded_at) });
  }
  return v;
}

/** The workflow body's project row: unit, method, budget, period (unless a tender carries it), award and contract. */
export async function completeProjectView(db: Knex, v: ProcessView): Promise<ProcessView> {
  if (!(await hasTable(db, 'procurement_projects')) || !/^\d+$/.test(v.id)) return v;
  const p = await db('procurement_projects').where({ id: Number(v.id) }).first();
  if (!p) return v;
  v.title ??= p.title;
  v.orgId ??= Number(p.org_id);
  // A framework agreement's order is the process view's `framework` method.
  v.method ??= p.method === 'framework_order' ? 'framework' : p.method;
  v.ceilingFen ??= Number(p.budget_fen);
  const tendered = (await hasTable(db, 'tenders')) && (await db('tenders').where({ project_id: Number(v.id) }).first('id'));
  if (!tendered) {
    // The tender's own view carries its period; a project without one is checked here.
    v.periodStart ??= isoFromDb(p.notice_at);
    v.periodEnd ??= isoFromDb(p.deadline_at);
  }
  if (p.awarded_supplier_id !== null && !v.awards.some((a) => a.status === 'active')) {
    v.awards.push({ id: `project:${v.id}/award`, supplierId: String(p.awarded_supplier_id), amountFen: p.award_fen === null ? null : Number(p.award_fen), status: 'active', at: isoFromDb(p.award_notice_at ?? p.updated_at) });
    if (v.status === 'planned' || v.status === 'active') v.status = 'complete';
  }
  if (await hasTable(db, 'contracts')) {
    for (const c of await db('contracts').where({ project_id: Number(v.id) })) {
      v.contracts = v.contracts.filter((x) => x.id !== String(c.id));
      v.contracts.push({ id: String(c.id), supplierId: String(c.supplier_id), amountFen: Number(c.amount_fen), status: c.status, at: isoFromDb(c.updated_at) });
    }
  }
  return v;
}

/** The project a contract belongs to. */
export async function projectOfContract(db: Knex, contractId: string): Promise<string | null> {
  if (!(await hasTable(db, 'contracts')) || !/^\d+$/.test(contractId)) return null;
  const c = await db('contracts').where({ id: Number(contractId) }).first('project_id');
  return c ? String(c.project_id) : null;
}

/** The purchasing unit an entity belongs to (requisition, approval step, project, draw), when its table exists. */
export async function orgOfEntity(db: Knex, entityType: string, entityId: string, after: Record<string, any>): Promise<number | null> {
  const byId = async (table: string, col: string, id: unknown) => {
    if (id === null || id === undefined || !/^\d+$/.test(String(id)) || !(await hasTable(db, table))) return null;
    const r = await db(table).where({ id: Number(id) }).first(col);
    return r && r[col] !== null ? Number(r[col]) : null;
  };
  if (entityType === 'requisition') return byId('requisitions', 'org_id', entityId);
  if (entityType === 'approval_step') return byId('requisitions', 'org_id', after.requisitionId);
  if (entityType === 'project') return byId('procurement_projects', 'org_id', entityId);
  if (entityType === 'draw') return byId('draws', 'purchasing_org_id', entityId);
  if (entityType === 'tender') return byId('tenders', 'purchasing_org_id', entityId);
  if (entityType === 'auction') return byId('auctions', 'org_id', entityId);
  return null;
}

/** A requisition's facts for the split check (SV07). */
export async function requisitionFact(db: Knex, id: string) {
  if (!(await hasTable(db, 'requisitions')) || !/^\d+$/.test(id)) return null;
  const r = await db('requisitions').where({ id: Number(id) }).first('id', 'org_id', 'category_code', 'total_fen', 'submitted_at');
  return r ? { id: String(r.id), orgId: Number(r.org_id), categoryCode: r.category_code, totalFen: Number(r.total_fen), at: isoFromDb(r.submitted_at) } : null;
}
