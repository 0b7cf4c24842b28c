// npm run bench:reports — the finance bureau's reports over 1,000,000 awarded line items on MySQL.
// Builds (or reuses) its own database sp_bench_reports: the demo city's master data, then a year
// of requisitions, items, projects, stage history and contracts bulk-inserted into the workflow's
// own tables, then the report facts and cubes derived from them by the same rebuild the platform
// uses (facts.ts). Then runs each report RUNS times and prints one JSON object
// as its last line: {lineItems, seedSeconds, factsSeconds, reports: {name: {p50Ms, p95Ms}}}.
import knexFactory from 'knex';
import { openDb, toInt, type Db, mysqlServer } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { toDbTime, ManualClock } from '../../server/db/time';
import { seedDemo, prng } from '../../db/seeds/demo';
import { computeFacts, insertFacts, rebuildCubes, CUBES } from '../../server/supervision/reports/facts';
import { happyPath } from '../../server/core/projects/state-machine';
import * as q from '../../server/supervision/reports/queries';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const TARGET_ITEMS = env('LINE_ITEMS', 1_000_000);
const RUNS = env('RUNS', 20);
const DB_NAME = process.env.BENCH_DB ?? 'sp_bench_reports';
const BASE_URL = process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test';
const YEAR = 2025;
const log = (...a: unknown[]) => console.error('[bench]', ...a);
const DAY = 86_400_000;

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
}

async function openBenchDb(): Promise<Db> {
  const base = new URL(BASE_URL);
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(base) });
  await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  base.pathname = `/${DB_NAME}`;
  return openDb({ dbClient: 'mysql', databaseUrl: base.toString(), dataDir: '/tmp' }, { poolMax: 4 });
}

const METHOD_MIX: Array<[string, number]> = [['online_price_competition', 0.35], ['inquiry', 0.25], ['competitive_negotiation', 0.15], ['public_tender', 0.15], ['single_source', 0.1]];

async function insertChunked(db: Db, table: string, rows: Record<string, unknown>[], size = 2000) {
  for (let i = 0; i < rows.length; i += size) await db(table).insert(rows.slice(i, i + size));
}

