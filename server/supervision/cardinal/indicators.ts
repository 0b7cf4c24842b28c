// The Cardinal red-flag indicators (Open Contracting Partnership, cardinal-rs docs/cli/indicators,
// copied to ../shared/ocds/red-flags/), as pure functions over OCDS compiled releases, with the
// definitions' methodology and default thresholds. Each writes into a results object shaped like
// `ocdscardinal indicators` output: {OCID, Buyer, ProcuringEntity, Tenderer, Meta}.
import { lowerFence, percentile, upperFence } from './stats';
import {
  CurrencyGate,
  completeAwardsIfFinal,
  emptyResults,
  included,
  priceComparable,
  setMeta,
  setResult,
  submittedBids,
  tendererIds,
  type CardinalResults,
  type CardinalSettings,
  type OcdsRelease,
} from './ocds';

type Indicator = (releases: OcdsRelease[], s: CardinalSettings, r: CardinalResults) => void;
const DAY_MS = 86_400_000;

/** R003 Short submission period: whole days between tenderPeriod start and end < threshold (15). */
export const R003: Indicator = (releases, s, r) => {
  const threshold = s.R003?.threshold ?? 15;
  const methods = s.R003?.procurementMethods ?? [];
  const perDetails = s.R003?.procurementMethodDetails ?? {};
  for (const rel of releases) {
    const t = rel.tender;
    if (!t) continue;
    if (methods.length && !(t.procurementMethod && methods.includes(t.procurementMethod))) continue;
    const start = Date.parse(t.tenderPeriod?.startDate ?? '');
    const end = Date.parse(t.tenderPeriod?.endDate ?? '');
    if (Number.isNaN(start) || Number.isNaN(end)) continue;
    const days = Math.trunc((end - start) / DAY_MS); // whole days, truncated like chrono's num_days
    const limit = t.procurementMethodDetails !== undefined && perDetails[t.procurementMethodDetails] !== undefined ? perDetails[t.procurementMethodDetails] : threshold;
    if (days < limit) setResult(r, 'OCID', rel.ocid, 'R003', 1.0);
  }
};

/** R018 Single bid received: numberOfTenderers is 1 in a competitive (open|selective) procedure. */
export const R018: Indicator = (releases, s, r) => {
  const methods = s.R018?.procurementMethods ?? ['open', 'selective'];
  for (const rel of releases) {
    const t = rel.tender;
    if (t?.procurementMethod && methods.includes(t.procurementMethod) && t.numberOfTenderers === 1) setResult(r, 'OCID', rel.ocid, 'R018', 1.0);
  }
};

/**
 * (secondLowestValidBid - winningBid) / winningBid for each process with one final active award
 * to one supplier, single-tenderer bids, and a winner that is the lowest (price-only award).
 */
export function secondLowestBidRatios(releases: OcdsRelease[], s: CardinalSettings): Map<string, { ratio: number; winner: string; second: string }> {
  const out = new Map<string, { ratio: number; winner: string; second: string }>();
  const gate = new CurrencyGate(s.currency);
  for (const rel of releases) {
    if (!priceComparable(rel, s)) continue;
    const final = completeAwardsIfFinal(rel);
    if (!final || final.complete.length !== 1) continue;
    const suppliers = final.complete[0].suppliers ?? [];
    if (suppliers.length !== 1 || typeof suppliers[0].id !== 'string') continue;
    const supplierId = suppliers[0].id;
    let winner: { id: string; amount: number } | null = null;
    let other: { id: string; amount: number } | null = null;
    let multiTenderer = false;
    for (const bid of final.details) {
      if (bid.status !== 'valid') continue;
      const ids = tendererIds(bid);
      if ((bid.tenderers ?? []).length !== 1 || ids.length !== 1) {
        multiTenderer = true; // a bid submitted by several tenderers excludes the process
        continue;
      }
      const amount = bid.value?.amount;
      if (typeof amount !== 'number' || !gate.accept(bid.value?.currency)) continue;
      if (ids[0] === supplierId) {
        if (!winner || amount < winner.amount) winner = { id: ids[0], amount };
      } else if (!other || amount < other.amount) other = { id: ids[0], amount };
    }
    if (multiTenderer || !winner || !other || winner.amount === 0) continue;
    if (other.amount < winner.amount) continue; // the lowest bid did not win: not price-only
    out.set(rel.ocid, { ratio: (other.amount - winner.amount) / winner.amount, winner: winner.id, second: other.id });
  }
  return out;
}

