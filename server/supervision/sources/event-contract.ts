// The event contract the supervision rules read: which audit actions describe a procurement
// process and which `after` fields they carry (README "Supervision: event contract").
// Field names are read tolerantly (camelCase first) so a module can conform without a rename.
import type { BidStatus, ProcessKind, ProcessView } from './process-view';
import { emptyView } from './process-view';

export interface BusEvent {
  seq: number;
  occurred_at: string; // DB time 'YYYY-MM-DD HH:MM:SS.mmm' (UTC)
  actor_id: number | null;
  actor_role: string;
  action: string;
  entity_type: string;
  entity_id: string;
  after_json: string | null;
  before_json?: string | null;
  ip: string | null;
  hash?: string;
}

const KIND_OF_ENTITY: Record<string, ProcessKind> = { competition: 'competition', auction: 'competition', tender: 'tender', project: 'project', procurement_project: 'project' };

export function afterOf(e: BusEvent): Record<string, any> {
  if (!e.after_json) return {};
  try {
    const v = JSON.parse(e.after_json);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

const pick = (o: Record<string, any>, ...names: string[]) => {
  for (const n of names) if (o[n] !== undefined && o[n] !== null) return o[n];
  return null;
};
const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const isoOfDb = (t: string) => new Date(t.replace(' ', 'T') + 'Z').toISOString();
const iso = (v: unknown): string | null => {
  if (v === null || v === undefined) return null;
  const s = String(v);
  const d = new Date(/^\d{4}-\d\d-\d\d \d/.test(s) ? s.replace(' ', 'T') + 'Z' : s);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
};

/** The process an event belongs to, if any: `competition:12`, `project:7`. */
export function processKeyOf(e: BusEvent): string | null {
  const kind = KIND_OF_ENTITY[e.entity_type];
  if (kind) return `${kind}:${e.entity_id}`;
  const a = afterOf(e);
  const c = pick(a, 'competitionId', 'auctionId');
  if (c !== null) return `competition:${c}`;
  const t = pick(a, 'tenderId');
  if (t !== null) return `tender:${t}`;
  const p = pick(a, 'projectId');
  if (p !== null) return `project:${p}`;
  if (a.processType && a.processId !== undefined) return `${KIND_OF_ENTITY[a.processType] ?? a.processType}:${a.processId}`;
  return null;
}

export const supplierOf = (a: Record<string, any>) => str(pick(a, 'supplierId', 'supplier_id', 'winnerSupplierId', 'awardedSupplierId'));
export const amountOf = (a: Record<string, any>) => num(pick(a, 'amountFen', 'amount_fen', 'priceFen', 'awardFen', 'winnerPriceFen', 'winningFen'));
export const orgOf = (a: Record<string, any>) => num(pick(a, 'orgId', 'org_id', 'unitId'));

/** Verb part of an action: 'bid.accepted' -> ['bid', 'accepted']. */
function verb(action: string): [string, string] {
  const i = action.indexOf('.');
  return i < 0 ? [action, ''] : [action.slice(0, i), action.slice(i + 1)];
}

const BID_SUBJECTS = new Set(['bid', 'tender_bid', 'response']);
const AWARD_SUBJECTS = new Set(['award']);
const CONTRACT_SUBJECTS = new Set(['contract']);

/**
 * A batch event (the auction sequencer's 'auction.bids_accepted', one per competition per commit,
 * listing its bids) read as the single-bid events it stands for, in order.
 */
export function expandBatchEvents(events: BusEvent[]): BusEvent[] {
  if (!events.some((e) => e.action.endsWith('.bids_accepted'))) return events;
  const out: BusEvent[] = [];
  for (const e of events) {
    if (!e.action.endsWith('.bids_accepted')) {
      out.push(e);
      continue;
    }
    const a = afterOf(e);
    const single = e.action.replace(/\.bids_accepted$/, '.bid_accepted');
    for (const b of Array.isArray(a.bids) ? a.bids : []) {
      out.push({ ...e, action: single, ip: b?.ip ?? e.ip, after_json: JSON.stringify({ ceilingFen: a.ceilingFen, auctionId: a.auctionId, ...b }) });
    }
  }
  return out;
}

/** Folds a process's events (seq order) into its view. */
export function foldProcess(key: string, events: BusEvent[]): ProcessView {
  const [kind, id] = key.split(':') as [ProcessKind, string];
  const v = emptyView(kind, id);
  const bidIndex = new Map<string, number>();
  for (const e of expandBatchEvents(events)) {
    const a = afterOf(e);
    let [subject, what] = verb(e.action);
    // 'auction.bid_accepted' on the competition's own entity: a bid event.
    if (KIND_OF_ENTITY[subject] && what.startsWith('bid_')) [subject, what] = ['bid', what.slice(4)];
    const at = isoOfDb(e.occurred_at);
    if (subject === 'participant' || what.endsWith('joined')) {
      const supplierId = supplierOf(a);
      const ip = str(pick(a, 'ip', 'clientIp')) ?? e.ip;
      const deviceId = str(pick(a, 'deviceId', 'device_id'));
      if (supplierId && (ip || deviceId)) v.fingerprints.push({ supplierId, ip, deviceId });
      continue;
    }
    if (KIND_OF_ENTITY[subject]) {
      // process lifecycle: created / announced / published / opened / extended / closed / failed / cancelled
      v.title = str(pick(a, 'title')) ?? v.title;
      v.orgId = orgOf(a) ?? v.orgId;
      v.method = str(pick(a, 'method')) ?? v.method ?? (kind === 'competition' ? 'online_competition' : null);
      v.ceilingFen = num(pick(a, 'ceilingFen', 'budgetFen', 'ceiling_fen', 'budget_fen')) ?? v.ceilingFen;
      v.categoryCode = str(pick(a, 'categoryCode', 'category_code')) ?? v.categoryCode;
      const period = a.tenderPeriod && typeof a.tenderPeriod === 'object' ? a.tenderPeriod : {};
      // The submission period starts when the documents are available: the notice (announcement);
      // a competition's opening time is only the fallback.
      const explicitStart = iso(pick(a, 'noticeAt', 'tenderPeriodStart', 'documentsFrom') ?? period.startDate);
      if (explicitStart) v.periodStart = explicitStart;
      else if (['announced', 'published'].includes(what)) v.periodStart = at;
      else v.periodStart ??= iso(pick(a, 'startsAt', 'starts_at'));
      v.periodEnd = iso(pick(a, 'endsAt', 'ends_at', 'deadlineAt', 'bidDeadline', 'tenderPeriodEnd', 'hardEndAt') ?? period.endDate) ?? v.periodEnd;
      if (['opened', 'published', 'announced', 'started', 'resumed'].includes(what) && v.status === 'planned') v.status = 'active';
      if (what === 'opened' || what === 'started') v.status = 'active';
      if (['cancelled', 'terminated'].includes(what)) v.status = 'cancelled';
      if (['failed'].includes(what) || a.status === 'failed') v.status = 'unsuccessful';
      if (['closed', 'completed', 'awarded', 'tender_awarded'].includes(what)) {
        if (v.status !== 'unsuccessful' && a.status !== 'failed') v.status = 'complete';
        const winner = supplierOf(a);
        const price = amountOf(a);
        // A competition's close (a tender's or project's award) names the winner: the award.
        if (winner) {
          v.awards = v.awards.filter((x) => x.supplierId !== winner);
          v.awards.forEach((x) => x.status === 'active' && (x.status = 'cancelled'));
          v.awards.push({ id: `${key}/award`, supplierId: winner, amountFen: price, status: 'active', at });
        }
      }
      if (['failed', 'tender_failed'].includes(what)) v.status = 'unsuccessful';
      continue;
    }
    if (BID_SUBJECTS.has(subject)) {
      const supplierId = supplierOf(a);
      if (!supplierId) continue;
      const bidId = str(pick(a, 'bidId', 'id')) ?? (subject === 'bid' && !KIND_OF_ENTITY[e.entity_type] ? e.entity_id : `${supplierId}@${e.seq}`);
      const status: BidStatus | null = ['accepted', 'submitted', 'placed', 'received'].includes(what)
        ? 'pending'
        : what === 'disqualified' || what === 'rejected' || what === 'invalidated'
          ? 'disqualified'
          : what === 'withdrawn'
            ? 'withdrawn'
            : what === 'qualified' || what === 'valid'
              ? 'valid'
              : null;
      if (!status) continue;
      const ip = str(pick(a, 'ip', 'clientIp')) ?? e.ip;
      const deviceId = str(pick(a, 'deviceId', 'device_id'));
      if (ip || deviceId) v.fingerprints.push({ supplierId, ip, deviceId });
      // In a reverse auction a supplier's later bid replaces its earlier one: its offer is the last.
      const own = kind === 'competition' && status === 'pending' ? v.bids.find((b) => b.supplierId === supplierId && b.status === 'pending') : undefined;
      if (own) {
        Object.assign(own, { amountFen: amountOf(a), at: iso(pick(a, 'at', 'acceptedAt', 'submittedAt')) ?? at, ip, deviceId });
        continue;
      }
      const existing = bidIndex.get(bidId);
      if (existing === undefined) {
        if (status === 'pending') {
          bidIndex.set(bidId, v.bids.length);
          v.bids.push({ id: bidId, supplierId, amountFen: amountOf(a), status, at: iso(pick(a, 'at', 'acceptedAt', 'submittedAt')) ?? at, ip, deviceId });
        } else {
          // a status change for a supplier's bid(s) without a bid id: applies to all its bids
          for (const b of v.bids) if (b.supplierId === supplierId) b.status = status;
        }
      } else {
        v.bids[existing].status = status;
        if (amountOf(a) !== null) v.bids[existing].amountFen = amountOf(a);
      }
      continue;
    }
    if (AWARD_SUBJECTS.has(subject)) {
      const supplierId = supplierOf(a);
      if (!supplierId) continue;
      const status = ['cancelled', 'revoked'].includes(what) ? 'cancelled' : ['proposed', 'pending'].includes(what) ? 'pending' : 'active';
      v.awards = v.awards.filter((x) => !(x.supplierId === supplierId && status === 'active'));
      if (status === 'active') v.awards.forEach((x) => x.status === 'active' && (x.status = 'cancelled'));
      v.awards.push({ id: str(pick(a, 'awardId')) ?? `${key}/award/${e.seq}`, supplierId, amountFen: amountOf(a), status, at });
      continue;
    }
    if (CONTRACT_SUBJECTS.has(subject)) {
      const supplierId = supplierOf(a);
      if (!supplierId) continue;
      const cid = str(pick(a, 'contractId')) ?? (e.entity_type === 'contract' ? e.entity_id : `${key}/contract`);
      v.contracts = v.contracts.filter((c) => c.id !== cid);
      v.contracts.push({ id: cid, supplierId, amountFen: amountOf(a), status: what, at });
    }
  }
  // Once a process is complete, the bids still pending are the valid ones.
  if (v.status === 'complete' || v.awards.some((x) => x.status === 'active')) for (const b of v.bids) if (b.status === 'pending') b.status = 'valid';
  return v;
}