/** A year of a city's procurement written straight into the workflow tables (bulk, no services). */
async function seedYear(db: Db, awardedTarget: number): Promise<void> {
  const rnd = prng(7_2025 + toInt((await db('requisitions').count({ n: '*' }).first())?.n));
  const clock = new ManualClock(Date.UTC(YEAR, 0, 1));
  if (Number((await db('organisations').count({ n: '*' }).first())?.n) === 0) await seedDemo(db, clock);
  const units = await db('organisations').where({ kind: 'purchasing_unit' }).select('id');
  const lines = await db('budget_lines').select('id', 'org_id');
  const linesByOrg = new Map<number, number[]>();
  for (const l of lines) (linesByOrg.get(l.org_id) ?? linesByOrg.set(l.org_id, []).get(l.org_id)!).push(l.id);
  const cats = await db('catalogue_categories').whereNotNull('parent_code').select('code', 'kind', 'parent_code', 'framework_agreement');
  const leafs = cats.filter((c: any) => !cats.some((x: any) => x.parent_code === c.code));
  const supCats = await db('supplier_categories as sc').join('suppliers as s', 's.id', 'sc.supplier_id').where('s.status', 'approved').select('sc.supplier_id', 'sc.category_code');
  const allSuppliers = [...new Set(supCats.map((x: any) => x.supplier_id))] as number[];
  const supsFor = (code: string, parent: string) => {
    const m = supCats.filter((x: any) => x.category_code === code || x.category_code === parent).map((x: any) => x.supplier_id);
    return m.length ? m : allSuppliers;
  };
  const user = (await db('users').orderBy('id').first('id')).id;
  const pickMethod = () => {
    let r = rnd.next();
    for (const [m, w] of METHOD_MIX) if ((r -= w) < 0) return m;
    return 'inquiry';
  };
  let items = 0; // awarded line items added
  let id = toInt((await db('requisitions').max({ m: 'id' }).first())?.m);
  let itemId = toInt((await db('requisition_items').max({ m: 'id' }).first())?.m);
  const yearStart = Date.UTC(YEAR, 0, 1) - 8 * 3600_000;
  while (items < awardedTarget) {
    const reqs: any[] = [];
    const its: any[] = [];
    const projects: any[] = [];
    const stages: any[] = [];
    const contracts: any[] = [];
    for (let k = 0; k < 2000 && items < awardedTarget; k++) {
      id++;
      const org = rnd.pick(units).id as number;
      const cat = rnd.pick(leafs) as any;
      const method = cat.framework_agreement && rnd.next() < 0.8 ? 'online_price_competition' : pickMethod();
      const n = 1 + Math.floor(rnd.next() * rnd.next() * 15);
      const submitted = yearStart + Math.floor(rnd.next() * 330 * DAY);
      const decided = submitted + (1 + rnd.int(0, 8)) * DAY;
      let total = 0;
      const sibling = leafs.filter((x: any) => x.parent_code === cat.parent_code);
      for (let j = 0; j < n; j++) {
        const c = j === 0 || rnd.next() < 0.6 ? cat : rnd.pick(sibling);
        const qty = rnd.int(1, 40);
        const unit = rnd.int(200, 20_000) * 100;
        itemId++;
        its.push({ id: itemId, requisition_id: id, line_no: j + 1, category_code: c.code, name: `item ${j + 1}`, specification: 'bench', quantity: qty, unit: '台', unit_price_fen: unit, amount_fen: qty * unit });
        total += qty * unit;
      }
      reqs.push({ id, ref: `REQ-B-${String(id).padStart(7, '0')}`, org_id: org, budget_line_id: rnd.pick(linesByOrg.get(org)!), created_by: user, title: `Bench requisition ${id}`, justification: 'bench', category_code: cat.code, category_kind: cat.kind, framework_goods: !!cat.framework_agreement, needed_by: `${YEAR}-12-31`, total_fen: total, frozen_fen: 0, status: 'approved', method, submitted_at: toDbTime(submitted), decided_at: toDbTime(decided), created_at: toDbTime(submitted), updated_at: toDbTime(decided) });
      const fate = rnd.next();
      const path = happyPath(method as any);
      const awardIdx = path.indexOf('award_notice');
      // 88 % awarded (most reach contract), 6 % failed, 6 % still running.
      const upTo = fate < 0.06 ? awardIdx - 1 : fate < 0.12 ? rnd.int(0, awardIdx - 1) : rnd.int(awardIdx, path.length - 1);
      let t = decided;
      let awardAt: number | null = null;
      for (let s = 0; s <= upTo; s++) {
        const days = path[s] === 'bidding_open' ? rnd.int(20, 30) : path[s] === 'challenge_period' ? 7 : rnd.int(1, 12);
        const last = s === upTo && fate >= 0.06;
        const exit = last ? null : t + days * DAY + rnd.int(0, 8 * 3600_000);
        stages.push({ project_id: id, method, stage: path[s], entered_at: toDbTime(t), exited_at: exit ? toDbTime(exit) : null });
        if (path[s] === 'award_notice') awardAt = t;
        if (exit) t = exit;
      }
      if (fate < 0.06) stages.push({ project_id: id, method, stage: 'failed', entered_at: toDbTime(t), exited_at: null });
      const sup = rnd.pick(supsFor(cat.code, cat.parent_code));
      const award = awardAt ? Math.floor((total * rnd.int(7_000, 9_900)) / 10_000) : null;
      const stage = fate < 0.06 ? 'failed' : path[upTo];
      if (awardAt) items += n;
      projects.push({ id, ref: `PRJ-B-${String(id).padStart(7, '0')}`, requisition_id: id, org_id: org, title: `Bench project ${id}`, method, stage, budget_fen: total, awarded_supplier_id: awardAt ? sup : null, award_fen: award, award_source: awardAt ? 'manual' : null, award_notice_at: awardAt ? toDbTime(awardAt) : null, failure_reason: fate < 0.06 ? 'TOO_FEW_VALID_RESPONSES' : null, created_at: toDbTime(decided), updated_at: toDbTime(t) });
      if (awardAt && path.indexOf(stage as any) > path.indexOf('contract')) {
        const signed = awardAt + rnd.int(8, 25) * DAY;
        contracts.push({ ref: `CON-B-${String(id).padStart(7, '0')}`, project_id: id, supplier_id: sup, amount_fen: award, terms: 'bench', status: 'signed', purchaser_signed_at: toDbTime(signed - DAY), supplier_signed_at: toDbTime(signed), created_at: toDbTime(signed - 2 * DAY), updated_at: toDbTime(signed) });
      }
    }
    await insertChunked(db, 'requisitions', reqs);
    await insertChunked(db, 'requisition_items', its);
    await insertChunked(db, 'procurement_projects', projects);
    await insertChunked(db, 'project_stages', stages);
    await insertChunked(db, 'contracts', contracts);
    log(`seeded ${items} awarded line items (project ${id})`);
  }
}

async function time(fn: () => Promise<unknown>): Promise<{ p50Ms: number; p95Ms: number }> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    xs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { p50Ms: pct(xs, 50), p95Ms: pct(xs, 95) };
}

