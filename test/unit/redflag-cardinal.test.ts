// The Cardinal indicators on fixtures that follow the worked examples of their definition files
// (../shared/ocds/red-flags/R*.md): one process, buyer or tenderer that trips, one that does not.
import { expect } from 'chai';
import { runCardinal } from '../../server/supervision/cardinal/indicators';
import { quantile } from '../../server/supervision/cardinal/stats';
import type { OcdsBid, OcdsRelease } from '../../server/supervision/cardinal/ocds';

const bid = (tenderer: string, amount: number, status = 'valid', date?: string): OcdsBid => ({ status, value: { amount, currency: 'CNY' }, tenderers: [{ id: tenderer }], ...(date ? { date } : {}) });
function release(ocid: string, bids: OcdsBid[], winner?: string, extra: Partial<OcdsRelease> = {}): OcdsRelease {
  return {
    ocid,
    tender: { status: 'complete', procurementMethod: 'open', numberOfTenderers: new Set(bids.flatMap((b) => b.tenderers!.map((t) => t.id))).size },
    bids: { details: bids },
    awards: winner ? [{ status: 'active', suppliers: [{ id: winner }] }] : [],
    ...extra,
  };
}
/** A process won by W at 100,000 with L second at `second`. */
const pair = (ocid: string, second: number) => release(ocid, [bid('W' + ocid, 100000), bid('L' + ocid, second)], 'W' + ocid);

