// The platform's own red-flag rules, as pure functions over a process view (or the event's
// data); the engine decides when to call them and turns each Finding into an alert.
import type { ProcessView, ViewBid } from '../sources/process-view';

export interface Finding {
  /**
   * One alert per rule and subject key (dedupe) for a finding about a state. A finding about an
   * act names its actor: the same rule, subject and actor within the rule's fold window count on
   * one open alert (×N) instead of raising another (null: an act by no user, e.g. a system job).
   */
  subjectKey: string;
  actorId?: number | null;
  subjectType: string;
  subjectId: string;
  processKey?: string | null;
  orgId?: number | null;
  /** Parameters of the alert's message (rendered in the reader's language). */
  params: Record<string, string | number>;
  evidence: Record<string, unknown>;
}

const DAY = 86_400_000;
const submitted = (v: ProcessView) => v.bids.filter((b) => b.status === 'pending' || b.status === 'valid' || b.status === 'disqualified');
const priced = (bids: ViewBid[]) => bids.filter((b): b is ViewBid & { amountFen: number } => typeof b.amountFen === 'number');
const isClosed = (v: ProcessView) => v.status === 'complete' || v.awards.some((a) => a.status === 'active');
const winnerOf = (v: ProcessView) => v.awards.find((a) => a.status === 'active') ?? null;
const process = (v: ProcessView) => ({ subjectType: v.kind, subjectId: v.id, processKey: v.key, orgId: v.orgId });

/** SV01 Single bidder: a closed competitive process with fewer distinct bidders than the minimum. */
export function singleBidder(v: ProcessView, t: { minimumBidders: number }): Finding[] {
  if (!isClosed(v) || v.method === 'single_source') return [];
  const bidders = new Set(submitted(v).map((b) => b.supplierId));
  if (bidders.size === 0 || bidders.size >= t.minimumBidders) return [];
  return [{ subjectKey: v.key, ...process(v), params: { process: v.title ?? v.key, bidders: bidders.size }, evidence: { bidders: [...bidders], minimumBidders: t.minimumBidders } }];
}

/**
 * Working days in China Standard Time from the start date (exclusive) to the end date (inclusive),
 * by the given test of a CST date ('YYYY-MM-DD'); the engine passes the holiday calendar's
 * (holidays off, make-up weekends on). Without one, Monday to Friday.
 */
export function workingDaysBetween(startIso: string, endIso: string, isWorkingDay: (day: string) => boolean = weekday): number {
  const cst = (iso: string) => {
    const d = new Date(Date.parse(iso) + 8 * 3600_000);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  };
  let n = 0;
  for (let t = cst(startIso) + DAY; t <= cst(endIso); t += DAY) if (isWorkingDay(new Date(t).toISOString().slice(0, 10))) n++;
  return n;
}
const weekday = (day: string) => {
  const wd = new Date(day + 'T00:00:00Z').getUTCDay();
  return wd !== 0 && wd !== 6;
};

/** SV02 Bidding period shorter than the legal minimum for the method (days, or working days). */
export function shortBiddingPeriod(v: ProcessView, t: { minimumDays: Record<string, number>; minimumWorkingDays: Record<string, number> }, isWorkingDay?: (day: string) => boolean): Finding[] {
  if (!v.method || !v.periodStart || !v.periodEnd || v.status === 'cancelled') return [];
  const ms = Date.parse(v.periodEnd) - Date.parse(v.periodStart);
  const days = ms / DAY;
  if (t.minimumDays[v.method] !== undefined && days < t.minimumDays[v.method]) {
    return [{ subjectKey: v.key, ...process(v), params: { process: v.title ?? v.key, days: Math.floor(days * 10) / 10, minimum: t.minimumDays[v.method], unit: 'days' }, evidence: { method: v.method, periodStart: v.periodStart, periodEnd: v.periodEnd } }];
  }
  if (t.minimumWorkingDays[v.method] !== undefined) {
    const wd = workingDaysBetween(v.periodStart, v.periodEnd, isWorkingDay);
    if (wd < t.minimumWorkingDays[v.method]) {
      return [{ subjectKey: v.key, ...process(v), params: { process: v.title ?? v.key, days: wd, minimum: t.minimumWorkingDays[v.method], unit: 'workingDays' }, evidence: { method: v.method, periodStart: v.periodStart, periodEnd: v.periodEnd } }];
    }
  }
  return [];
}

