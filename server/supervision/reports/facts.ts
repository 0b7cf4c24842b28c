// Facts derived from the workflow: computed for a batch of projects from the source tables,
// written in the caller's transaction (the award, a stage move, or the rebuild), with the
// aggregate cubes adjusted by the difference so they always equal a full recomputation.
import type { Knex } from 'knex';
import { fromDbTime, toDbTime } from '../../db/time';
import { toInt } from '../../db/knex';
import { allocateFen } from './allocation';
import { cstMonth } from './months';
import * as src from './sources';

export interface LineFact {
  project_id: number;
  requisition_item_id: number;
  org_id: number;
  category_code: string;
  method: string;
  month: string;
  supplier_id: number;
  supplier_size: string;
  budget_line_id: number;
  quantity: number;
  main_line: boolean;
  budget_fen: number;
  ceiling_fen: number;
  award_fen: number;
}

export interface ProjectFact {
  project_id: number;
  ref: string;
  title: string;
  org_id: number;
  category_code: string;
  method: string;
  month: string;
  supplier_id: number;
  budget_fen: number;
  ceiling_fen: number;
  award_fen: number;
  items: number;
  awarded_at: string;
}

export interface StageFact {
  project_id: number;
  stage: string;
  method: string;
  org_id: number;
  category_code: string;
  month: string;
  duration_ms: number;
}

export interface FactSet {
  lines: LineFact[];
  projects: ProjectFact[];
  stages: StageFact[];
}

const ms = (v: string | null | undefined) => fromDbTime(v)?.getTime() ?? null;
const later = (...vs: Array<string | null | undefined>) => vs.reduce<string | null>((a, b) => (b && (!a || b > a) ? b : a), null);

/** Computes the facts of these projects from the source tables (read-only). */
export async function computeFacts(db: Knex, projectIds: number[]): Promise<FactSet> {
  const out: FactSet = { lines: [], projects: [], stages: [] };
  const projects = await src.projectsByIds(db, projectIds);
  if (!projects.length) return out;
  const pids = projects.map((p) => p.id);
  const reqIds = projects.map((p) => p.requisition_id);
  const [reqs, items, stages, contracts, ceilings] = await Promise.all([
    src.requisitionsByIds(db, reqIds),
    src.itemsOfRequisitions(db, reqIds),
    src.stagesOfProjects(db, pids),
    src.contractsOfProjects(db, pids),
    src.competitionCeilings(db, pids),
  ]);
  const suppliers = await src.suppliersByIds(db, [...new Set(projects.map((p) => p.awarded_supplier_id).filter((x): x is number => !!x))]);
  const reqById = new Map(reqs.map((r: any) => [r.id, r]));
  const sizeById = new Map(suppliers.map((s: any) => [s.id, s.size as string]));
  const itemsByReq = new Map<number, any[]>();
  for (const i of items) (itemsByReq.get(i.requisition_id) ?? itemsByReq.set(i.requisition_id, []).get(i.requisition_id)!).push(i);
  const stagesByProject = new Map<number, any[]>();
  for (const s of stages) (stagesByProject.get(s.project_id) ?? stagesByProject.set(s.project_id, []).get(s.project_id)!).push(s);
  const contractByProject = new Map(contracts.map((c: any) => [c.project_id, c]));

  for (const p of projects) {
    const req: any = reqById.get(p.requisition_id);
    if (!req) continue;
    const its = itemsByReq.get(p.requisition_id) ?? [];
    const base = { project_id: p.id, method: p.method, org_id: p.org_id, category_code: req.category_code as string };

    // Finished stages (cycle time) and the two spans the finance bureau asks for.
    for (const s of stagesByProject.get(p.id) ?? []) {
      const a = ms(s.entered_at);
      const b = ms(s.exited_at);
      if (a === null || b === null) continue;
      out.stages.push({ ...base, stage: s.stage, month: cstMonth(s.exited_at)!, duration_ms: b - a });
    }
    if (req.submitted_at && req.decided_at && req.status === 'approved') {
      out.stages.push({ ...base, stage: 'approval', month: cstMonth(req.decided_at)!, duration_ms: ms(req.decided_at)! - ms(req.submitted_at)! });
    }
    const c: any = contractByProject.get(p.id);
    if (c && req.submitted_at && (c.status === 'signed' || c.status === 'accepted')) {
      const signedAt = later(c.purchaser_signed_at, c.supplier_signed_at)!;
      out.stages.push({ ...base, stage: 'requisition_to_contract', month: cstMonth(signedAt)!, duration_ms: ms(signedAt)! - ms(req.submitted_at)! });
    }

    // Spend: only awarded projects, the award allocated over the items by their budgeted amount.
    if (p.award_fen === null || p.award_fen === undefined || !p.awarded_supplier_id || !p.award_notice_at || p.stage === 'failed' || !its.length) continue;
    const awardFen = toInt(p.award_fen);
    const budgetFen = toInt(p.budget_fen);
    const ceilingFen = ceilings.get(p.id) ?? budgetFen;
    const weights = its.map((i) => toInt(i.amount_fen));
    const awards = allocateFen(awardFen, weights);
    const budgets = allocateFen(budgetFen, weights);
    const ceilingsPart = allocateFen(ceilingFen, weights);
    const month = cstMonth(p.award_notice_at)!;
    const size = sizeById.get(p.awarded_supplier_id) ?? 'unknown';
    const mainIdx = Math.max(0, its.findIndex((i) => i.category_code === req.category_code));
    its.forEach((i, k) => {
      out.lines.push({
        ...base,
        category_code: i.category_code,
        requisition_item_id: i.id,
        month,
        supplier_id: p.awarded_supplier_id!,
        supplier_size: size,
        budget_line_id: req.budget_line_id,
        quantity: i.quantity,
        main_line: k === mainIdx,
        budget_fen: budgets[k],
        ceiling_fen: ceilingsPart[k],
        award_fen: awards[k],
      });
    });
    out.projects.push({ ...base, ref: p.ref, title: p.title, month, supplier_id: p.awarded_supplier_id, budget_fen: budgetFen, ceiling_fen: ceilingFen, award_fen: awardFen, items: its.length, awarded_at: toDbTime(fromDbTime(p.award_notice_at)!) });
  }
  return out;
}