async function main() {
  const db = await openBenchDb();
  await migrateLatest(db);
  let seedSeconds = 0;
  let factsSeconds = 0;
  // Awarded line items in the source tables; seed (append) until there are TARGET of them.
  const awardedItems = toInt((await db('requisition_items as i').join('procurement_projects as p', 'p.requisition_id', 'i.requisition_id').whereNotNull('p.award_notice_at').whereNot('p.stage', 'failed').count({ n: '*' }).first())?.n);
  if (awardedItems < TARGET_ITEMS) {
    log(`seeding ${TARGET_ITEMS - awardedItems} awarded line items into ${DB_NAME} (once; later runs reuse it)`);
    const t0 = Date.now();
    await seedYear(db, TARGET_ITEMS - awardedItems);
    seedSeconds = (Date.now() - t0) / 1000;
  }
  // Facts for projects that have none yet (every project has at least its approval stage fact),
  // derived by the same code as the platform's hook and rebuild; then the cubes in SQL.
  const lastWithFacts = toInt((await db('report_stage_facts').max({ m: 'project_id' }).first())?.m);
  const missing = toInt((await db('procurement_projects').where('id', '>', lastWithFacts).count({ n: '*' }).first())?.n);
  const emptyCube = (await Promise.all(CUBES.map(async (c) => toInt((await db(c.table).count({ n: '*' }).first())?.n)))).some((n) => n === 0);
  if (missing || emptyCube) {
    log(`deriving report facts for ${missing} projects, then the cubes`);
    const t0 = Date.now();
    let after = lastWithFacts;
    for (;;) {
      const ids = (await db('procurement_projects').where('id', '>', after).orderBy('id').limit(2000).pluck('id')).map(Number);
      if (!ids.length) break;
      after = ids[ids.length - 1];
      const f = await computeFacts(db, ids);
      await db.transaction((trx) => insertFacts(trx, f));
    }
    await rebuildCubes(db);
    factsSeconds = (Date.now() - t0) / 1000;
  }
  const lineItems = toInt((await db('report_line_facts').count({ n: '*' }).first())?.n);
  const sourceLineItems = toInt((await db('requisition_items').count({ n: '*' }).first())?.n);
  const cubeRows = Object.fromEntries(await Promise.all(CUBES.map(async (c) => [c.table, toInt((await db(c.table).count({ n: '*' }).first())?.n)])));
  const year: q.ReportFilters = { from: `${YEAR}-01`, to: `${YEAR}-12` };
  const unit = (await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first('id')).id;
  const reports: Record<string, { p50Ms: number; p95Ms: number }> = {};
  for (const by of q.SPEND_DIMENSIONS) reports[`spend_by_${by}`] = await time(() => q.spendReport(db, by, year));
  reports.spend_filtered = await time(() => q.spendReport(db, 'month', { ...year, orgId: unit, category: 'A02', method: 'online_price_competition' }));
  reports.savings = await time(() => q.savingsReport(db, year));
  reports.cycle = await time(() => q.cycleReport(db, year));
  reports.suppliers = await time(() => q.suppliersReport(db, year));
  // The filtered paths that read the full cubes and the line facts.
  reports.suppliers_unit = await time(() => q.suppliersReport(db, { ...year, orgId: unit }));
  reports.suppliers_category = await time(() => q.suppliersReport(db, { ...year, category: 'A02' }));
  reports.spend_by_supplier_unit = await time(() => q.spendReport(db, 'supplier', { ...year, orgId: unit }));
  reports.cycle_unit = await time(() => q.cycleReport(db, { ...year, orgId: unit }));
  // From a category bar (a leaf), and from a parent category filter into one month.
  reports.drilldown_category = await time(() => q.drilldown(db, { ...year, category: 'A02010104' }, { page: 1, pageSize: 20, sort: 'award', dir: 'desc' }));
  reports.drilldown_parent_month = await time(() => q.drilldown(db, { from: `${YEAR}-06`, to: `${YEAR}-06`, category: 'A02' }, { page: 1, pageSize: 20, sort: 'award', dir: 'desc' }));
  reports.budget = await time(() => q.budgetReport(db, { year: 2025 }));
  reports.drilldown_unit = await time(() => q.drilldown(db, { ...year, orgId: unit }, { page: 1, pageSize: 20, sort: 'award', dir: 'desc' }));
  reports.drilldown_month = await time(() => q.drilldown(db, { from: `${YEAR}-06`, to: `${YEAR}-06` }, { page: 1, pageSize: 20, sort: 'award', dir: 'desc' }));
  const total = await q.spendReport(db, 'unit', year);
  await db.destroy();
  console.log(JSON.stringify({ lineItems, sourceLineItems, cubeRows, awardFen: total.totals.awardFen, seedSeconds, factsSeconds, runs: RUNS, reports }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
