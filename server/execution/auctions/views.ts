// What each viewer may see of a competition. While it runs, no supplier ever sees another
// supplier's identity: suppliers see labels (Supplier A, B, ...) and only what the visibility
// mode allows; monitors (purchasing unit, operators) see the anonymised ladder; supervisors
// see identities, read-only. Once finished, the result names the winner.
import type { SessionUser } from '../../http/auth/sessions';
import type { LiveAuction } from './live';
import { maxAllowedBid, savings } from './rules';

export type Viewer = { kind: 'supplier'; supplierId: number } | { kind: 'monitor' } | { kind: 'supervisor' };

export function viewerOf(user: Pick<SessionUser, 'roles' | 'supplierId'>): Viewer {
  if (user.roles.includes('supervisor') || user.roles.includes('admin')) return { kind: 'supervisor' };
  if (user.roles.some((r) => r === 'operator' || r === 'purchaser' || r === 'approver')) return { kind: 'monitor' };
  return { kind: 'supplier', supplierId: user.supplierId ?? -1 };
}

function common(live: LiveAuction, serverTime: Date) {
  const a = live.a;
  return {
    type: 'auction.state',
    auctionId: a.id,
    code: a.code,
    status: a.status,
    seq: a.lastSeq,
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt?.toISOString() ?? null,
    remainingMs: a.status === 'suspended' ? a.remainingMs : null,
    reason: a.status === 'suspended' || a.status === 'failed' ? a.statusReason : null,
    failureCode: a.failureCode,
    serverTime: serverTime.toISOString(),
    visibility: a.visibility,
    ceilingFen: a.ceilingFen,
    decrementKind: a.decrementKind,
    decrementValue: a.decrementValue,
    participants: live.participants.size,
    bidCount: a.bidCount,
  };
}

function ladder(live: LiveAuction, withNames: boolean) {
  return live.sorted().map((s, i) => {
    const p = live.participants.get(s.supplierId);
    return {
      rank: i + 1,
      label: p?.label ?? '?',
      amount: s.amountFen,
      seq: s.seq,
      at: new Date(s.at).toISOString(),
      ...(withNames ? { supplierId: s.supplierId, supplierName: p?.name ?? '' } : {}),
    };
  });
}

function result(live: LiveAuction) {
  const a = live.a;
  if (a.status !== 'closed' || a.winnerSupplierId === null || a.winnerPriceFen === null) return null;
  const w = live.participants.get(a.winnerSupplierId);
  return { winnerLabel: w?.label ?? null, winnerSupplierId: a.winnerSupplierId, winnerName: w?.name ?? '', priceFen: a.winnerPriceFen, savingsFen: a.savingsFen, savingsBp: savings(a.ceilingFen, a.winnerPriceFen).bp };
}

/** The parts of a state message that are the same for every viewer of one kind. */
export function sharedState(live: LiveAuction, kind: Viewer['kind'], serverTime: Date): Record<string, unknown> {
  const base: Record<string, unknown> = common(live, serverTime);
  const finished = live.a.status === 'closed' || live.a.status === 'failed';
  if (kind === 'supervisor') return { ...base, best: live.a.bestFen, ladder: ladder(live, true), result: result(live) };
  if (kind === 'monitor') return { ...base, best: live.a.bestFen, ladder: ladder(live, finished), result: result(live) };
  const mode = live.a.visibility;
  return {
    ...base,
    ...(mode !== 'rank_only' || finished ? { best: live.a.bestFen } : {}),
    ...(mode === 'ladder' || finished ? { ladder: ladder(live, false) } : {}),
    result: result(live),
  };
}

/** The supplier's own part: its label, last bid, rank and the highest amount it may bid next. */
export function ownPart(live: LiveAuction, supplierId: number) {
  const p = live.participants.get(supplierId);
  if (!p) return null;
  const own = live.standings.get(supplierId)?.amountFen ?? null;
  return { label: p.label, brand: p.brand, model: p.model, lastBid: own, rank: live.rankOf(supplierId), maxBid: maxAllowedBid(live.a, own, live.a.bestFen) };
}

export function stateFor(live: LiveAuction, viewer: Viewer, serverTime: Date): Record<string, unknown> {
  const shared = sharedState(live, viewer.kind, serverTime);
  if (viewer.kind !== 'supplier') return shared;
  return { ...shared, you: ownPart(live, viewer.supplierId) };
}

/**
 * One broadcast, serialised once per viewer kind; each supplier's message only appends its
 * own part to the shared JSON (2,000 sockets × many competitions make this the hot path).
 */
export function stateShaper(live: LiveAuction, serverTime: Date): (user: SessionUser) => string {
  const cache = new Map<string, string>();
  const shared = (kind: Viewer['kind']) => {
    let s = cache.get(kind);
    if (s === undefined) cache.set(kind, (s = JSON.stringify(sharedState(live, kind, serverTime))));
    return s;
  };
  const ranks = rankings(live);
  return (user) => {
    const v = viewerOf(user);
    if (v.kind !== 'supplier') return shared(v.kind);
    const s = shared('supplier');
    return `${s.slice(0, -1)},"you":${JSON.stringify(rankedOwnPart(live, v.supplierId, ranks))}}`;
  };
}

function rankings(live: LiveAuction): Map<number, number> {
  const ranks = new Map<number, number>();
  live.sorted().forEach((s, i) => ranks.set(s.supplierId, i + 1));
  return ranks;
}

function rankedOwnPart(live: LiveAuction, supplierId: number, ranks: Map<number, number>) {
  const p = live.participants.get(supplierId);
  if (!p) return null;
  const own = live.standings.get(supplierId)?.amountFen ?? null;
  return { label: p.label, brand: p.brand, model: p.model, lastBid: own, rank: ranks.get(supplierId) ?? null, maxBid: maxAllowedBid(live.a, own, live.a.bestFen) };
}

/**
 * A state broadcast as plain data, for the cluster: the owner of a competition publishes it once
 * on the bus and every node shapes it for its own sockets (broadcastShaper). The shared parts are
 * serialised once, each participant's own part too, so a node only concatenates strings.
 */
export interface StateBroadcast {
  shared: Record<Viewer['kind'], string>;
  /** Supplier id → its own part, JSON. */
  you: Record<string, string>;
}

export function stateBroadcast(live: LiveAuction, serverTime: Date): StateBroadcast {
  const ranks = rankings(live);
  const you: Record<string, string> = {};
  for (const id of live.participants.keys()) you[id] = JSON.stringify(rankedOwnPart(live, id, ranks));
  return {
    shared: { supplier: JSON.stringify(sharedState(live, 'supplier', serverTime)), monitor: JSON.stringify(sharedState(live, 'monitor', serverTime)), supervisor: JSON.stringify(sharedState(live, 'supervisor', serverTime)) },
    you,
  };
}

/** The message each recipient gets from a StateBroadcast: the same bytes stateShaper makes on one node. */
export function broadcastShaper(b: StateBroadcast): (user: Pick<SessionUser, 'roles' | 'supplierId'>) => string {
  return (user) => {
    const v = viewerOf(user);
    if (v.kind !== 'supplier') return b.shared[v.kind];
    return `${b.shared.supplier.slice(0, -1)},"you":${b.you[v.supplierId] ?? 'null'}}`;
  };
}
