// Performance evaluation against figures computed by hand.
import { expect } from 'chai';
import { computePerformance, type ProjectFact } from '../../server/supervision/performance/compute';

// Period: March 2026 (UTC).
const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-04-01T00:00:00.000Z' };
const d = (day: string) => `2026-${day}T00:00:00.000Z`;
const projects: ProjectFact[] = [
  // Unit 1, education. P1 inquiry: 3 stages all on time, completed 03-11: cycle 03-01..03-11 = 10 days;
  // budget 100,000.00, award 90,000.00.
  { projectId: '1', orgId: 1, orgName: 'Unit A', department: 'education', method: 'inquiry', budgetFen: 10_000_000, awardFen: 9_000_000, stages: [
    { stage: 'preparation', enteredAt: d('03-01'), exitedAt: d('03-03'), dueAt: d('03-04') },
    { stage: 'bidding', enteredAt: d('03-03'), exitedAt: d('03-08'), dueAt: d('03-08') },
    { stage: 'award', enteredAt: d('03-08'), exitedAt: d('03-11'), dueAt: d('03-12') },
  ] },
  // P2 public tender: preparation late (exit 03-10 > due 03-06), bidding still open past due (03-30): 2 late;
  // not completed.
  { projectId: '2', orgId: 1, orgName: 'Unit A', department: 'education', method: 'public_tender', budgetFen: 50_000_000, awardFen: null, stages: [
    { stage: 'preparation', enteredAt: d('03-02'), exitedAt: d('03-10'), dueAt: d('03-06') },
    { stage: 'bidding', enteredAt: d('03-10'), exitedAt: null, dueAt: d('03-30') },
  ] },
  // Unit 2, education. P3 inquiry: both on time, completed 03-21, cycle 03-05..03-21 = 16 days; budget 200,000.00, award 150,000.00.
  { projectId: '3', orgId: 2, orgName: 'Unit B', department: 'education', method: 'inquiry', budgetFen: 20_000_000, awardFen: 15_000_000, stages: [
    { stage: 'preparation', enteredAt: d('03-05'), exitedAt: d('03-07'), dueAt: d('03-08') },
    { stage: 'award', enteredAt: d('03-07'), exitedAt: d('03-21'), dueAt: d('03-25') },
  ] },
  // Unit 3, health. P4 completed in February: outside the period except nothing; a stage with no limit is not counted.
  { projectId: '4', orgId: 3, orgName: 'Unit C', department: 'health', method: 'inquiry', budgetFen: 1_000_000, awardFen: 500_000, stages: [
    { stage: 'preparation', enteredAt: '2026-02-01T00:00:00.000Z', exitedAt: '2026-02-10T00:00:00.000Z', dueAt: '2026-02-05T00:00:00.000Z' },
    { stage: 'award', enteredAt: d('03-01'), exitedAt: d('03-02'), dueAt: null },
  ] },
];

describe('performance evaluation (hand-computed fixture)', () => {
  it('computes on-time rates per stage, cycle days per method, savings, alerts and challenges, and ranks the units', () => {
    const rows = computePerformance(projects, { alerts: new Map([['1', 2], ['3', 1]]), challenges: new Map([['2', 1]]) }, period, 'unit');
    const [first, second, third] = rows;
    // Unit B: 2/2 on time, savings (200,000 - 150,000) / 200,000 = 0.25 → rank 1
    expect(first).to.deep.include({ key: '2', rank: 1, onTimeRate: 1, savingsRate: 0.25, completed: 1, alerts: 0, challenges: 1, budgetFen: 20_000_000, awardFen: 15_000_000 });
    expect(first.cycleDaysByMethod).to.deep.equal({ inquiry: { projects: 1, averageDays: 16 } });
    // Unit A: stages with limits: P1 3 on time, P2 preparation late + bidding open past due = 3/5 = 0.6
    expect(second).to.deep.include({ key: '1', rank: 2, onTimeRate: 0.6, savingsRate: 0.1, completed: 1, projects: 2, alerts: 2, challenges: 0 });
    expect(second.onTime).to.deep.equal({ preparation: { due: 2, onTime: 1, rate: 0.5 }, bidding: { due: 2, onTime: 1, rate: 0.5 }, award: { due: 1, onTime: 1, rate: 1 } });
    expect(second.cycleDaysByMethod).to.deep.equal({ inquiry: { projects: 1, averageDays: 10 } });
    // Unit C: the February stage exited outside the period; the March stage has no limit → no rate;
    // completed 03-02: cycle 02-01..03-02 = 29 days, savings 0.5
    expect(third).to.deep.include({ key: '3', rank: 3, onTimeRate: null, savingsRate: 0.5, completed: 1, alerts: 1 });
    expect(third.cycleDaysByMethod).to.deep.equal({ inquiry: { projects: 1, averageDays: 29 } });
  });

  it('groups by department', () => {
    const rows = computePerformance(projects, { alerts: new Map([['education', 2]]), challenges: new Map() }, period, 'department');
    const edu = rows.find((r) => r.key === 'education')!;
    // education: on time 3 + 0 + 2 of 5 + 2 = 5/7; savings (300,000 - 240,000) / 300,000 = 0.2
    expect(edu).to.deep.include({ onTimeRate: 0.7143, savingsRate: 0.2, completed: 2, alerts: 2 });
    expect(edu.cycleDaysByMethod).to.deep.equal({ inquiry: { projects: 2, averageDays: 13 } });
  });
});
