import { expect } from 'chai';
import { committeeProblem, quarterOf, DEFAULT_DRAW_RULES } from '../../server/execution/draws/rules';

describe('draw rules', () => {
  it('wants an odd committee of at least 5, each specialty once (configurable)', () => {
    const g = (...counts: number[]) => counts.map((count, i) => ({ specialty: `S${i}`, count }));
    expect(committeeProblem(g(5), DEFAULT_DRAW_RULES)).to.equal(null);
    expect(committeeProblem(g(3, 4), DEFAULT_DRAW_RULES)).to.equal(null);
    expect(committeeProblem(g(3), DEFAULT_DRAW_RULES)!.code).to.equal('COMMITTEE_TOO_SMALL');
    expect(committeeProblem(g(3, 3), DEFAULT_DRAW_RULES)!.code).to.equal('COMMITTEE_NOT_ODD');
    expect(committeeProblem([{ specialty: 'A', count: 3 }, { specialty: 'A', count: 2 }], DEFAULT_DRAW_RULES)!.code).to.equal('DUPLICATE_SPECIALTY');
    // A city requiring 7 (large projects) changes data, not code.
    expect(committeeProblem(g(5), { ...DEFAULT_DRAW_RULES, minCommittee: 7 })!.code).to.equal('COMMITTEE_TOO_SMALL');
    expect(committeeProblem(g(4), { ...DEFAULT_DRAW_RULES, minCommittee: 3, oddCommittee: false })).to.equal(null);
    expect(DEFAULT_DRAW_RULES.source).to.match(/Order No\. 87/);
  });

  it('counts the cap per calendar quarter in China Standard Time', () => {
    // 2026-03-31 17:00 UTC is already 1 April in Beijing: the second quarter.
    const q = quarterOf(new Date(Date.UTC(2026, 2, 31, 17, 0)));
    expect(q.start.toISOString()).to.equal('2026-03-31T16:00:00.000Z');
    expect(q.end.toISOString()).to.equal('2026-06-30T16:00:00.000Z');
    const q4 = quarterOf(new Date(Date.UTC(2026, 11, 31, 15, 59)));
    expect(q4.start.toISOString()).to.equal('2026-09-30T16:00:00.000Z');
    expect(q4.end.toISOString()).to.equal('2026-12-31T16:00:00.000Z');
  });
});
