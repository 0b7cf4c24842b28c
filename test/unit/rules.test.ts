// The rule book, the working-day calendar and the method table, as pure functions.
import { expect } from 'chai';
import { DEFAULT_RULES, type RuleBook } from '../../server/core/rules/rule-book';
import { WorkingCalendar } from '../../server/core/rules/calendar';
import { determineMethod, looksSplit, METHOD_TABLE } from '../../server/core/methods/rules';
import { happyPath, canMove, MACHINES } from '../../server/core/projects/state-machine';

const book = DEFAULT_RULES as RuleBook;
const YUAN = 100;

describe('rules: the rule book', () => {
  it('keeps every number with its unit and legal source', () => {
    for (const [key, r] of Object.entries(DEFAULT_RULES)) {
      expect(r.source, key).to.be.a('string').with.length.greaterThan(10);
      expect(Number.isSafeInteger(r.value), key).to.equal(true);
    }
    expect(DEFAULT_RULES.tenderBiddingPeriodDays.value).to.equal(20);
    expect(DEFAULT_RULES.challengePeriodWorkingDays.value).to.equal(7);
    expect(DEFAULT_RULES.contractWithinDays.value).to.equal(30);
    expect(DEFAULT_RULES.inquiryResponsePeriodWorkingDays.value).to.equal(3);
    expect(DEFAULT_RULES.publicTenderThresholdGoodsServicesFen.value).to.equal(2_000_000 * YUAN);
  });
});

describe('rules: working-day calendar', () => {
  const cal = new WorkingCalendar(); // the library's announced 2026 arrangement
  it('skips weekends and holidays and counts made-up working weekends', () => {
    expect(cal.isWorkingDay('2026-03-07')).to.equal(false); // Saturday
    expect(cal.isWorkingDay('2026-10-05')).to.equal(false); // National Day (Monday)
    expect(cal.isWorkingDay('2026-10-10')).to.equal(true); // Saturday made a working day
    expect(cal.isWorkingDay('2026-02-14')).to.equal(true);
  });
  it('adds working days in China Standard Time', () => {
    // Friday 10:00 CST + 3 working days = Wednesday 10:00 CST.
    expect(cal.addWorkingDays(new Date('2026-03-27T02:00:00Z'), 3).toISOString()).to.equal('2026-04-01T02:00:00.000Z');
    // Across the Qingming holiday (4-6 April 2026, Sat-Mon): Friday 3 April + 1 = Tuesday 7 April.
    expect(cal.addWorkingDays(new Date('2026-04-03T02:00:00Z'), 1).toISOString()).to.equal('2026-04-07T02:00:00.000Z');
    // 23:30 UTC on Friday is already Saturday in Beijing: the next working day is Monday.
    expect(WorkingCalendar.localDay(new Date('2026-03-27T23:30:00Z'))).to.equal('2026-03-28');
    // The 7-working-day challenge period over National Day: 30 Sept → 15 Oct (1-7 Oct off, 10 Oct a working Saturday).
    expect(cal.addWorkingDays(new Date('2026-09-30T02:00:00Z'), 7).toISOString().slice(0, 10)).to.equal('2026-10-15');
  });
  it('lets a city add its own holidays', () => {
    const city = WorkingCalendar.fromEntries([['2026-03-30', 'holiday', 'city day']]);
    expect(city.addWorkingDays(new Date('2026-03-27T02:00:00Z'), 1).toISOString()).to.equal('2026-03-31T02:00:00.000Z');
  });
});