describe('redflag: Cardinal indicators', () => {
  it('computes quartiles like statrs (R-8)', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).to.be.closeTo(2.5, 1e-12);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8], 0.25)).to.be.closeTo(2.4167, 1e-4);
  });

  it('R003 flags the March 15 notice with a March 20 deadline, not a 19-day period', () => {
    const short = { ocid: 'F', tender: { tenderPeriod: { startDate: '2026-03-15T00:00:00Z', endDate: '2026-03-20T00:00:00Z' } } };
    const ok = { ocid: 'N', tender: { tenderPeriod: { startDate: '2026-03-01T00:00:00Z', endDate: '2026-03-20T00:00:00Z' } } };
    const r = runCardinal([short, ok], {}, ['R003']);
    expect(r.OCID).to.deep.equal({ F: { R003: 1.0 } });
    // a threshold per procurement method details (e.g. minimum periods per legislation)
    const r2 = runCardinal([{ ...short, tender: { ...short.tender, procurementMethodDetails: 'inquiry' } }], { R003: { procurementMethodDetails: { inquiry: 3 } } }, ['R003']);
    expect(r2.OCID).to.deep.equal({});
  });

  it('R018 flags an open opportunity that received a single bid, not two tenderers', () => {
    const r = runCardinal([release('F', [bid('A', 10)], 'A'), release('N', [bid('A', 10), bid('B', 11)], 'A'), release('L', [bid('A', 10)], 'A', { tender: { procurementMethod: 'limited', numberOfTenderers: 1 } })], {}, ['R018']);
    expect(r.OCID).to.deep.equal({ F: { R018: 1.0 } });
  });

  it('R024 flags CollusionCorp 100,000 vs 101,000 (1% <= lower fence 2% from Q1 5%, Q3 7%)', () => {
    const rels = [pair('F', 101000), pair('a', 105000), pair('b', 105000), pair('N', 105000), pair('c', 106000), pair('d', 107000), pair('e', 107000), pair('f', 107000)];
    const r = runCardinal(rels, {}, ['R024']);
    expect(Object.keys(r.OCID)).to.deep.equal(['F']);
    expect(r.OCID.F.R024).to.be.closeTo(0.01, 1e-12);
    expect(r.Tenderer).to.deep.equal({ WF: { R024: 0.0 }, LF: { R024: 0.0 } });
    expect(r.Meta.R024).to.deep.equal({ q1: 0.05, q3: 0.07, lower_fence: 0.02 });
  });

  it('R058 flags Lemon Industries 100,000 vs 115,000 (15% >= upper fence 10%)', () => {
    const rels = [pair('a', 105000), pair('b', 105000), pair('N', 105000), pair('c', 106000), pair('d', 107000), pair('e', 107000), pair('f', 107000), pair('F', 115000)];
    const r = runCardinal(rels, {}, ['R058']);
    expect(Object.keys(r.OCID)).to.deep.equal(['F']);
    expect(r.OCID.F.R058).to.be.closeTo(0.15, 1e-12);
    expect(r.Tenderer).to.deep.equal({ WF: { R058: 0.0 } });
    expect(r.Meta.R058.upper_fence).to.equal(0.1);
    // excluded: the lowest bid did not win (not price-only)
    expect(runCardinal([release('X', [bid('A', 200), bid('B', 100)], 'A')], { R058: { threshold: 0 } }, ['R058']).OCID).to.deep.equal({});
  });

  function r025Population(fWins: number): OcdsRelease[] {
    // [valid bids, wins] per tenderer: ratios Q1 0.5, Q3 0.75 (lower fence 0.125); bids Q3 100.
    const people: Array<[string, number, number]> = [['A', 20, 10], ['B', 40, 20], ['C', 40, 24], ['D', 60, 42], ['E', 80, 60], ['G', 100, 75], ['H', 100, 80], ['F', 150, fWins]];
    const rels: OcdsRelease[] = [];
    for (const [id, bids, wins] of people) {
      for (let i = 0; i < bids; i++) {
        const won = i < wins;
        // a lost process is awarded to Z, whose own bid is disqualified (it is not a valid tenderer)
        rels.push(release(`${id}-${i}`, won ? [bid(id, 100)] : [bid(id, 100), bid('Z', 90, 'disqualified')], won ? id : 'Z'));
      }
    }
    return rels;
  }
  it('R025 flags UnethicalBid Ltd. (150 bids, 15 won: 0.1 <= 0.125), not at 30 won', () => {
    const r = runCardinal(r025Population(15), {}, ['R025']);
    expect(r.Tenderer).to.deep.equal({ F: { R025: 0.1 } });
    expect(r.Meta.R025).to.include({ upper_fence: 100, lower_fence: 0.125 });
    expect(runCardinal(r025Population(30), {}, ['R025']).Tenderer).to.deep.equal({});
  });

  it('R028 flags BribeCorp matching the lowest price, not different prices', () => {
    const r = runCardinal([release('F', [bid('D', 500), bid('V', 500), bid('X', 600)], 'D'), release('N', [bid('D', 500), bid('V', 501)], 'D')], {}, ['R028']);
    expect(r.OCID).to.deep.equal({ F: { R028: 1.0 } });
    expect(r.Tenderer).to.deep.equal({ D: { R028: 1.0 }, V: { R028: 1.0 } });
    // predetermined prices are excluded by configuration
    expect(runCardinal([release('F', [bid('D', 500), bid('V', 500)], 'D', { tender: { procurementMethodDetails: 'framework_order' } })], { noPriceComparisonProcurementMethods: ['framework_order'] }, ['R028']).OCID).to.deep.equal({});
  });

  it('R030 flags CorruptX bidding on April 1 after the March 15 deadline and winning, not an on-time winner', () => {
    const tender = { status: 'complete', tenderPeriod: { startDate: '2026-02-01T00:00:00Z', endDate: '2026-03-15T00:00:00Z' } };
    const late = release('F', [bid('W', 100, 'valid', '2026-04-01T00:00:00Z'), bid('L', 120, 'valid', '2026-03-10T00:00:00Z')], 'W', { tender });
    const onTime = release('N', [bid('W', 100, 'valid', '2026-03-14T00:00:00Z'), bid('L', 120, 'valid', '2026-04-01T00:00:00Z')], 'W', { tender });
    const r = runCardinal([late, onTime], {}, ['R030']);
    expect(r.OCID).to.deep.equal({ F: { R030: 1.0 } });
    expect(r.Tenderer).to.deep.equal({ W: { R030: 1.0 } });
  });

  it('R035 flags five bids with four disqualified and the fifth awarded, not two valid bids', () => {
    const f = release('F', [bid('V', 100), bid('A', 90, 'disqualified'), bid('B', 91, 'disqualified'), bid('C', 92, 'disqualified'), bid('D', 93, 'disqualified')], 'V');
    const n = release('N', [bid('V', 100), bid('A', 90), bid('B', 91, 'disqualified')], 'V');
    const r = runCardinal([f, n], {}, ['R035']);
    expect(r.OCID).to.deep.equal({ F: { R035: 4 } });
    expect(r.Tenderer).to.deep.equal({ V: { R035: 0.0 } });
    expect(runCardinal([f], { R035: { threshold: 5 } }, ['R035']).OCID).to.deep.equal({});
  });

  it('R036 flags FairDeal (100,000) disqualified while BribeCorp (111,111) wins, not FairDeal winning', () => {
    const f = release('F', [bid('FairDeal', 100000, 'disqualified'), bid('BribeCorp', 111111)], 'BribeCorp');
    const n = release('N', [bid('FairDeal', 100000), bid('BribeCorp', 111111)], 'FairDeal');
    expect(runCardinal([f, n], {}, ['R036']).OCID).to.deep.equal({ F: { R036: 1.0 } });
  });

  it('R038 flags the State Water Corporation (59% >= upper fence 52% from Q1 2%, Q3 22%), not a 22% buyer', () => {
    const rels: OcdsRelease[] = [];
    const buyers: Array<[string, number]> = [['b0', 0], ['b2', 1], ['b2x', 1], ['b10', 5], ['b20', 10], ['b22', 11], ['b22x', 11], ['StateWater', 29.5]];
    let n = 0;
    for (const [buyer, perProcess] of buyers) {
      for (let p = 0; p < 2; p++) {
        const disq = buyer === 'StateWater' ? (p === 0 ? 30 : 29) : perProcess;
        const bids = Array.from({ length: 50 }, (_, i) => bid(`t${n++}`, 100 + i, i < disq ? 'disqualified' : 'valid'));
        rels.push(release(`${buyer}-${p}`, bids, undefined, { buyer: { id: buyer } }));
      }
    }
    const r = runCardinal(rels, {}, ['R038']);
    expect(r.Buyer).to.deep.equal({ StateWater: { R038: 0.59 } });
    expect(r.Meta.R038).to.include({ Buyer_q1: 0.02, Buyer_q3: 0.22, Buyer_upper_fence: 0.52 });
    // a buyer with a single process is excluded
    expect(runCardinal([rels[rels.length - 1]], {}, ['R038']).Buyer).to.deep.equal({});
  });

  it('R048 flags RentSeekers Inc. in 20 categories (>= fence 8.5, 9 in effect), not a 4-category supplier', () => {
    const varieties: Array<[string, number]> = [['s1', 1], ['s2', 1], ['s3', 1], ['s4', 2], ['s5', 3], ['s6', 4], ['s7', 4], ['RentSeekers', 20]];
    const rels: OcdsRelease[] = [];
    for (const [id, variety] of varieties) {
      for (let p = 0; p < 20; p++) {
        const code = `${10 + (p % variety)}000000`;
        rels.push({ ocid: `${id}-${p}`, tender: { status: 'complete' }, awards: [{ status: 'active', suppliers: [{ id }], items: [{ classification: { scheme: 'UNSPSC', id: code } }] }] });
      }
    }
    const r = runCardinal(rels, {}, ['R048']);
    expect(r.Tenderer).to.deep.equal({ RentSeekers: { R048: 20 } });
    expect(r.Meta.R048.upper_fence).to.equal(9);
    // fewer than 20 processes per tenderer: no fence can be estimated, nothing is flagged
    expect(runCardinal(rels.filter((x) => x.ocid.endsWith('-1')), {}, ['R048']).Tenderer).to.deep.equal({});
  });

  it('leaves out cancelled processes', () => {
    const r = runCardinal([release('C', [bid('A', 10)], 'A', { tender: { status: 'cancelled', procurementMethod: 'open', numberOfTenderers: 1 } })]);
    expect(r.OCID).to.deep.equal({});
  });
});
