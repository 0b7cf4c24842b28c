// The framework-agreement rules as pure functions: entry under price and quality priority with
// the elimination rule (MOF Order No. 110), the term in months, order values, rotation, expiry.
import { expect } from 'chai';
import { selectEntries, termMonths, orderValueFen, rotationPick, effectiveStatus, type RankedResponse } from '../../server/execution/framework/rules';
import { determineMethod } from '../../server/core/methods/rules';
import { DEFAULT_RULES, type RuleBook } from '../../server/core/rules/rule-book';
import { happyPath } from '../../server/core/projects/state-machine';
import { frameworkDirectAboveLowest } from '../../server/supervision/rules/platform';
import { RULES } from '../../server/supervision/rules/catalogue';

const rules = { minimumResponders: 2, eliminationRatePercent: 20, minimumEliminated: 1 };
const resp = (supplierId: number, totalFen: number, qualityScore: number | null = null, submittedAt = supplierId): RankedResponse => ({ responseId: supplierId, supplierId, totalFen, qualityScore, submittedAt });

describe('framework-agreement rules', () => {
  it('eliminates at least 20 % and at least one under price priority, lowest total first, ties to the earlier response', () => {
    const out = selectEntries('price_priority', [resp(1, 500), resp(2, 300), resp(3, 400), resp(4, 300, null, 0)], rules);
    expect(out.ok).to.equal(true);
    if (!out.ok) return;
    expect(out.entries.map((e) => e.supplierId)).to.deep.equal([4, 2, 3]);
    expect(out.eliminated.map((e) => e.supplierId)).to.deep.equal([1]);
    // 10 valid: 20 % = 2 eliminated; 11 valid: ceil(2.2) = 3 eliminated.
    const ten = selectEntries('price_priority', Array.from({ length: 10 }, (_, i) => resp(i + 1, 100 + i)), rules);
    expect(ten.ok && ten.entries.length).to.equal(8);
    const eleven = selectEntries('price_priority', Array.from({ length: 11 }, (_, i) => resp(i + 1, 100 + i)), rules);
    expect(eleven.ok && eleven.entries.length).to.equal(8);
  });

  it('ranks by quality score under quality priority and needs every score', () => {
    const out = selectEntries('quality_priority', [resp(1, 500, 90), resp(2, 300, 80), resp(3, 400, 90)], rules);
    expect(out.ok && out.entries.map((e) => e.supplierId)).to.deep.equal([3, 1]);
    const missing = selectEntries('quality_priority', [resp(1, 500, 90), resp(2, 300)], rules);
    expect(missing).to.include({ ok: false, code: 'QUALITY_SCORE_MISSING' });
  });

  it('fails with fewer responders than the minimum, or when nobody would be left after elimination', () => {
    expect(selectEntries('price_priority', [resp(1, 1)], rules)).to.include({ ok: false, code: 'TOO_FEW_RESPONDERS' });
    expect(selectEntries('price_priority', [resp(1, 1)], { ...rules, minimumResponders: 1 })).to.include({ ok: false, code: 'TOO_FEW_RESPONDERS' });
    const two = selectEntries('price_priority', [resp(1, 2), resp(2, 1)], rules);
    expect(two.ok && two.entries.map((e) => e.supplierId)).to.deep.equal([2]);
  });

  it('counts the term in months, a day past a whole month counting as one more', () => {
    expect(termMonths('2026-03-24', '2027-03-23')).to.equal(12);
    expect(termMonths('2026-03-24', '2027-03-24')).to.equal(13);
    expect(termMonths('2026-01-01', '2026-12-31')).to.equal(12);
    expect(termMonths('2026-02-01', '2026-02-28')).to.equal(1);
    expect(termMonths('2026-01-31', '2026-02-27')).to.equal(1);
  });

  it('prices an order at an entry supplier\'s agreement prices and refuses an item the agreement does not cover', () => {
    const prices = [{ itemId: 1, categoryCode: 'A02010108', unitPriceFen: 350_000 }, { itemId: 2, categoryCode: 'A02010105', unitPriceFen: 600_000 }];
    expect(orderValueFen([{ categoryCode: 'A02010108', quantity: 10 }, { categoryCode: 'A02010105', quantity: 2 }], prices)).to.equal(4_700_000);
    expect(orderValueFen([{ categoryCode: 'A02010104', quantity: 1 }], prices)).to.equal(null);
  });

  it('rotates through the signed entries in rank order', () => {
    const entries = [{ rank: 2, id: 'b' }, { rank: 1, id: 'a' }, { rank: 3, id: 'c' }];
    const picks: string[] = [];
    let p = 0;
    for (let i = 0; i < 4; i++) {
      const r = rotationPick(entries, p)!;
      picks.push(r.entry.id);
      p = r.next;
    }
    expect(picks).to.deep.equal(['a', 'b', 'c', 'a']);
    expect(rotationPick([], 0)).to.equal(null);
  });

  it('reads an active agreement past its last day as expired', () => {
    expect(effectiveStatus('active', '2026-12-31', '2026-12-31')).to.equal('active');
    expect(effectiveStatus('active', '2026-12-31', '2027-01-01')).to.equal('expired');
    expect(effectiveStatus('calling', '2026-12-31', '2027-01-01')).to.equal('calling');
  });

  it('routes framework goods to an order within an agreement in force, else to online price competition', () => {
    const book = DEFAULT_RULES as RuleBook;
    const facts = { totalFen: 4_000_000, kind: 'goods' as const, frameworkGoods: true, singleSourceRequested: false, singleSourceReason: null };
    expect(determineMethod({ ...facts, frameworkAgreementInForce: true }, book).method).to.equal('framework_order');
    expect(determineMethod({ ...facts, frameworkAgreementInForce: false }, book).method).to.equal('online_price_competition');
    // At or above the tender threshold the agreement does not apply.
    expect(determineMethod({ ...facts, totalFen: 300_000_000, frameworkAgreementInForce: true }, book).method).to.equal('public_tender');
    expect(happyPath('framework_order')).to.deep.equal(['order', 'award_notice', 'contract', 'acceptance', 'payment', 'closed']);
  });

  it('SV20 flags a direct selection more than the tolerance above the lowest agreement price, not rotation or a close choice', () => {
    const t = RULES.find((r) => r.code === 'SV20')!.thresholds as { tolerancePercent: number };
    const o = { projectId: '7', orgId: 3, mode: 'direct', amountFen: 3_900_000, lowestFen: 3_500_000, agreementRef: 'KJXY-2026-0001', supplierId: 12 };
    const f = frameworkDirectAboveLowest(o, t);
    expect(f).to.have.length(1);
    expect(f[0]).to.include({ subjectType: 'project', subjectId: '7', orgId: 3 });
    expect(f[0].params).to.include({ abovePercent: 11.4, amountYuan: 39_000, lowestYuan: 35_000 });
    expect(frameworkDirectAboveLowest({ ...o, amountFen: 3_850_000 }, t)).to.deep.equal([]); // exactly 10 %
    expect(frameworkDirectAboveLowest({ ...o, mode: 'rotation' }, t)).to.deep.equal([]);
  });
});
