// One procurement process (an online price competition, a tender project...) as the supervision
// rules see it, whatever module it comes from, and its OCDS compiled-release form for Cardinal.
import type { OcdsRelease } from '../cardinal/ocds';

export type ProcessKind = 'competition' | 'tender' | 'project';
export type BidStatus = 'pending' | 'valid' | 'disqualified' | 'withdrawn';

export interface ViewBid {
  id: string;
  supplierId: string;
  amountFen: number | null;
  status: BidStatus;
  at: string | null; // ISO
  ip: string | null;
  deviceId: string | null;
}

export interface ViewAward {
  id: string;
  supplierId: string;
  amountFen: number | null;
  status: 'pending' | 'active' | 'cancelled' | 'unsuccessful';
  at: string | null;
}

export interface ViewContract {
  id: string;
  supplierId: string;
  amountFen: number | null;
  status: string;
  at: string | null;
}

export interface ProcessView {
  key: string; // `${kind}:${id}`
  kind: ProcessKind;
  id: string;
  title: string | null;
  orgId: number | null; // the purchasing unit (OCDS buyer)
  method: string | null; // public_tender | invitational_tender | competitive_negotiation | competitive_consultation | inquiry | single_source | online_competition | framework
  status: 'planned' | 'active' | 'complete' | 'cancelled' | 'unsuccessful';
  ceilingFen: number | null; // ceiling price or budget
  periodStart: string | null; // documents available / competition opens (ISO)
  periodEnd: string | null; // bid deadline / competition end (ISO)
  categoryCode: string | null;
  bids: ViewBid[];
  awards: ViewAward[];
  contracts: ViewContract[];
  /** Every (supplier, IP, device) seen acting in the process: bids, joins, logins to the room. */
  fingerprints: Array<{ supplierId: string; ip: string | null; deviceId: string | null }>;
}

export function emptyView(kind: ProcessKind, id: string): ProcessView {
  return { key: `${kind}:${id}`, kind, id, title: null, orgId: null, method: null, status: 'planned', ceilingFen: null, periodStart: null, periodEnd: null, categoryCode: null, bids: [], awards: [], contracts: [], fingerprints: [] };
}

// Our methods on the OCDS procurementMethod codelist.
const OCDS_METHOD: Record<string, string> = {
  public_tender: 'open',
  online_competition: 'open',
  invitational_tender: 'selective',
  competitive_negotiation: 'selective',
  competitive_consultation: 'selective',
  inquiry: 'selective',
  framework: 'selective',
  single_source: 'limited',
};

export const OCID_PREFIX = 'ocds-sunshine-';
export const ocidOf = (key: string) => OCID_PREFIX + key.replace(':', '-');

const TENDER_STATUS: Record<ProcessView['status'], string> = { planned: 'planned', active: 'active', complete: 'complete', cancelled: 'cancelled', unsuccessful: 'unsuccessful' };

/** The compiled release Cardinal reads; ids are our own ids as strings (suppliers 'S<id>', units 'U<id>'). */
export function toOcds(v: ProcessView): OcdsRelease {
  const tenderers = new Set(v.bids.filter((b) => b.status !== 'withdrawn').map((b) => b.supplierId));
  const money = (fen: number | null) => (fen === null ? undefined : { amount: fen / 100, currency: 'CNY' });
  const items = v.categoryCode ? [{ id: '1', classification: { scheme: 'CN-GPC', id: v.categoryCode } }] : undefined;
  const parties = [
    ...(v.orgId !== null ? [{ id: `U${v.orgId}`, roles: ['buyer', 'procuringEntity'] }] : []),
    ...[...tenderers].map((s) => ({ id: `S${s}`, roles: ['tenderer', ...(v.awards.some((a) => a.status === 'active' && a.supplierId === s) ? ['supplier'] : [])] })),
  ];
  return {
    ocid: ocidOf(v.key),
    buyer: v.orgId !== null ? { id: `U${v.orgId}` } : undefined,
    tender: {
      id: v.key,
      title: v.title ?? undefined,
      status: TENDER_STATUS[v.status],
      procurementMethod: v.method ? OCDS_METHOD[v.method] : undefined,
      procurementMethodDetails: v.method ?? undefined,
      tenderPeriod: { startDate: v.periodStart ?? undefined, endDate: v.periodEnd ?? undefined },
      procuringEntity: v.orgId !== null ? { id: `U${v.orgId}` } : undefined,
      numberOfTenderers: tenderers.size,
      value: money(v.ceilingFen),
      items,
    },
    bids: {
      details: v.bids.map((b) => ({ id: b.id, status: b.status, date: b.at ?? undefined, value: money(b.amountFen), tenderers: [{ id: `S${b.supplierId}` }] })),
    },
    awards: v.awards.map((a) => ({ id: a.id, status: a.status, date: a.at ?? undefined, value: money(a.amountFen), suppliers: [{ id: `S${a.supplierId}` }], items })),
    contracts: v.contracts.map((c) => ({ id: c.id, status: c.status, value: money(c.amountFen) })),
    parties,
  };
}
