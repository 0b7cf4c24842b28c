import { expect } from 'chai';
import { evaluatedPriceFen, priceScoreMilli, abnormallyLowBids, rankBids, failedChecks, divRound } from '../../server/execution/tendering/evaluation/scoring';
import { checkTerms, checkBiddingPeriod, extendedDeadline, checkCommittee, challengePeriodEnd, addWorkingDays, TENDER_RULES } from '../../server/execution/tendering/rules';
import { WorkingCalendar } from '../../server/core/rules/calendar';
import { TEMPLATES } from '../../server/execution/tendering/templates';

describe('tender scoring (hand-computed fixtures)', () => {
  it('price score = lowest valid evaluated price / bid price × weight, in milli-points, rounded half up', () => {
    // 80 000 / 100 000 × 30 = 24; 80 000 / 90 000 × 30 = 26.6666… → 26.667; lowest gets the full weight.
    expect(priceScoreMilli(8_000_000, 10_000_000, 30)).to.equal(24_000);
    expect(priceScoreMilli(8_000_000, 9_000_000, 30)).to.equal(26_667);
    expect(priceScoreMilli(8_000_000, 8_000_000, 30)).to.equal(30_000);
    // 1 / 3 × 10 = 3.3333 → 3.333; 2 / 3 × 10 = 6.6666 → 6.667
    expect(priceScoreMilli(1, 3, 10)).to.equal(3_333);
    expect(priceScoreMilli(2, 3, 10)).to.equal(6_667);
    expect(divRound(5n, 2n)).to.equal(3n); // half up
  });

  it('applies the small-business deduction to the evaluated price only', () => {
    expect(evaluatedPriceFen(10_000_000, true, 10)).to.equal(9_000_000);
    expect(evaluatedPriceFen(10_000_000, false, 10)).to.equal(10_000_000);
    expect(evaluatedPriceFen(999, true, 10)).to.equal(899); // 899.1 → 899
    expect(evaluatedPriceFen(995, true, 10)).to.equal(896); // 895.5 → 896
  });

  it('ranks by total score: the small business wins on the deducted price', () => {
    // A 100 000 (small → 90 000), B 92 000, C 95 000; weight 30; tech averages 60, 60, 61.
    // Lowest evaluated = 90 000 (A): A 30 + 60 = 90; B 90/92×30 = 29.348 + 60 = 89.348; C 28.421 + 61 = 89.421.
    const ranked = rankBids(
      [
        { bidId: 1, supplierId: 11, priceFen: 10_000_000, smallBusiness: true, submittedAt: '2026-01-01T00:00:00Z', expertTechMilli: [60_000, 61_000, 59_000] },
        { bidId: 2, supplierId: 12, priceFen: 9_200_000, smallBusiness: false, submittedAt: '2026-01-01T00:00:01Z', expertTechMilli: [60_000, 60_000, 60_000] },
        { bidId: 3, supplierId: 13, priceFen: 9_500_000, smallBusiness: false, submittedAt: '2026-01-01T00:00:02Z', expertTechMilli: [61_000, 61_500, 60_500] },
      ],
      { method: 'comprehensive', priceWeight: 30, smeDeductionPct: 10, recommend: 2 },
    );
    expect(ranked.map((r) => [r.bidId, r.priceScoreMilli, r.techScoreMilli, r.totalScoreMilli, r.rank, r.recommended])).to.deep.equal([
      [1, 30_000, 60_000, 90_000, 1, true],
      [3, 28_421, 61_000, 89_421, 2, true],
      [2, 29_348, 60_000, 89_348, 3, false],
    ]);
  });

  it('breaks ties by lower price, then earlier submission; lowest-price method ranks by evaluated price', () => {
    const tie = rankBids(
      [
        { bidId: 1, supplierId: 1, priceFen: 100, smallBusiness: false, submittedAt: '2026-01-02T00:00:00Z', expertTechMilli: [50_000] },
        { bidId: 2, supplierId: 2, priceFen: 100, smallBusiness: false, submittedAt: '2026-01-01T00:00:00Z', expertTechMilli: [50_000] },
      ],
      { method: 'comprehensive', priceWeight: 30, smeDeductionPct: 0, recommend: 3 },
    );
    expect(tie.map((r) => r.bidId)).to.deep.equal([2, 1]);
    const lowest = rankBids(
      [
        { bidId: 1, supplierId: 1, priceFen: 4_300_000, smallBusiness: false, submittedAt: 'a', expertTechMilli: [] },
        { bidId: 2, supplierId: 2, priceFen: 4_400_000, smallBusiness: true, submittedAt: 'b', expertTechMilli: [] }, // 3 % → 4 268 000
      ],
      { method: 'lowest_price', priceWeight: 100, smeDeductionPct: 3, recommend: 3 },
    );
    expect(lowest.map((r) => [r.bidId, r.evaluatedPriceFen, r.totalScoreMilli])).to.deep.equal([[2, 4_268_000, 0], [1, 4_300_000, 0]]);
  });

  it('flags prices under 80 % of the average', () => {
    // average (100 + 100 + 100 + 60) / 4 = 90; 80 % = 72: 60 is flagged, 72 would not be.
    expect([...abnormallyLowBids([{ bidId: 1, priceFen: 100 }, { bidId: 2, priceFen: 100 }, { bidId: 3, priceFen: 100 }, { bidId: 4, priceFen: 60 }], 80)]).to.deep.equal([4]);
    expect([...abnormallyLowBids([{ bidId: 1, priceFen: 100 }, { bidId: 2, priceFen: 100 }, { bidId: 3, priceFen: 100 }, { bidId: 4, priceFen: 88 }], 80)]).to.deep.equal([]);
  });

  it('decides compliance by majority', () => {
    const votes = [{ a: true, b: false }, { a: false, b: false }, { a: true, b: true }];
    expect(failedChecks(votes, ['a', 'b'])).to.deep.equal(['b']);
  });
});

