// The slice of an OCDS compiled release that the Cardinal indicators read, and the helpers
// their definitions share (submitted bids, final awards, price comparison exclusions).
export interface OcdsOrgRef {
  id?: string;
  name?: string;
}
export interface OcdsValue {
  amount?: number;
  currency?: string;
}
export interface OcdsBid {
  id?: string;
  status?: 'invited' | 'pending' | 'valid' | 'disqualified' | 'withdrawn' | string;
  date?: string;
  value?: OcdsValue;
  tenderers?: OcdsOrgRef[];
}
export interface OcdsItem {
  id?: string;
  classification?: { scheme?: string; id?: string };
}
export interface OcdsAward {
  id?: string;
  status?: 'pending' | 'active' | 'cancelled' | 'unsuccessful' | string;
  date?: string;
  value?: OcdsValue;
  suppliers?: OcdsOrgRef[];
  items?: OcdsItem[];
}
export interface OcdsRelease {
  ocid: string;
  date?: string;
  buyer?: OcdsOrgRef;
  tender?: {
    id?: string;
    title?: string;
    status?: string;
    procurementMethod?: string;
    procurementMethodDetails?: string;
    tenderPeriod?: { startDate?: string; endDate?: string };
    procuringEntity?: OcdsOrgRef;
    numberOfTenderers?: number;
    value?: OcdsValue;
    items?: OcdsItem[];
  };
  bids?: { details?: OcdsBid[] };
  awards?: OcdsAward[];
  contracts?: Array<{ id?: string; awardID?: string; status?: string; value?: OcdsValue }>;
  parties?: Array<{ id: string; name?: string; roles: string[] }>;
}

export interface CardinalSettings {
  /** Main currency; otherwise the first observed currency (index.md). */
  currency?: string;
  noPriceComparisonProcurementMethods?: string[];
  priceComparisonProcurementMethods?: string[];
  R003?: { threshold?: number; procurementMethods?: string[]; procurementMethodDetails?: Record<string, number> };
  R018?: { procurementMethods?: string[] };
  R024?: { threshold?: number };
  R025?: { percentile?: number; threshold?: number };
  R035?: { threshold?: number };
  R038?: { threshold?: number; minimumSubmittedBids?: number; minimumContractingProcesses?: number };
  R048?: { threshold?: number; digits?: number; minimumContractingProcesses?: number };
  R058?: { threshold?: number };
}

export type Group = 'OCID' | 'Buyer' | 'ProcuringEntity' | 'Tenderer';
export interface CardinalResults {
  OCID: Record<string, Record<string, number>>;
  Buyer: Record<string, Record<string, number>>;
  ProcuringEntity: Record<string, Record<string, number>>;
  Tenderer: Record<string, Record<string, number>>;
  Meta: Record<string, Record<string, number>>;
}

export function emptyResults(): CardinalResults {
  return { OCID: {}, Buyer: {}, ProcuringEntity: {}, Tenderer: {}, Meta: {} };
}

export function setResult(r: CardinalResults, group: Group, id: string, code: string, value: number): void {
  (r[group][id] ??= {})[code] = value;
}

export function setMeta(r: CardinalResults, code: string, key: string, value: number): void {
  (r.Meta[code] ??= {})[key] = Math.round(value * 10000) / 10000;
}

/** Global exclusions (index.md): an ocid that is not a string, a cancelled process. */
export function included(release: OcdsRelease): boolean {
  return typeof release.ocid === 'string' && release.tender?.status !== 'cancelled';
}

const SUBMITTED = new Set(['pending', 'valid', 'disqualified']);
/** A bid is submitted if pending, valid or disqualified (not invited or withdrawn). */
export function submittedBids(release: OcdsRelease): OcdsBid[] {
  return (release.bids?.details ?? []).filter((b) => typeof b.status === 'string' && SUBMITTED.has(b.status));
}

/** The active awards and the bids, unless an award is still pending or invalid. */
export function completeAwardsIfFinal(release: OcdsRelease): { complete: OcdsAward[]; details: OcdsBid[] } | null {
  const awards = release.awards ?? [];
  const details = release.bids?.details;
  if (!details) return null;
  if (awards.some((a) => a.status === 'pending' || a.status === 'invalid')) return null;
  return { complete: awards.filter((a) => a.status === 'active'), details };
}

export function tendererIds(bid: OcdsBid): string[] {
  return (bid.tenderers ?? []).map((t) => t.id).filter((id): id is string => typeof id === 'string');
}

/** Procedures whose prices are predetermined are left out of price comparisons (index.md). */
export function priceComparable(release: OcdsRelease, s: CardinalSettings): boolean {
  const details = release.tender?.procurementMethodDetails;
  const no = s.noPriceComparisonProcurementMethods ?? [];
  const yes = s.priceComparisonProcurementMethods ?? [];
  if (no.length && details !== undefined && no.includes(details)) return false;
  if (yes.length && (details === undefined || !yes.includes(details))) return false;
  return true;
}

/** The currency every amount is compared in: configured, otherwise the first observed. */
export class CurrencyGate {
  constructor(private main: string | undefined) {}
  accept(currency: string | undefined): boolean {
    if (typeof currency !== 'string') return false;
    this.main ??= currency;
    return currency === this.main;
  }
}
