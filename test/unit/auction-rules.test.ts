import { expect } from 'chai';
import { checkBid, compareStanding, decrementFen, extendedEnd, maxAllowedBid, openingShortfall, parseAmount, participantLabel, savings, type BidRules } from '../../server/execution/auctions/rules';
import { assertStep, canStep } from '../../server/execution/auctions/state-machine';
import { LiveAuction } from '../../server/execution/auctions/live';
import { stateFor, stateShaper, viewerOf } from '../../server/execution/auctions/views';
import type { Auction } from '../../server/execution/auctions/repository';

const rules = (over: Partial<BidRules> = {}): BidRules => ({ ceilingFen: 1_000_000, decrementKind: 'absolute', decrementValue: 1_000, visibility: 'best_price', ...over });

describe('auction rules', () => {
  it('accepts only positive whole fen up to the maximum', () => {
    expect(parseAmount(1)).to.equal(1);
    for (const bad of [0, -1, 1.5, NaN, Infinity, '100', null, undefined, 1e13, 2 ** 53]) expect(parseAmount(bad), String(bad)).to.equal(null);
  });

  it('computes absolute and percentage decrements (percent of the reference, rounded up, at least 1 fen)', () => {
    expect(decrementFen({ decrementKind: 'absolute', decrementValue: 500 }, 123)).to.equal(500);
    expect(decrementFen({ decrementKind: 'percent', decrementValue: 50 }, 1_000_000)).to.equal(5_000); // 0.5 %
    expect(decrementFen({ decrementKind: 'percent', decrementValue: 50 }, 1_001)).to.equal(6);
    expect(decrementFen({ decrementKind: 'percent', decrementValue: 1 }, 10)).to.equal(1);
  });

  it('checks the ceiling, the own previous bid and the best price by mode', () => {
    expect(checkBid(rules(), 1_000_001, null, null)).to.equal('ABOVE_CEILING');
    expect(checkBid(rules(), 1_000_000, null, null)).to.equal(null);
    expect(checkBid(rules(), 999_500, 1_000_000, null)).to.equal('NOT_BELOW_OWN_BID');
    expect(checkBid(rules(), 999_000, 1_000_000, null)).to.equal(null);
    expect(checkBid(rules(), 899_500, null, 900_000)).to.equal('NOT_BELOW_BEST');
    expect(checkBid(rules({ visibility: 'ladder' }), 899_500, null, 900_000)).to.equal('NOT_BELOW_BEST');
    expect(checkBid(rules({ visibility: 'rank_only' }), 950_000, null, 900_000)).to.equal(null);
    expect(checkBid(rules({ visibility: 'rank_only' }), 999_500, 1_000_000, 900_000)).to.equal('NOT_BELOW_OWN_BID');
    expect(checkBid(rules(), 1.5, null, null)).to.equal('BAD_AMOUNT');
    expect(maxAllowedBid(rules(), 950_000, 900_000)).to.equal(899_000);
    expect(maxAllowedBid(rules({ visibility: 'rank_only' }), 950_000, 900_000)).to.equal(949_000);
  });

  it('ranks lower prices first and equal prices by who was accepted first', () => {
    const s = [{ supplierId: 1, amountFen: 500, seq: 3 }, { supplierId: 2, amountFen: 400, seq: 4 }, { supplierId: 3, amountFen: 500, seq: 2 }].sort(compareStanding);
    expect(s.map((x) => x.supplierId)).to.deep.equal([2, 3, 1]);
  });

  it('extends the end for a bid in the window, up to the hard cap, and never shortens it', () => {
    const end = 100_000;
    expect(extendedEnd(end, 30_000, 60, null)).to.equal(end); // 70 s before the end: outside the window
    expect(extendedEnd(end, 50_000, 60, null)).to.equal(110_000);
    expect(extendedEnd(end, 50_000, 60, 105_000)).to.equal(105_000);
    expect(extendedEnd(end, 99_000, 0, null)).to.equal(end);
    expect(extendedEnd(end, 99_000, 60, 90_000)).to.equal(end);
  });

  it('opens only with enough suppliers and distinct brands (the multi-brand rule)', () => {
    const p = (b: string) => ({ brand: b });
    expect(openingShortfall([p('Lenovo'), p('Huawei'), p('Inspur')], 3, 3)).to.equal(null);
    expect(openingShortfall([p('Lenovo'), p(' lenovo '), p('Inspur')], 3, 3)).to.deep.equal({ suppliers: 3, brands: 2 });
    expect(openingShortfall([p('Lenovo'), p('Huawei')], 3, 1)).to.deep.equal({ suppliers: 2, brands: 2 });
  });

  it('labels participants A..Z, AA.. and computes savings', () => {
    expect([0, 1, 25, 26, 27].map(participantLabel)).to.deep.equal(['A', 'B', 'Z', 'AA', 'AB']);
    expect(savings(1_000_000, 900_000)).to.deep.equal({ fen: 100_000, bp: 1000 });
  });

  it('allows each step only in its states', () => {
    expect(canStep('announced', 'join')).to.equal(true);
    expect(canStep('running', 'join')).to.equal(false);
    expect(canStep('suspended', 'resume')).to.equal(true);
    expect(() => assertStep('closed', 'suspend')).to.throw().with.property('code', 'AUCTION_WRONG_STATE');
  });
});