/** R024 Price close to winning bid: the ratio is at or below Q1 - 1.5 IQR (or the threshold). */
export const R024: Indicator = (releases, s, r) => {
  const ratios = secondLowestBidRatios(releases, s);
  if (ratios.size === 0) return;
  let fence = s.R024?.threshold;
  if (fence === undefined) {
    const f = lowerFence([...ratios.values()].map((x) => x.ratio));
    setMeta(r, 'R024', 'q1', f.q1);
    setMeta(r, 'R024', 'q3', f.q3);
    fence = f.fence;
  }
  setMeta(r, 'R024', 'lower_fence', fence);
  for (const [ocid, x] of ratios) {
    if (x.ratio <= fence) {
      setResult(r, 'OCID', ocid, 'R024', x.ratio);
      setResult(r, 'Tenderer', x.winner, 'R024', 0.0);
      setResult(r, 'Tenderer', x.second, 'R024', 0.0);
    }
  }
};

/** R058 Heavily discounted bid: the same ratio at or above Q3 + 1.5 IQR (or the threshold). */
export const R058: Indicator = (releases, s, r) => {
  const ratios = secondLowestBidRatios(releases, s);
  if (ratios.size === 0) return;
  let fence = s.R058?.threshold;
  if (fence === undefined) {
    const f = upperFence([...ratios.values()].map((x) => x.ratio));
    setMeta(r, 'R058', 'q1', f.q1);
    setMeta(r, 'R058', 'q3', f.q3);
    fence = f.fence;
  }
  setMeta(r, 'R058', 'upper_fence', fence);
  for (const [ocid, x] of ratios) {
    if (x.ratio >= fence) {
      setResult(r, 'OCID', ocid, 'R058', x.ratio);
      setResult(r, 'Tenderer', x.winner, 'R058', 0.0);
    }
  }
};

/**
 * R025 Excessive unsuccessful bids: per tenderer, wins / processes with a valid bid. Flagged when
 * its number of valid bids is at or above the 75th percentile and its ratio at or below Q1 - 1.5 IQR.
 */
export const R025: Indicator = (releases, s, r) => {
  const perTenderer = new Map<string, { wins: number; bids: number }>();
  for (const rel of releases) {
    const final = completeAwardsIfFinal(rel);
    if (!final || final.complete.length !== 1) continue;
    const suppliers = final.complete[0].suppliers ?? [];
    if (suppliers.length !== 1 || typeof suppliers[0].id !== 'string') continue;
    if (final.details.some((b) => (b.tenderers ?? []).length > 1)) continue;
    const valid = new Set<string>();
    for (const bid of final.details) {
      const ids = tendererIds(bid);
      if (bid.status === 'valid' && ids.length === 1) valid.add(ids[0]);
    }
    for (const id of valid) {
      const f = perTenderer.get(id) ?? { wins: 0, bids: 0 };
      f.bids += 1; // once per process, whatever the number of bids
      if (id === suppliers[0].id) f.wins += 1;
      perTenderer.set(id, f);
    }
  }
  if (perTenderer.size === 0) return;
  const upper = percentile([...perTenderer.values()].map((f) => f.bids), s.R025?.percentile ?? 75);
  let fence = s.R025?.threshold;
  if (fence === undefined) {
    const f = lowerFence([...perTenderer.values()].map((x) => x.wins / x.bids));
    setMeta(r, 'R025', 'q1', f.q1);
    setMeta(r, 'R025', 'q3', f.q3);
    fence = f.fence;
  }
  setMeta(r, 'R025', 'upper_fence', upper);
  setMeta(r, 'R025', 'lower_fence', fence);
  for (const [id, f] of perTenderer) {
    const ratio = f.wins / f.bids;
    if (f.bids >= upper && ratio <= fence) setResult(r, 'Tenderer', id, 'R025', ratio);
  }
};

