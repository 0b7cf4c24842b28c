// Reports against the hand-computed fixture (report-fixture.ts): every figure below was worked
// out by hand from the fixture's integers.
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { ManualClock } from '../../server/db/time';
import { systemActor } from '../../server/http/actor';
import { reconcile, onProjectChanged } from '../../server/supervision/reports/project-hook';
import { rebuildAll, CUBES } from '../../server/supervision/reports/facts';
import { withTx } from '../../server/db/tx';
import { startReportServer, type Fixture } from './report-fixture';
import type { TestClient } from '../helpers/http';

describe('reports (finance bureau)', function () {
  this.timeout(60_000);
  let s: TestServer;
  let fx: Fixture;
  let finance: TestClient;
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));

  before(async () => {
    ({ s, fx } = await startReportServer(clock));
    finance = await s.as('finance');
  });
  after(() => s?.stop());

  it('spend by unit: budget, award and savings summed in fen, savings rate in basis points', async () => {
    const r = await finance.get('/api/reports/spend?by=unit');
    expect(r.status).to.equal(200);
    const a = r.body.rows.find((x: any) => x.key === String(fx.orgA));
    const b = r.body.rows.find((x: any) => x.key === String(fx.orgB));
    expect(a).to.include({ projects: 3, items: 4, budgetFen: 10_000_000, awardFen: 8_700_001, savingsFen: 1_299_999, savingsBp: 1300 });
    expect(b).to.include({ projects: 1, items: 1, budgetFen: 10_000_000, awardFen: 8_000_000, savingsBp: 2000 });
    expect(r.body.totals).to.include({ projects: 4, budgetFen: 20_000_000, awardFen: 16_700_001 });
    expect(r.body.rows[0].key).to.equal(String(fx.orgA)); // largest award first
  });

  it('spend by month counts the award in China Standard Time (20:00 UTC on 31 March is April)', async () => {
    const r = await finance.get('/api/reports/spend?by=month');
    expect(r.body.rows.map((x: any) => [x.key, x.budgetFen, x.awardFen])).to.deep.equal([
      ['2026-04', 9_000_000, 7_800_001],
      ['2026-05', 10_000_000, 8_000_000],
      ['2026-06', 1_000_000, 900_000],
    ]);
  });

  it('spend by category allocates each award over its items exactly (largest remainder)', async () => {
    const r = await finance.get('/api/reports/spend?by=category');
    const row = (k: string) => r.body.rows.find((x: any) => x.key === k);
    // P1: 6,300,001 over 6,000,000 : 1,000,000 → 5,400,001 + 900,000; plus P5's 900,000.
    expect(row('A02010104')).to.include({ budgetFen: 7_000_000, awardFen: 6_300_001, items: 2 });
    expect(row('A02021003')).to.include({ budgetFen: 1_000_000, awardFen: 900_000 });
    expect(row('A02010105')).to.include({ budgetFen: 2_000_000, awardFen: 1_500_000 });
    expect(row('C1601')).to.include({ budgetFen: 10_000_000, awardFen: 8_000_000, labelEn: 'Software development' });
  });

  it('filters: period, unit, category prefix and method combine', async () => {
    const byCat = await finance.get('/api/reports/spend?by=unit&category=A02');
    expect(byCat.body.totals).to.include({ budgetFen: 10_000_000, awardFen: 8_700_001 });
    const april = await finance.get(`/api/reports/spend?by=method&from=2026-04&to=2026-04&orgId=${fx.orgA}`);
    expect(april.body.rows.map((x: any) => [x.key, x.awardFen])).to.deep.equal([['inquiry', 6_300_001], ['online_price_competition', 1_500_000]]);
    const m = await finance.get('/api/reports/spend?by=unit&method=public_tender');
    expect(m.body.rows).to.have.length(1);
    expect(m.body.rows[0].key).to.equal(String(fx.orgB));
    // A supplier filter reads the full cube; the same totals come out.
    const s1 = await finance.get(`/api/reports/spend?by=method&supplierId=${fx.s1}`);
    expect(s1.body.rows.map((x: any) => [x.key, x.awardFen, x.projects])).to.deep.equal([['inquiry', 7_200_001, 2]]);
    const bad = await finance.get('/api/reports/spend?by=unit&from=2026-13');
    expect(bad.status).to.equal(400);
  });

  it('savings: budget against award per method, and ceiling against the winning price for competitions', async () => {
    const r = await finance.get('/api/reports/savings');
    const comp = r.body.rows.find((x: any) => x.method === 'online_price_competition');
    expect(comp).to.include({ budgetFen: 2_000_000, ceilingFen: 1_800_000, awardFen: 1_500_000, savingsBp: 2500, ceilingSavingsFen: 300_000, ceilingSavingsBp: 1667 });
    expect(r.body.competition).to.deep.equal({ ceilingFen: 1_800_000, awardFen: 1_500_000, savingsFen: 300_000, savingsBp: 1667 });
    expect(r.body.totals).to.include({ budgetFen: 20_000_000, awardFen: 16_700_001, savingsBp: 1650 });
  });

  it('cycle days per method and stage, approval and requisition-to-contract', async () => {
    const r = await finance.get('/api/reports/cycle');
    const row = (m: string, st: string) => r.body.rows.find((x: any) => x.method === m && x.stage === st);
    expect(row('inquiry', 'documents_prepared')).to.include({ count: 3, avgDays: 2.33 }); // (2 + 1 + 4) / 3
    expect(row('inquiry', 'responses_open')).to.include({ count: 3, avgDays: 8 }); // (7 + 7 + 10) / 3
    expect(row('inquiry', 'evaluation')).to.include({ count: 3, avgDays: 13.28 }); // (21 5/6 + 1 + 17) / 3
    expect(row('inquiry', 'approval')).to.include({ count: 3, avgDays: 3.67 }); // (5 + 1 + 5) / 3
    expect(row('online_price_competition', 'competition')).to.include({ count: 1, avgDays: 19.08 });
    expect(row('inquiry', 'award_notice')).to.equal(undefined); // still open
    expect(r.body.requisitionToContract).to.deep.equal([{ method: 'inquiry', count: 1, avgDays: 59 }]);
    const tender = await finance.get('/api/reports/cycle?method=public_tender');
    // In the order the process runs them, not alphabetically.
    expect(tender.body.rows.map((x: any) => x.stage)).to.deep.equal(['approval', 'documents_prepared', 'notice_published', 'bidding_open', 'opening', 'evaluation']);
  });

  it('supplier concentration: shares, HHI and small-business share, exact', async () => {
    const r = await finance.get('/api/reports/suppliers');
    // s1 7,200,001 (micro), s2 1,500,000 (large), s3 8,000,000 (small); total 16,700,001.
    expect(r.body).to.include({ suppliers: 3, totalFen: 16_700_001, hhi: 4234, smallBusinessFen: 15_200_001, smallBusinessShareBp: 9102 });
    expect(r.body.rows.map((x: any) => [x.supplierId, x.awardFen, x.shareBp])).to.deep.equal([
      [fx.s3, 8_000_000, 4790],
      [fx.s1, 7_200_001, 4311],
      [fx.s2, 1_500_000, 898],
    ]);
  });

  it('budget execution per budget line', async () => {
    const r = await finance.get(`/api/reports/budget?orgId=${fx.orgA}`);
    const line = r.body.rows.find((x: any) => x.budgetLineId === fx.lineA);
    expect(line).to.include({ allocatedFen: 50_000_000, frozenFen: 7_200_001, spentFen: 1_500_000, availableFen: 41_299_999, executionBp: 300, commitmentBp: 1740 });
  });

  it('budget execution filtered by method, category and period: frozen and spent narrowed, allocation kept', async () => {
    const get = async (qs: string) => {
      const r = await finance.get(`/api/reports/budget?${qs}`);
      expect(r.status, qs).to.equal(200);
      return r.body;
    };
    const lineOf = (b: any, id: number) => b.rows.find((x: any) => x.budgetLineId === id);
    const lineB = (await s.tdb.db('requisitions as r').join('procurement_projects as p', 'p.requisition_id', 'r.id').where('p.id', fx.projects.P3).first('r.budget_line_id')).budget_line_id;
    // Line A's requisitions still hold P1 6,300,001 (inquiry, submitted Feb), P2 1,500,000
    // (competition, Mar) and P5 900,000 (inquiry, Apr); P1's payment of 6,300,001 was paid on
    // 1 May. The allocation (50,000,000) and the line's own available (41,299,999) do not move.
    const inquiry = await get(`orgId=${fx.orgA}&method=inquiry`);
    expect(inquiry.activityFiltered).to.equal(true);
    expect(lineOf(inquiry, fx.lineA)).to.include({ allocatedFen: 50_000_000, frozenFen: 7_200_001, spentFen: 6_300_001, availableFen: 41_299_999, executionBp: 1260, commitmentBp: 2700 });
    const competition = await get(`orgId=${fx.orgA}&method=online_price_competition`);
    expect(lineOf(competition, fx.lineA)).to.include({ frozenFen: 1_500_000, spentFen: 0, executionBp: 0, commitmentBp: 300 });
    // B's public tender (P3) holds 8,000,000; its failed inquiry (P4) holds nothing.
    expect(lineOf(await get(`orgId=${fx.orgB}&method=public_tender`), lineB)).to.include({ frozenFen: 8_000_000, spentFen: 0 });
    expect(lineOf(await get(`orgId=${fx.orgB}&method=inquiry`), lineB)).to.include({ frozenFen: 0, spentFen: 0 });

    // A category reads the items: P1's 6,300,001 over 6,000,000 : 1,000,000 → 5,400,001 + 900,000.
    expect(lineOf(await get(`orgId=${fx.orgA}&category=A02021003`), fx.lineA)).to.include({ frozenFen: 900_000, spentFen: 900_000, executionBp: 180 });
    expect(lineOf(await get(`orgId=${fx.orgA}&category=A02010104`), fx.lineA)).to.include({ frozenFen: 5_400_001 + 900_000, spentFen: 5_400_001 });
    expect(lineOf(await get(`orgId=${fx.orgA}&category=A02`), fx.lineA)).to.include({ frozenFen: 8_700_001, spentFen: 6_300_001 });
    expect(lineOf(await get(`orgId=${fx.orgA}&category=C`), fx.lineA)).to.include({ frozenFen: 0, spentFen: 0, allocatedFen: 50_000_000 });
    expect(lineOf(await get(`orgId=${fx.orgA}&category=A02&method=online_price_competition`), fx.lineA)).to.include({ frozenFen: 1_500_000, spentFen: 0 });

    // The period: frozen by the month of submission, spent by the month of payment (China time).
    expect(lineOf(await get(`orgId=${fx.orgA}&from=2026-04&to=2026-04`), fx.lineA)).to.include({ frozenFen: 900_000, spentFen: 0 });
    expect(lineOf(await get(`orgId=${fx.orgA}&from=2026-05`), fx.lineA)).to.include({ frozenFen: 0, spentFen: 6_300_001 });
    expect(lineOf(await get(`orgId=${fx.orgA}&to=2026-03`), fx.lineA)).to.include({ frozenFen: 7_800_001, spentFen: 0 });
    // Paid at 17:00 UTC on 30 April = 01:00 on 1 May in Beijing: May's, not April's.
    const db = s.tdb.db;
    const pay = await db('payment_requests').where({ project_id: fx.projects.P1 }).first('id', 'paid_at');
    await db('payment_requests').where({ id: pay.id }).update({ paid_at: '2026-04-30 17:00:00.000' });
    try {
      expect(lineOf(await get(`orgId=${fx.orgA}&from=2026-04&to=2026-04`), fx.lineA).spentFen).to.equal(0);
      expect(lineOf(await get(`orgId=${fx.orgA}&from=2026-05&to=2026-05`), fx.lineA).spentFen).to.equal(6_300_001);
    } finally {
      await db('payment_requests').where({ id: pay.id }).update({ paid_at: pay.paid_at });
    }

    // Totals add the narrowed figures; without these filters the line's own columns are read.
    const all = await get('method=inquiry');
    expect(all.totals).to.include({ frozenFen: all.rows.reduce((t: number, x: any) => t + x.frozenFen, 0), spentFen: 6_300_001 });
    expect(all.totals.frozenFen).to.equal(7_200_001);
    expect((await get(`orgId=${fx.orgA}`)).activityFiltered).to.equal(false);
    expect((await finance.get('/api/reports/budget?method=auction')).status).to.equal(400);
    expect((await finance.get('/api/reports/budget?from=2026-4')).status).to.equal(400);
    expect((await finance.get('/api/reports/budget?category=a02')).status).to.equal(400);
    expect((await finance.get(`/api/reports/budget?supplierId=${fx.s1}`)).status).to.equal(400);
  });

  it('drill-down from a total to its projects, sorted and paged', async () => {
    const r = await finance.get(`/api/reports/drilldown?orgId=${fx.orgA}&sort=award&dir=desc&pageSize=2`);
    expect(r.body.total).to.equal(3);
    expect(r.body.items.map((x: any) => [x.projectId, x.awardFen])).to.deep.equal([[fx.projects.P1, 6_300_001], [fx.projects.P2, 1_500_000]]);
    const p2 = await finance.get(`/api/reports/drilldown?orgId=${fx.orgA}&sort=award&dir=desc&pageSize=2&page=2`);
    expect(p2.body.items.map((x: any) => x.projectId)).to.deep.equal([fx.projects.P5]);
    const cat = await finance.get('/api/reports/drilldown?category=A02021003');
    expect(cat.body.items).to.have.length(1);
    expect(cat.body.items[0]).to.include({ projectId: fx.projects.P1, budgetFen: 1_000_000, awardFen: 900_000, items: 1 });
  });

  it('only finance, supervisors and admins read reports', async () => {
    const purchaser = await s.as('purchaser');
    expect((await purchaser.get('/api/reports/spend')).status).to.equal(403);
    expect((await s.client().get('/api/reports/spend')).status).to.equal(401);
    expect((await (await s.as('supervisor')).get('/api/reports/savings')).status).to.equal(200);
  });

  it('the reconciler catches changes made without the hook, also one stamped just before its watermark', async () => {
    const db = s.tdb.db;
    const mark = (await db('report_state').where({ state_key: 'projects_watermark' }).first()).value.split('|')[0];
    // A transaction that began before the last pass and committed after it.
    const stamped = new Date(new Date(mark.replace(' ', 'T') + 'Z').getTime() - 60_000).toISOString().replace('T', ' ').replace('Z', '');
    await db('procurement_projects').where({ id: fx.projects.P2 }).update({ award_fen: 1_400_000, updated_at: stamped });
    expect(await reconcile(db, systemActor('test', clock))).to.be.greaterThan(0);
    const r = await finance.get('/api/reports/savings');
    expect(r.body.competition).to.include({ awardFen: 1_400_000, savingsFen: 400_000 });
    await db('procurement_projects').where({ id: fx.projects.P2 }).update({ award_fen: 1_500_000, updated_at: stamped });
    await withTx(db, (tx) => onProjectChanged(tx, systemActor('test', clock), fx.projects.P2));
  });

  it('incremental refresh keeps the cubes equal to a full rebuild', async () => {
    const db = s.tdb.db;
    // A change in a project (a corrected award) goes through the hook in its transaction.
    await db('procurement_projects').where({ id: fx.projects.P5 }).update({ award_fen: 800_000 });
    await withTx(db, (tx) => onProjectChanged(tx, systemActor('test', clock), fx.projects.P5));
    const cube = async () => Object.fromEntries(await Promise.all(CUBES.map(async (c) => [c.table, await db(c.table).orderBy([...c.key]).select('*')])));
    const incremental = await cube();
    const r = await finance.get(`/api/reports/spend?by=unit&orgId=${fx.orgA}`);
    expect(r.body.totals.awardFen).to.equal(8_600_001);
    const stats = await rebuildAll(db, { batch: 2 });
    expect(stats).to.deep.equal({ projects: 5, lines: 5 });
    expect(await cube()).to.deep.equal(incremental);
    expect(incremental.report_supplier_cube.length).to.be.greaterThan(0);
    expect(incremental.report_stage_cube.length).to.be.greaterThan(0);
  });
});