const SPEND_KEY = ['month', 'org_id', 'category_code', 'method', 'supplier_id', 'supplier_size'] as const;
const CYCLE_KEY = ['month', 'org_id', 'category_code', 'method', 'stage'] as const;
const SPEND_MEASURES = ['items', 'projects', 'budget_fen', 'ceiling_fen', 'award_fen'];
const CYCLE_MEASURES = ['n', 'total_ms'];

/** The cubes: the full grain and its roll-ups, each a key and its summed measures. */
export const CUBES = [
  { table: 'report_spend_cube', key: [...SPEND_KEY], measures: SPEND_MEASURES, from: 'spend' },
  { table: 'report_unit_cube', key: ['month', 'org_id', 'category_code', 'method'], measures: SPEND_MEASURES, from: 'spend' },
  { table: 'report_supplier_cube', key: ['month', 'method', 'supplier_id', 'supplier_size'], measures: SPEND_MEASURES, from: 'spend' },
  { table: 'report_category_supplier_cube', key: ['month', 'category_code', 'method', 'supplier_id', 'supplier_size'], measures: SPEND_MEASURES, from: 'spend' },
  { table: 'report_cycle_cube', key: [...CYCLE_KEY], measures: CYCLE_MEASURES, from: 'cycle' },
  { table: 'report_stage_cube', key: ['month', 'method', 'stage'], measures: CYCLE_MEASURES, from: 'cycle' },
] as const;

type Row = Record<string, any>;

/** Sums signed contributions into one delta per key of a cube (zero deltas dropped). */
function deltas(rows: Array<{ row: Row; sign: number }>, key: readonly string[], measure: (row: Row) => Record<string, number>): Row[] {
  const m = new Map<string, Row>();
  for (const { row, sign } of rows) {
    const k = key.map((c) => row[c]).join('\u0001');
    let d = m.get(k);
    if (!d) {
      d = Object.fromEntries(key.map((c) => [c, row[c]]));
      m.set(k, d);
    }
    for (const [c, v] of Object.entries(measure(row))) d[c] = (d[c] ?? 0) + sign * v;
  }
  return [...m.values()].filter((d) => Object.entries(d).some(([c, v]) => !key.includes(c) && v !== 0));
}

const spendMeasure = (l: Row) => ({ items: 1, projects: l.main_line ? 1 : 0, budget_fen: toInt(l.budget_fen), ceiling_fen: toInt(l.ceiling_fen), award_fen: toInt(l.award_fen) });
const cycleMeasure = (s: Row) => ({ n: 1, total_ms: toInt(s.duration_ms) });

async function applyDeltas(tx: Knex, table: string, key: readonly string[], measures: readonly string[], ds: Row[]) {
  for (const d of ds) {
    const merge: Record<string, Knex.Raw> = {};
    for (const c of measures) merge[c] = tx.raw('?? + ?', [`${table}.${c}`, d[c]]);
    await tx(table).insert(d).onConflict(key as string[]).merge(merge);
  }
  if (ds.length) await tx(table).where(measures[0], '<=', 0).del();
}