/** R028 Identical bid prices: different tenderers submitted bids with the same price. */
export const R028: Indicator = (releases, s, r) => {
  for (const rel of releases) {
    if (!priceComparable(rel, s)) continue;
    const prices = new Map<string, Set<string>>();
    for (const bid of submittedBids(rel)) {
      const amount = bid.value?.amount;
      const currency = bid.value?.currency;
      if (typeof amount !== 'number' || typeof currency !== 'string') continue;
      const ids = new Set(tendererIds(bid));
      if (ids.size === 0) continue;
      const key = `${amount}|${currency}`;
      const other = prices.get(key);
      if (other && !sameSet(ids, other)) {
        setResult(r, 'OCID', rel.ocid, 'R028', 1.0);
        for (const id of [...ids, ...other]) setResult(r, 'Tenderer', id, 'R028', 1.0);
      }
      prices.set(key, ids);
    }
  }
};

/** R030 Late bid won: a valid bid dated after tenderPeriod.endDate from an active award's supplier. */
export const R030: Indicator = (releases, _s, r) => {
  for (const rel of releases) {
    const end = rel.tender?.tenderPeriod?.endDate;
    if (!end || !rel.awards || !rel.bids?.details) continue;
    const winners = new Set(rel.awards.filter((a) => a.status === 'active').flatMap((a) => (a.suppliers ?? []).map((x) => x.id).filter(Boolean) as string[]));
    for (const bid of rel.bids.details) {
      if (bid.status !== 'valid' || !bid.date || !(Date.parse(bid.date) > Date.parse(end))) continue;
      for (const id of tendererIds(bid)) {
        if (winners.has(id)) {
          setResult(r, 'OCID', rel.ocid, 'R030', 1.0);
          setResult(r, 'Tenderer', id, 'R030', 1.0);
        }
      }
    }
  }
};

/** R035 All except winning bid disqualified: one valid tenderer, the awarded one, and >= 1 other disqualified. */
export const R035: Indicator = (releases, s, r) => {
  const threshold = Math.max(1, s.R035?.threshold ?? 1);
  for (const rel of releases) {
    const final = completeAwardsIfFinal(rel);
    if (!final) continue;
    const awarded = new Set(final.complete.flatMap((a) => (a.suppliers ?? []).map((x) => x.id).filter(Boolean) as string[]));
    const valid = new Set<string>();
    const disqualified = new Set<string>();
    for (const bid of final.details) {
      if (bid.status === 'valid') tendererIds(bid).forEach((id) => valid.add(id));
      else if (bid.status === 'disqualified') tendererIds(bid).forEach((id) => disqualified.add(id));
    }
    if (valid.size !== 1 || !sameSet(valid, awarded)) continue;
    const others = [...disqualified].filter((id) => !valid.has(id)).length;
    if (others >= threshold) {
      setResult(r, 'OCID', rel.ocid, 'R035', others);
      for (const id of valid) setResult(r, 'Tenderer', id, 'R035', 0.0);
    }
  }
};

/** R036 Lowest bid disqualified: with an active award, the lowest submitted bid is disqualified. */
export const R036: Indicator = (releases, s, r) => {
  const gate = new CurrencyGate(s.currency);
  for (const rel of releases) {
    if (!priceComparable(rel, s)) continue;
    if (!(rel.awards ?? []).some((a) => a.status === 'active')) continue;
    let lowest: number | null = null;
    let lowestDisqualified = false;
    let validWithAmount = false;
    for (const bid of submittedBids(rel)) {
      const amount = bid.value?.amount;
      if (typeof amount !== 'number' || !gate.accept(bid.value?.currency)) continue;
      if (bid.status === 'valid') validWithAmount = true;
      if (lowest === null || amount < lowest) {
        lowest = amount;
        lowestDisqualified = bid.status === 'disqualified';
      }
    }
    if (validWithAmount && lowestDisqualified) setResult(r, 'OCID', rel.ocid, 'R036', 1.0);
  }
};