describe('tender rules', () => {
  const goods = TEMPLATES.goods;
  const terms = { ...goods, budgetFen: 1 };
  it('accepts the standard templates', () => {
    for (const t of Object.values(TEMPLATES)) expect(checkTerms({ ...t, budgetFen: 1 }), t.kind).to.deep.equal([]);
  });
  it('checks the price weight range per category and the weights sum', () => {
    expect(checkTerms({ ...terms, priceWeight: 25, criteria: goods.criteria.map((c) => (c.kind === 'price' ? { ...c, weight: 25 } : c.key === 'technical' ? { ...c, weight: 45 } : c)) }).map((v) => v.code)).to.deep.equal(['PRICE_WEIGHT_OUT_OF_RANGE']);
    expect(checkTerms({ ...terms, kind: 'services', priceWeight: 31, criteria: goods.criteria.map((c) => (c.kind === 'price' ? { ...c, weight: 31 } : c.key === 'technical' ? { ...c, weight: 39 } : c)) }).map((v) => v.code)).to.deep.equal(['PRICE_WEIGHT_OUT_OF_RANGE']);
    expect(checkTerms({ ...terms, criteria: goods.criteria.map((c) => (c.key === 'service' ? { ...c, weight: 25 } : c)) }).map((v) => v.code)).to.deep.equal(['WEIGHTS_NOT_100']);
    expect(checkTerms({ ...terms, smeDeductionPct: 6 }).map((v) => v.code)).to.deep.equal(['SME_DEDUCTION_OUT_OF_RANGE']);
  });
  it('needs 20 days of bidding and moves the deadline for a late substantive amendment to 15 days out', () => {
    const from = new Date('2026-03-02T01:00:00Z');
    expect(checkBiddingPeriod(from, new Date('2026-03-22T01:00:00Z'), new Date('2026-03-22T01:00:00Z'))).to.deep.equal([]);
    expect(checkBiddingPeriod(from, new Date('2026-03-22T00:59:59Z'), new Date('2026-03-22T01:00:00Z'))[0].code).to.equal('BIDDING_PERIOD_TOO_SHORT');
    expect(extendedDeadline(new Date('2026-03-10T00:00:00Z'), new Date('2026-03-22T01:00:00Z'), true)!.toISOString()).to.equal('2026-03-25T00:00:00.000Z');
    expect(extendedDeadline(new Date('2026-03-05T00:00:00Z'), new Date('2026-03-22T01:00:00Z'), true)).to.equal(null);
    expect(extendedDeadline(new Date('2026-03-10T00:00:00Z'), new Date('2026-03-22T01:00:00Z'), false)).to.equal(null);
  });
  it('sizes the committee: odd, at least 5, at least 7 from 10 million yuan', () => {
    expect(checkCommittee(5, 9_999_999_99)).to.deep.equal([]);
    expect(checkCommittee(4, 1)[0].code).to.equal('COMMITTEE_SIZE');
    expect(checkCommittee(6, 1)[0].code).to.equal('COMMITTEE_SIZE');
    expect(checkCommittee(5, 10_000_000_00)[0].code).to.equal('COMMITTEE_SIZE');
    expect(checkCommittee(7, 10_000_000_00)).to.deep.equal([]);
  });
  it('counts the challenge period in working days after the one-day announcement', () => {
    // Friday 10:00 Beijing: announcement Monday, then 7 working days → Wednesday of the next week.
    expect(addWorkingDays(new Date('2026-03-06T02:00:00Z'), 1).toISOString()).to.equal('2026-03-09T02:00:00.000Z');
    // The period ends with its last day: 23:59:59.999 Beijing time, not the clock time of the award.
    expect(challengePeriodEnd(new Date('2026-03-06T02:00:00Z')).toISOString()).to.equal('2026-03-18T15:59:59.999Z');
  });
  it('ends the challenge period at the end of its last working day, counted over the holiday calendar', () => {
    const cal = new WorkingCalendar();
    const legal = { awardNoticeWorkingDays: TENDER_RULES.awardNoticeWorkingDays, challengePeriodWorkingDays: TENDER_RULES.challengePeriodWorkingDays, addWorkingDays: (f: Date, n: number) => cal.addWorkingDays(f, n) };
    const end = (awardedAt: string) => challengePeriodEnd(new Date(awardedAt), legal).toISOString();
    // Monday 10:00: announcement Tuesday 3 March, then 7 working days → Thursday 12 March, 23:59:59.999 Beijing.
    expect(end('2026-03-02T02:00:00Z')).to.equal('2026-03-12T15:59:59.999Z');
    // Friday 16:30, before a weekend: announcement Monday 9 March → Wednesday 18 March.
    expect(end('2026-03-06T08:30:00Z')).to.equal('2026-03-18T15:59:59.999Z');
    // Saturday 23:30 Beijing (still Saturday 15:30 UTC): the same period as Friday's.
    expect(end('2026-03-06T15:30:00Z')).to.equal('2026-03-18T15:59:59.999Z');
    // Friday 13 February 17:00, before Spring Festival: Saturday 14 February is a make-up working day
    // (the announcement), 15–23 February are holidays, then 24–27, Saturday 28 February (make-up), 2 and 3 March.
    expect(end('2026-02-13T09:00:00Z')).to.equal('2026-03-03T15:59:59.999Z');
    // Wednesday 30 September, before National Day (1–7 October): announcement Thursday 8 October, then
    // 9, Saturday 10 (make-up), 12–16 October.
    expect(end('2026-09-30T02:00:00Z')).to.equal('2026-10-16T15:59:59.999Z');
    // A city holiday moves it by a day.
    const city = WorkingCalendar.fromEntries([['2026-03-17', 'holiday', '城市节日']]);
    expect(challengePeriodEnd(new Date('2026-03-06T08:30:00Z'), { ...legal, addWorkingDays: (f: Date, n: number) => city.addWorkingDays(f, n) }).toISOString()).to.equal('2026-03-19T15:59:59.999Z');
  });
});