describe('rules: method determination table', () => {
  const facts = (totalYuan: number, kind: 'goods' | 'services' | 'works', frameworkGoods = false, reason: string | null = null) => ({ totalFen: totalYuan * YUAN, kind, frameworkGoods, singleSourceRequested: !!reason, singleSourceReason: reason });
  it('decides by amount, category and justification, first match wins', () => {
    expect(determineMethod(facts(2_000_000, 'goods', true), book).method).to.equal('public_tender');
    expect(determineMethod(facts(1_999_999, 'goods', true), book).method).to.equal('online_price_competition');
    expect(determineMethod(facts(500_000, 'goods'), book).method).to.equal('inquiry');
    expect(determineMethod(facts(500_000, 'services'), book).method).to.equal('competitive_negotiation');
    expect(determineMethod(facts(3_999_999, 'works'), book).method).to.equal('competitive_negotiation');
    expect(determineMethod(facts(4_000_000, 'works'), book).method).to.equal('public_tender');
    expect(determineMethod(facts(300_000, 'services', false, 'only the original developer'), book).method).to.equal('single_source');
    expect(METHOD_TABLE.at(-1)!.when(facts(1, 'goods'), book)).to.equal(true); // the table is total
  });
  it('gives invitational tender and competitive consultation only when asked for with a reason', () => {
    const asked = (m: 'invitational_tender' | 'competitive_consultation', reason: string | null, totalYuan = 2_500_000, kind: 'goods' | 'services' = 'goods') => ({ ...facts(totalYuan, kind), requestedMethod: m, requestedMethodReason: reason });
    expect(determineMethod(asked('invitational_tender', 'only four makers of this reactor'), book).method).to.equal('invitational_tender');
    expect(determineMethod(asked('invitational_tender', '   '), book).method).to.equal('public_tender'); // no reason, no request
    expect(determineMethod(asked('competitive_consultation', 'requirements to be worked out', 800_000, 'services'), book).method).to.equal('competitive_consultation');
    expect(determineMethod(asked('competitive_consultation', null, 800_000, 'services'), book).method).to.equal('competitive_negotiation');
    // Single source, asked for with a justification, stays first.
    expect(determineMethod({ ...asked('invitational_tender', 'few makers'), singleSourceRequested: true, singleSourceReason: 'only the maker' }, book).method).to.equal('single_source');
  });
  it('follows a city threshold', () => {
    const city = { ...book, publicTenderThresholdGoodsServicesFen: { ...book.publicTenderThresholdGoodsServicesFen, value: 4_000_000 * YUAN } };
    expect(determineMethod(facts(3_000_000, 'services'), city).method).to.equal('competitive_negotiation');
  });
  it('suspects splitting only when each part stays under the threshold and together they reach it', () => {
    const th = 2_000_000 * YUAN;
    expect(looksSplit({ totalFen: 900_000 * YUAN }, [{ totalFen: 900_000 * YUAN }], th)).to.equal(false);
    expect(looksSplit({ totalFen: 900_000 * YUAN }, [{ totalFen: 900_000 * YUAN }, { totalFen: 300_000 * YUAN }], th)).to.equal(true);
    expect(looksSplit({ totalFen: 2_100_000 * YUAN }, [{ totalFen: 900_000 * YUAN }], th)).to.equal(false);
    expect(looksSplit({ totalFen: 900_000 * YUAN }, [{ totalFen: 2_500_000 * YUAN }], th)).to.equal(false);
  });
});

describe('rules: project state machines', () => {
  it('encode the public tender procedure in order, with failure only where the law puts it', () => {
    expect(happyPath('public_tender')).to.deep.equal(['documents_prepared', 'notice_published', 'bidding_open', 'opening', 'evaluation', 'award_notice', 'challenge_period', 'contract', 'acceptance', 'payment', 'closed']);
    expect(canMove('public_tender', 'opening', 'failed')).to.equal(true);
    expect(canMove('public_tender', 'bidding_open', 'evaluation')).to.equal(false);
    expect(canMove('public_tender', 'award_notice', 'contract')).to.equal(false); // the challenge period comes first
    expect(canMove('single_source', 'award_notice', 'contract')).to.equal(true);
    expect(happyPath('invitational_tender')).to.deep.equal(['documents_prepared', 'suppliers_invited', 'bidding_open', 'opening', 'evaluation', 'award_notice', 'challenge_period', 'contract', 'acceptance', 'payment', 'closed']);
    expect(canMove('invitational_tender', 'documents_prepared', 'prequalification')).to.equal(true);
    expect(canMove('invitational_tender', 'prequalification', 'suppliers_invited')).to.equal(true);
    expect(canMove('invitational_tender', 'documents_prepared', 'bidding_open')).to.equal(false); // nobody bids uninvited
    for (const m of Object.keys(MACHINES) as Array<keyof typeof MACHINES>) expect(happyPath(m).at(-1), m).to.equal('closed');
  });
});