const chunk = <T>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Replaces the facts of these projects and moves the cubes by the difference (same transaction). */
export async function refreshFacts(tx: Knex, projectIds: number[]): Promise<void> {
  if (!projectIds.length) return;
  const fresh = await computeFacts(tx, projectIds);
  const oldLines: LineFact[] = await tx('report_line_facts').whereIn('project_id', projectIds);
  const oldStages: StageFact[] = await tx('report_stage_facts').whereIn('project_id', projectIds);
  const lines = [...oldLines.map((row) => ({ row, sign: -1 })), ...fresh.lines.map((row) => ({ row, sign: 1 }))];
  const stages = [...oldStages.map((row) => ({ row, sign: -1 })), ...fresh.stages.map((row) => ({ row, sign: 1 }))];
  for (const c of CUBES) {
    const ds = c.from === 'spend' ? deltas(lines, c.key, spendMeasure) : deltas(stages, c.key, cycleMeasure);
    await applyDeltas(tx, c.table, c.key, c.measures, ds);
  }
  await tx('report_line_facts').whereIn('project_id', projectIds).del();
  await tx('report_stage_facts').whereIn('project_id', projectIds).del();
  await tx('report_project_facts').whereIn('project_id', projectIds).del();
  await insertFacts(tx, fresh);
}

export async function insertFacts(db: Knex, f: FactSet): Promise<void> {
  for (const part of chunk(f.lines, 500)) await db('report_line_facts').insert(part);
  for (const part of chunk(f.stages, 500)) await db('report_stage_facts').insert(part);
  for (const part of chunk(f.projects, 500)) await db('report_project_facts').insert(part);
}

/**
 * Recomputes every fact and both cubes from the source tables (after a schema change, a data
 * repair, or to seed a database that existed before this module). Batches of projects; the
 * cubes are then summed in SQL from the facts.
 */
export async function rebuildAll(db: Knex, opts: { batch?: number; onProgress?: (done: number, total: number) => void } = {}): Promise<{ projects: number; lines: number }> {
  const batch = opts.batch ?? 2000;
  for (const t of [...CUBES.map((c) => c.table), 'report_line_facts', 'report_stage_facts', 'report_project_facts']) await db(t).del();
  const total = toInt((await db('procurement_projects').count({ n: '*' }).first())?.n);
  let lastId = 0;
  let done = 0;
  let lines = 0;
  for (;;) {
    const ids: number[] = (await db('procurement_projects').where('id', '>', lastId).orderBy('id').limit(batch).pluck('id')).map(Number);
    if (!ids.length) break;
    lastId = ids[ids.length - 1];
    const f = await computeFacts(db, ids);
    await db.transaction((trx) => insertFacts(trx, f));
    done += ids.length;
    lines += f.lines.length;
    opts.onProgress?.(done, total);
  }
  await rebuildCubes(db);
  return { projects: done, lines };
}

/** Every cube from the facts, in SQL: the full grains from the facts, the roll-ups from those. */
export async function rebuildCubes(db: Knex): Promise<void> {
  for (const c of CUBES) await db(c.table).del();
  await db.raw(
    `INSERT INTO report_spend_cube (month, org_id, category_code, method, supplier_id, supplier_size, items, projects, budget_fen, ceiling_fen, award_fen)
     SELECT month, org_id, category_code, method, supplier_id, supplier_size, COUNT(*), SUM(CASE WHEN main_line THEN 1 ELSE 0 END), SUM(budget_fen), SUM(ceiling_fen), SUM(award_fen)
     FROM report_line_facts GROUP BY month, org_id, category_code, method, supplier_id, supplier_size`,
  );
  await db.raw(
    `INSERT INTO report_cycle_cube (month, org_id, category_code, method, stage, n, total_ms)
     SELECT month, org_id, category_code, method, stage, COUNT(*), SUM(duration_ms)
     FROM report_stage_facts GROUP BY month, org_id, category_code, method, stage`,
  );
  for (const c of CUBES.filter((x) => x.table !== 'report_spend_cube' && x.table !== 'report_cycle_cube')) {
    const source = c.from === 'spend' ? 'report_spend_cube' : 'report_cycle_cube';
    const cols = [...c.key, ...c.measures].join(', ');
    await db.raw(`INSERT INTO ${c.table} (${cols}) SELECT ${c.key.join(', ')}, ${c.measures.map((m) => `SUM(${m})`).join(', ')} FROM ${source} GROUP BY ${c.key.join(', ')}`);
  }
}