describe('auction views', () => {
  const a = (visibility: Auction['visibility']): Auction => ({
    id: 7, code: 'WSJJ-2026-0007', title: 't', lotDescription: 'l', quantity: 1, unit: '台', categoryCode: 'A02010104', ceilingFen: 1_000_000, decrementKind: 'absolute', decrementValue: 1_000,
    startsAt: new Date(0), durationSec: 600, extensionSec: 60, maxExtensionSec: null, visibility, minSuppliers: 3, minBrands: 3, status: 'running', endsAt: new Date(600_000), hardEndAt: null,
    remainingMs: null, statusReason: null, failureCode: null, lastSeq: 0, bidCount: 0, bestFen: null, bestSupplierId: null, winnerSupplierId: null, winnerPriceFen: null, savingsFen: null,
    requisitionId: null, projectId: null, orgId: null, createdBy: null, createdAt: new Date(0), announcedAt: null, openedAt: null, closedAt: null,
  });
  const build = (visibility: Auction['visibility']) => {
    const parts = [11, 12, 13].map((sid, i) => ({ id: i + 1, auctionId: 7, supplierId: sid, label: 'ABC'[i], brand: `b${i}`, model: 'm', joinedAt: new Date(0) }));
    const live = LiveAuction.build(a(visibility), parts, new Map([[11, '甲公司'], [12, '乙公司'], [13, '丙公司']]), []);
    live.applyBid({ supplierId: 11, amountFen: 990_000, seq: 1, at: 1000 });
    live.applyBid({ supplierId: 12, amountFen: 980_000, seq: 2, at: 2000 });
    return live;
  };
  const supplier = (id: number) => ({ roles: ['supplier' as const], supplierId: id });

  it('shows suppliers what their mode allows and never another supplier\'s identity', () => {
    for (const mode of ['best_price', 'ladder', 'rank_only'] as const) {
      const live = build(mode);
      const st = stateFor(live, viewerOf(supplier(11)), new Date(0)) as any;
      expect(JSON.stringify(st)).to.not.match(/公司|"supplierId"/);
      expect(st.you).to.include({ label: 'A', rank: 2, lastBid: 990_000 });
      expect('best' in st, mode).to.equal(mode !== 'rank_only');
      expect('ladder' in st, mode).to.equal(mode === 'ladder');
      // The fast shaper sends the same content.
      expect(JSON.parse(stateShaper(live, new Date(0))({ ...supplier(11), roles: ['supplier'] } as any))).to.deep.equal(st);
    }
    const sv = stateFor(build('rank_only'), viewerOf({ roles: ['supervisor'], supplierId: null }), new Date(0)) as any;
    expect(sv.ladder[0]).to.include({ supplierId: 12, supplierName: '乙公司', label: 'B' });
    const mon = stateFor(build('rank_only'), viewerOf({ roles: ['operator'], supplierId: null }), new Date(0)) as any;
    expect(mon.ladder[0]).to.not.have.property('supplierName');
  });
});