/** SV03 Identical or near-identical prices from different suppliers (relative gap <= tolerance). */
export function nearIdenticalPrices(v: ProcessView, t: { relativeTolerance: number; excludeMethods?: string[] }): Finding[] {
  // In a live reverse auction the prices converge by design: excluded by default.
  if (v.method && (t.excludeMethods ?? []).includes(v.method)) return [];
  const bids = priced(submitted(v)).filter((b) => b.status !== 'disqualified');
  const pairs: Array<{ a: string; b: string; amountA: number; amountB: number; gap: number }> = [];
  for (let i = 0; i < bids.length; i++) {
    for (let j = i + 1; j < bids.length; j++) {
      const x = bids[i];
      const y = bids[j];
      if (x.supplierId === y.supplierId) continue;
      const hi = Math.max(x.amountFen, y.amountFen);
      const gap = hi === 0 ? 0 : Math.abs(x.amountFen - y.amountFen) / hi;
      if (gap <= t.relativeTolerance) pairs.push({ a: x.supplierId, b: y.supplierId, amountA: x.amountFen, amountB: y.amountFen, gap });
    }
  }
  if (pairs.length === 0) return [];
  const suppliers = [...new Set(pairs.flatMap((p) => [p.a, p.b]))].sort();
  return [{ subjectKey: `${v.key}:${suppliers.join(',')}`, ...process(v), params: { process: v.title ?? v.key, suppliers: suppliers.length }, evidence: { pairs, relativeTolerance: t.relativeTolerance } }];
}

/** SV04 Different suppliers in one process acting from the same IP address or device. */
export function sharedIpOrDevice(v: ProcessView, t: { checkIp: boolean; checkDevice: boolean }): Finding[] {
  const groups: Array<{ kind: 'ip' | 'device'; value: string; suppliers: string[] }> = [];
  const collect = (kind: 'ip' | 'device', get: (f: ProcessView['fingerprints'][number]) => string | null) => {
    const by = new Map<string, Set<string>>();
    for (const f of v.fingerprints) {
      const val = get(f);
      if (!val) continue;
      (by.get(val) ?? by.set(val, new Set()).get(val)!).add(f.supplierId);
    }
    for (const [value, s] of by) if (s.size > 1) groups.push({ kind, value, suppliers: [...s].sort() });
  };
  if (t.checkIp) collect('ip', (f) => f.ip);
  if (t.checkDevice) collect('device', (f) => f.deviceId);
  if (groups.length === 0) return [];
  const suppliers = [...new Set(groups.flatMap((g) => g.suppliers))].sort();
  return [{ subjectKey: `${v.key}:${suppliers.join(',')}`, ...process(v), params: { process: v.title ?? v.key, suppliers: suppliers.length }, evidence: { groups } }];
}

/** SV05 All bids sit just under the ceiling (within `band` of it) once the process closes. */
export function bidsUnderCeiling(v: ProcessView, t: { band: number; minimumBids: number }): Finding[] {
  if (!isClosed(v) || !v.ceilingFen) return [];
  const bids = priced(submitted(v));
  if (bids.length < t.minimumBids) return [];
  const floor = v.ceilingFen * (1 - t.band);
  if (!bids.every((b) => b.amountFen <= v.ceilingFen! && b.amountFen >= floor)) return [];
  return [{ subjectKey: v.key, ...process(v), params: { process: v.title ?? v.key, bids: bids.length, band: t.band * 100 }, evidence: { ceilingFen: v.ceilingFen, amountsFen: bids.map((b) => b.amountFen) } }];
}

export interface UnitAward {
  processKey: string;
  orgId: number;
  supplierId: string;
  at: string; // ISO
}

/** SV06 One supplier wins a unit's contracts again and again within the window. */
export function supplierConcentration(awards: UnitAward[], orgId: number, supplierId: string, now: Date, t: { windowDays: number; minimumAwards: number; minimumWins: number; maximumShare: number }): Finding[] {
  const since = now.getTime() - t.windowDays * DAY;
  const inWindow = awards.filter((a) => a.orgId === orgId && Date.parse(a.at) >= since && Date.parse(a.at) <= now.getTime());
  if (inWindow.length < t.minimumAwards) return [];
  const wins = inWindow.filter((a) => a.supplierId === supplierId);
  const share = wins.length / inWindow.length;
  if (wins.length < t.minimumWins || share < t.maximumShare) return [];
  return [
    {
      subjectKey: `org:${orgId}:supplier:${supplierId}:${now.getUTCFullYear()}`,
      subjectType: 'supplier',
      subjectId: supplierId,
      orgId,
      processKey: null,
      params: { wins: wins.length, total: inWindow.length, share: Math.round(share * 100) },
      evidence: { processes: wins.map((w) => w.processKey), windowDays: t.windowDays },
    },
  ];
}

export interface RequisitionFact {
  id: string;
  orgId: number;
  categoryCode: string;
  totalFen: number;
  at: string; // ISO submitted
}

/** SV07 Requisitions of one unit and category in a short window, each under the threshold, together at or over it. */
export function requisitionSplit(reqs: RequisitionFact[], latest: RequisitionFact, t: { windowDays: number; thresholdFen: number; minimumCount: number }): Finding[] {
  if (latest.totalFen >= t.thresholdFen) return [];
  const since = Date.parse(latest.at) - t.windowDays * DAY;
  const group = reqs.filter((r) => r.orgId === latest.orgId && r.categoryCode === latest.categoryCode && Date.parse(r.at) >= since && Date.parse(r.at) <= Date.parse(latest.at) && r.totalFen < t.thresholdFen);
  if (!group.some((r) => r.id === latest.id)) group.push(latest);
  const total = group.reduce((s, r) => s + r.totalFen, 0);
  if (group.length < t.minimumCount || total < t.thresholdFen) return [];
  const ids = group.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
  return [{ subjectKey: `requisition-group:${latest.orgId}:${latest.categoryCode}:${ids[0]}`, subjectType: 'requisition', subjectId: latest.id, orgId: latest.orgId, processKey: null, params: { count: ids.length, totalYuan: total / 100, thresholdYuan: t.thresholdFen / 100, category: latest.categoryCode }, evidence: { requisitionIds: ids, totalFen: total, thresholdFen: t.thresholdFen, windowDays: t.windowDays } }];
}