/** R038 Excessive disqualified bids: disqualified / submitted at or above Q3 + 1.5 IQR per buyer, procuring entity, tenderer. */
export const R038: Indicator = (releases, s, r) => {
  const buyer = new Map<string, { n: number; d: number; processes: number }>();
  const entity = new Map<string, { n: number; d: number; processes: number }>();
  const tenderer = new Map<string, { n: number; d: number; processes: number }>();
  const add = (m: Map<string, { n: number; d: number; processes: number }>, id: string, n: number, d: number) => {
    const f = m.get(id) ?? { n: 0, d: 0, processes: 0 };
    f.n += n;
    f.d += d;
    f.processes += 1;
    m.set(id, f);
  };
  for (const rel of releases) {
    const bids = submittedBids(rel);
    if (bids.length === 0) continue;
    let disq = 0;
    for (const bid of bids) {
      const inc = bid.status === 'disqualified' ? 1 : 0;
      disq += inc;
      for (const id of tendererIds(bid)) add(tenderer, id, inc, 1);
    }
    if (rel.buyer?.id) add(buyer, rel.buyer.id, disq, bids.length);
    if (rel.tender?.procuringEntity?.id) add(entity, rel.tender.procuringEntity.id, disq, bids.length);
  }
  const minBids = s.R038?.minimumSubmittedBids ?? 2;
  const minProcesses = s.R038?.minimumContractingProcesses ?? 2;
  const flag = (m: Map<string, { n: number; d: number; processes: number }>, min: (f: { d: number; processes: number }) => boolean, group: 'Buyer' | 'ProcuringEntity' | 'Tenderer') => {
    const ratios = [...m].filter(([, f]) => min(f)).map(([id, f]) => [id, f.n / f.d] as const);
    if (ratios.length === 0) return;
    let fence = s.R038?.threshold;
    if (fence === undefined) {
      const f = upperFence(ratios.map(([, x]) => x));
      setMeta(r, 'R038', `${group}_q1`, f.q1);
      setMeta(r, 'R038', `${group}_q3`, f.q3);
      fence = f.fence;
    }
    setMeta(r, 'R038', `${group}_upper_fence`, fence);
    for (const [id, ratio] of ratios) if (ratio >= fence) setResult(r, group, id, 'R038', ratio);
  };
  // Buyers and procuring entities: at least N contracting processes; tenderers: at least N submitted bids.
  flag(buyer, (f) => f.processes >= minProcesses, 'Buyer');
  flag(entity, (f) => f.processes >= minProcesses, 'ProcuringEntity');
  flag(tenderer, (f) => f.d >= minBids, 'Tenderer');
};

/**
 * R048 Heterogeneous supplier: distinct first-level classifications (first `digits` characters)
 * across a tenderer's active single-supplier awards, at or above Q3 + 1.5 IQR (rounded up), the
 * fence computed among tenderers awarded in at least 20 contracting processes.
 */
export const R048: Indicator = (releases, s, r) => {
  const digits = s.R048?.digits ?? 2;
  const minProcesses = s.R048?.minimumContractingProcesses ?? 20;
  const codes = new Map<string, Set<string>>();
  const processes = new Map<string, Set<string>>();
  for (const rel of releases) {
    for (const award of rel.awards ?? []) {
      const suppliers = award.suppliers ?? [];
      if (award.status !== 'active' || suppliers.length !== 1 || typeof suppliers[0].id !== 'string' || !award.items) continue;
      const id = suppliers[0].id;
      const set = codes.get(id) ?? new Set<string>();
      for (const item of award.items) if (item.classification?.id) set.add(item.classification.id.slice(0, digits));
      codes.set(id, set);
      const p = processes.get(id) ?? new Set<string>();
      p.add(rel.ocid);
      processes.set(id, p);
    }
  }
  if (codes.size === 0) return;
  let fence = s.R048?.threshold;
  if (fence === undefined) {
    const sample = [...codes].filter(([id]) => (processes.get(id)?.size ?? 0) >= minProcesses).map(([, c]) => c.size);
    if (sample.length === 0) return; // no tenderer has enough processes to estimate a fence
    const f = upperFence(sample);
    setMeta(r, 'R048', 'q1', f.q1);
    setMeta(r, 'R048', 'q3', f.q3);
    fence = Math.ceil(f.fence);
  }
  setMeta(r, 'R048', 'upper_fence', fence);
  for (const [id, c] of codes) if (c.size >= fence) setResult(r, 'Tenderer', id, 'R048', c.size);
};

export const CARDINAL_INDICATORS: Record<string, Indicator> = { R003, R018, R024, R025, R028, R030, R035, R036, R038, R048, R058 };
export const CARDINAL_CODES = Object.keys(CARDINAL_INDICATORS);

/** Runs the chosen indicators over the releases (global exclusions applied once). */
export function runCardinal(releases: OcdsRelease[], settings: CardinalSettings = {}, codes: string[] = CARDINAL_CODES): CardinalResults {
  const r = emptyResults();
  const kept = releases.filter(included);
  for (const code of codes) CARDINAL_INDICATORS[code]?.(kept, settings, r);
  return r;
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
