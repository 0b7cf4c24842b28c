// Performance evaluation per purchasing unit or department, from the stage entry/exit times the
// workflow body records: on-time rate per stage, average cycle days per method, savings rate,
// alerts and challenges, ranked. Pure: the repository gathers the facts for a period.
export interface StageFact {
  stage: string;
  enteredAt: string; // ISO
  exitedAt: string | null;
  dueAt: string | null;
}
export interface ProjectFact {
  projectId: string;
  orgId: number;
  orgName: string;
  department: string | null;
  method: string;
  budgetFen: number;
  awardFen: number | null;
  stages: StageFact[];
}
export interface PerformanceRow {
  key: string; // org id or department name
  name: string;
  projects: number;
  completed: number;
  onTime: Record<string, { due: number; onTime: number; rate: number | null }>;
  onTimeRate: number | null; // all stages together
  cycleDaysByMethod: Record<string, { projects: number; averageDays: number }>;
  budgetFen: number; // of awarded projects
  awardFen: number;
  savingsRate: number | null;
  alerts: number;
  challenges: number;
  rank: number;
}

const DAY = 86_400_000;
const inPeriod = (iso: string, from: number, to: number) => {
  const t = Date.parse(iso);
  return t >= from && t < to;
};
const r4 = (x: number) => Math.round(x * 10000) / 10000;

/**
 * A stage counts towards the on-time rate when it has a time limit and either ended within the
 * period (on time if it ended by its limit) or is still open past its limit at the period's end
 * (late). A project is completed in the period when all its stages have ended and the last ended
 * in the period; its cycle is first entry to last exit. Savings = (budget − award) / budget over
 * the projects awarded and completed in the period.
 */
export function computePerformance(
  projects: ProjectFact[],
  counts: { alerts: Map<string, number>; challenges: Map<string, number> },
  period: { from: string; to: string },
  groupBy: 'unit' | 'department',
): PerformanceRow[] {
  const from = Date.parse(period.from);
  const to = Date.parse(period.to);
  const groups = new Map<string, { name: string; facts: ProjectFact[] }>();
  for (const p of projects) {
    const key = groupBy === 'unit' ? String(p.orgId) : (p.department ?? '—');
    const name = groupBy === 'unit' ? p.orgName : (p.department ?? '—');
    (groups.get(key) ?? groups.set(key, { name, facts: [] }).get(key)!).facts.push(p);
  }
  const rows: PerformanceRow[] = [];
  for (const [key, g] of groups) {
    const onTime: PerformanceRow['onTime'] = {};
    const cycles: Record<string, number[]> = {};
    let budget = 0;
    let award = 0;
    let completed = 0;
    let active = 0;
    for (const p of g.facts) {
      const touches = p.stages.some((s) => inPeriod(s.enteredAt, from, to) || (s.exitedAt && inPeriod(s.exitedAt, from, to)) || (Date.parse(s.enteredAt) < to && (!s.exitedAt || Date.parse(s.exitedAt) >= to)));
      if (touches) active++;
      for (const s of p.stages) {
        if (!s.dueAt) continue;
        const due = Date.parse(s.dueAt);
        const o = (onTime[s.stage] ??= { due: 0, onTime: 0, rate: null });
        if (s.exitedAt && inPeriod(s.exitedAt, from, to)) {
          o.due++;
          if (Date.parse(s.exitedAt) <= due) o.onTime++;
        } else if ((!s.exitedAt || Date.parse(s.exitedAt) >= to) && due < to && Date.parse(s.enteredAt) < to) {
          o.due++; // still open at the period's end and already late
        }
      }
      if (p.stages.length && p.stages.every((s) => s.exitedAt)) {
        const last = Math.max(...p.stages.map((s) => Date.parse(s.exitedAt!)));
        if (last >= from && last < to) {
          completed++;
          const first = Math.min(...p.stages.map((s) => Date.parse(s.enteredAt)));
          (cycles[p.method] ??= []).push((last - first) / DAY);
          if (p.awardFen !== null) {
            budget += p.budgetFen;
            award += p.awardFen;
          }
        }
      }
    }
    let due = 0;
    let ok = 0;
    for (const o of Object.values(onTime)) {
      o.rate = o.due ? r4(o.onTime / o.due) : null;
      due += o.due;
      ok += o.onTime;
    }
    rows.push({
      key,
      name: g.name,
      projects: active,
      completed,
      onTime,
      onTimeRate: due ? r4(ok / due) : null,
      cycleDaysByMethod: Object.fromEntries(Object.entries(cycles).map(([m, d]) => [m, { projects: d.length, averageDays: Math.round((d.reduce((s, x) => s + x, 0) / d.length) * 10) / 10 }])),
      budgetFen: budget,
      awardFen: award,
      savingsRate: budget ? r4((budget - award) / budget) : null,
      alerts: counts.alerts.get(key) ?? 0,
      challenges: counts.challenges.get(key) ?? 0,
      rank: 0,
    });
  }
  // Ranked like the city's published table: on-time rate, then savings rate, then fewer alerts.
  const v = (x: number | null) => (x === null ? -1 : x);
  rows.sort((a, b) => v(b.onTimeRate) - v(a.onTimeRate) || v(b.savingsRate) - v(a.savingsRate) || a.alerts - b.alerts || a.name.localeCompare(b.name));
  rows.forEach((r, i) => (r.rank = i + 1));
  return rows;
}