/** SV08 Award or contract amount differs from the winning price (beyond the tolerance). */
export function amountMismatch(v: ProcessView, t: { toleranceFen: number }): Finding[] {
  const award = winnerOf(v);
  if (!award) return [];
  const winningBid = priced(v.bids.filter((b) => b.supplierId === award.supplierId && b.status !== 'withdrawn' && b.status !== 'disqualified')).sort((a, b) => a.amountFen - b.amountFen)[0];
  const issues: Array<{ what: 'award' | 'contract'; expectedFen: number; actualFen: number }> = [];
  if (winningBid && award.amountFen !== null && Math.abs(award.amountFen - winningBid.amountFen) > t.toleranceFen) issues.push({ what: 'award', expectedFen: winningBid.amountFen, actualFen: award.amountFen });
  const reference = award.amountFen ?? winningBid?.amountFen ?? null;
  for (const c of v.contracts) {
    if (reference !== null && c.amountFen !== null && c.supplierId === award.supplierId && Math.abs(c.amountFen - reference) > t.toleranceFen) issues.push({ what: 'contract', expectedFen: reference, actualFen: c.amountFen });
    if (c.supplierId !== award.supplierId) issues.push({ what: 'contract', expectedFen: reference ?? 0, actualFen: c.amountFen ?? 0 });
  }
  if (issues.length === 0) return [];
  return issues.slice(0, 1).map((i) => ({ subjectKey: `${v.key}:${i.what}`, ...process(v), params: { process: v.title ?? v.key, what: i.what, expectedYuan: i.expectedFen / 100, actualYuan: i.actualFen / 100 }, evidence: { issues, winnerSupplierId: award.supplierId } }));
}

/** SV11 Abnormally low winning price: well below the other valid bids' mean, or the ceiling. */
export function abnormallyLowPrice(v: ProcessView, t: { ratioToOthersMean: number; minimumOtherBids: number; ratioToCeiling: number }): Finding[] {
  const award = winnerOf(v);
  if (!award) return [];
  const valid = priced(v.bids.filter((b) => b.status === 'valid' || b.status === 'pending'));
  const win = award.amountFen ?? valid.filter((b) => b.supplierId === award.supplierId).sort((a, b) => a.amountFen - b.amountFen)[0]?.amountFen ?? null;
  if (win === null) return [];
  const others = valid.filter((b) => b.supplierId !== award.supplierId).map((b) => b.amountFen);
  const mean = others.length ? others.reduce((s, x) => s + x, 0) / others.length : null;
  const lowVsOthers = mean !== null && others.length >= t.minimumOtherBids && win < t.ratioToOthersMean * mean;
  const lowVsCeiling = !!v.ceilingFen && t.ratioToCeiling > 0 && win < t.ratioToCeiling * v.ceilingFen;
  if (!lowVsOthers && !lowVsCeiling) return [];
  const pct = Math.round((win / (lowVsOthers ? mean! : v.ceilingFen!)) * 100);
  return [{ subjectKey: v.key, ...process(v), params: { process: v.title ?? v.key, winYuan: win / 100, percent: pct, basis: lowVsOthers ? 'others' : 'ceiling' }, evidence: { winningFen: win, othersMeanFen: mean, ceilingFen: v.ceilingFen, winnerSupplierId: award.supplierId } }];
}

/**
 * SV20 A framework order by direct selection priced more than `tolerancePercent` above the order at
 * the lowest entry supplier's agreement prices (the facts come with the framework.order_placed event).
 */
export function frameworkDirectAboveLowest(o: { projectId: string; orgId: number | null; mode: string; amountFen: number; lowestFen: number; agreementRef: string; supplierId: number | null }, t: { tolerancePercent: number }): Finding[] {
  if (o.mode !== 'direct' || !(o.lowestFen > 0) || o.amountFen * 100 <= o.lowestFen * (100 + t.tolerancePercent)) return [];
  const abovePercent = Math.round(((o.amountFen - o.lowestFen) * 1000) / o.lowestFen) / 10;
  return [{ subjectKey: `project:${o.projectId}:framework-direct`, subjectType: 'project', subjectId: o.projectId, processKey: `project:${o.projectId}`, orgId: o.orgId, params: { agreement: o.agreementRef, amountYuan: o.amountFen / 100, lowestYuan: o.lowestFen / 100, abovePercent }, evidence: { ...o, tolerancePercent: t.tolerancePercent } }];
}
