// The evaluation-session rules SV12–SV15: each with a committee that trips it and one that does not.
import { expect } from 'chai';
import * as rules from '../../server/supervision/rules/evaluation';
import { RULES } from '../../server/supervision/rules/catalogue';
import { checkThresholds } from '../../server/supervision/config/service';

const T = (code: string) => RULES.find((r) => r.code === code)!.thresholds as any;
const tender: rules.EvalTender = { tenderId: 6, title: '教育局机关办公家具采购', orgId: 3 };
let seq = 0;
const at = (min: number) => new Date(Date.UTC(2027, 2, 9, 2, 0) + min * 60_000).toISOString();
const step = (kind: string, min: number, expertId: number | null, bidId: number | null = null, extra: Partial<rules.EvalStep> = {}): rules.EvalStep => ({
  seq: ++seq,
  at: at(min),
  kind,
  action: { bid_opened: 'tender.evaluation.bid_viewed', score: 'tender.evaluation.score_changed', submitted: 'tender.evaluation.scores_submitted' }[kind] ?? `tender.evaluation.${kind}`,
  expertId,
  bidId,
  actorName: expertId === null ? null : `专家${expertId}`,
  ...extra,
});

describe('redflag: evaluation session rules', () => {
  it('SV12 a score before the member opened the bid trips; opened first does not; another member opening does not count', () => {
    expect(rules.scoredUnopened(tender, [step('bid_opened', 0, 1, 10), step('score', 5, 1, 10)])).to.have.length(0);
    const f = rules.scoredUnopened(tender, [step('bid_opened', 0, 2, 10), step('score', 5, 1, 10), step('bid_opened', 6, 1, 10), step('score', 7, 1, 10)]);
    expect(f).to.have.length(1);
    expect(f[0].subjectKey).to.equal('tender:6:expert:1:bid:10');
    expect(f[0].params).to.include({ expert: '专家1', bidId: 10 });
    expect(f[0].processKey).to.equal('tender:6');
  });

  it('SV13 a score changed after the member submitted trips (with the return reason); changes before submitting do not', () => {
    const before = [step('bid_opened', 0, 1, 10), step('score', 1, 1, 10), step('score', 2, 1, 10), step('submitted', 3, 1)];
    expect(rules.scoreChangedAfterSubmission(tender, before)).to.have.length(0);
    const f = rules.scoreChangedAfterSubmission(tender, [
      ...before,
      step('scores_returned', 4, 1, null, { action: 'tender.evaluation.scores_returned', after: { expertId: 1, reason: '填写有误' } }),
      step('score', 5, 1, 10, { before: { scoresMilli: { tech: 30000 } }, after: { scoresMilli: { tech: 36000 } } }),
    ]);
    expect(f).to.have.length(1);
    expect(f[0].evidence).to.deep.include({ returnReason: '填写有误', changes: [{ criterion: 'tech', before: 30, after: 36 }] });
    // Another member's submission does not make this member's changes late.
    expect(rules.scoreChangedAfterSubmission(tender, [step('submitted', 1, 2), step('score', 2, 1, 10)])).to.have.length(0);
  });

  it('SV14 one member far from the others on a criterion trips; ordinary disagreement and agreeing committees do not', () => {
    const sheet = (expertId: number, bidId: number, tech: number, biz = 8) => ({ expertId, bidId, scoresMilli: { tech: tech * 1000, biz: biz * 1000 } });
    const weights = { tech: 40, biz: 10 };
    const f = rules.outlierScores(tender, [sheet(1, 10, 30), sheet(2, 10, 31), sheet(3, 10, 32), sheet(4, 10, 33), sheet(5, 10, 4)], weights, T('SV14'));
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ expert: '5', criterion: 'tech', points: 4, othersMean: 31.5 });
    expect(f[0].evidence).to.include({ aboveOthers: false });
    // Spread wide enough to be judgement, not bias.
    expect(rules.outlierScores(tender, [sheet(1, 10, 22), sheet(2, 10, 30), sheet(3, 10, 36), sheet(4, 10, 26), sheet(5, 10, 38)], weights, T('SV14'))).to.have.length(0);
    // Four members agree exactly: one point off is not an outlier (the floor is 10 % of 40 points).
    expect(rules.outlierScores(tender, [sheet(1, 10, 30), sheet(2, 10, 30), sheet(3, 10, 30), sheet(4, 10, 30), sheet(5, 10, 31)], weights, T('SV14'))).to.have.length(0);
    // Fewer members than the minimum: no judgement.
    expect(rules.outlierScores(tender, [sheet(1, 10, 30), sheet(5, 10, 4)], weights, T('SV14'))).to.have.length(0);
  });

  it('SV15 a committee finishing 4 bids in 12 minutes trips; in 3 hours does not; large documents need more time', () => {
    const run = (minutes: number) => [step('bid_opened', 0, 1, 10), step('score', 2, 1, 10), step('submitted', minutes / 2, 1), step('bid_opened', 1, 2, 10), step('submitted', minutes, 2)];
    const f = rules.implausiblyFastCommittee(tender, run(12), { bids: 4, bytes: 200_000 }, T('SV15'));
    expect(f).to.have.length(1);
    expect(f[0].params).to.include({ minutes: 12 });
    expect(Number(f[0].params.required)).to.be.closeTo(40.95, 0.1);
    expect(rules.implausiblyFastCommittee(tender, run(180), { bids: 4, bytes: 200_000 }, T('SV15'))).to.have.length(0);
    expect(rules.implausiblyFastCommittee(tender, run(60), { bids: 4, bytes: 20 * 1_048_576 }, T('SV15'))).to.have.length(1);
    // Nobody has submitted yet: nothing to judge.
    expect(rules.implausiblyFastCommittee(tender, [step('bid_opened', 0, 1, 10)], { bids: 4, bytes: 0 }, T('SV15'))).to.have.length(0);
  });

  it('their thresholds are editable settings with checked types', () => {
    expect(checkThresholds(RULES.find((r) => r.code === 'SV14')!, { spreadMultiple: 2.5 })).to.deep.equal({ spreadMultiple: 2.5 });
    expect(() => checkThresholds(RULES.find((r) => r.code === 'SV15')!, { minutesPerBid: 'ten' })).to.throw();
  });
});
