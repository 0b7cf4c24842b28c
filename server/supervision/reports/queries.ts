// The finance bureau's reports, read from the cubes (aggregates) and the facts (drill-down).
// Sums are in integer fen in SQL; ratios are computed exactly from those integers.
import type { Knex } from 'knex';
import { toInt } from '../../db/knex';
import { isoFromDb } from '../../db/time';
import { allocateFen, hhi, savingsBp, shareBp } from './allocation';
import { cstMonthRangeDb } from './months';
import * as src from './sources';
import { STAGES } from '../../core/projects/state-machine';
import { METHOD_NAMES } from './names';

export interface ReportFilters {
  from?: string; // 'YYYY-MM' inclusive
  to?: string; // 'YYYY-MM' inclusive
  orgId?: number;
  category?: string; // catalogue code prefix ('A02' covers every equipment leaf)
  method?: string;
  supplierId?: number;
}

export const SPEND_DIMENSIONS = ['unit', 'category', 'method', 'month', 'supplier'] as const;
export type SpendDimension = (typeof SPEND_DIMENSIONS)[number];
const DIM_COLUMN: Record<SpendDimension, string> = { unit: 'org_id', category: 'category_code', method: 'method', month: 'month', supplier: 'supplier_id' };

function applyFilters(q: Knex.QueryBuilder, f: ReportFilters, alias = ''): Knex.QueryBuilder {
  const c = (n: string) => (alias ? `${alias}.${n}` : n);
  if (f.from) q.where(c('month'), '>=', f.from);
  if (f.to) q.where(c('month'), '<=', f.to);
  if (f.orgId) q.where(c('org_id'), f.orgId);
  if (f.category) q.where(c('category_code'), 'like', `${f.category.replace(/[%_\\]/g, '')}%`);
  if (f.method) q.where(c('method'), f.method);
  if (f.supplierId) q.where(c('supplier_id'), f.supplierId);
  return q;
}

/** Names and codes people know the keys by: a unit's code, a supplier's unified social credit code. */
export interface Labels {
  unit(id: number): { zh: string; en: string; code: string };
  category(code: string): { zh: string; en: string; code: string };
  supplier(id: number): { zh: string; en: string; size: string; code: string };
}

/** Names for the keys in a report (units, categories, suppliers): small tables, read once per report. */
export async function loadLabels(db: Knex, want: { units?: number[]; suppliers?: number[] } = {}): Promise<Labels> {
  const [orgs, cats, sups] = await Promise.all([
    want.units?.length ? db('organisations').whereIn('id', want.units).select('id', 'code', 'name_zh', 'name_en') : [],
    db('catalogue_categories').select('code', 'name_zh', 'name_en'),
    want.suppliers?.length ? db('suppliers').whereIn('id', want.suppliers).select('id', 'name', 'size', 'credit_code') : [],
  ]);
  const o = new Map(orgs.map((r: any) => [r.id, r]));
  const c = new Map(cats.map((r: any) => [r.code, r]));
  const s = new Map(sups.map((r: any) => [r.id, r]));
  return {
    unit: (id) => ({ zh: o.get(id)?.name_zh ?? `#${id}`, en: o.get(id)?.name_en ?? `#${id}`, code: o.get(id)?.code ?? '' }),
    category: (code) => ({ zh: c.get(code)?.name_zh ?? code, en: c.get(code)?.name_en ?? code, code }),
    supplier: (id) => ({ zh: s.get(id)?.name ?? `#${id}`, en: s.get(id)?.name ?? `#${id}`, size: s.get(id)?.size ?? 'unknown', code: s.get(id)?.credit_code ?? '' }),
  };
}

export interface SpendRow {
  /** The filter value (a unit's or supplier's id, a category code, a method, a month). */
  key: string;
  /** What people call it by: the unit's code, the category code, the supplier's credit code, the method, the month. */
  code: string;
  labelZh: string;
  labelEn: string;
  projects: number;
  items: number;
  budgetFen: number;
  ceilingFen: number;
  awardFen: number;
  savingsFen: number;
  savingsBp: number | null;
}

const money = (r: any) => ({ budgetFen: toInt(r.budget_fen), ceilingFen: toInt(r.ceiling_fen), awardFen: toInt(r.award_fen) });

function spendRow(key: string, label: { zh: string; en: string; code?: string }, r: any): SpendRow {
  const m = money(r);
  return { key, code: label.code || key, labelZh: label.zh, labelEn: label.en, projects: toInt(r.projects), items: toInt(r.items), ...m, savingsFen: m.budgetFen - m.awardFen, savingsBp: savingsBp(m.budgetFen, m.awardFen) };
}

function sumRows(rows: SpendRow[]): Omit<SpendRow, 'key' | 'code' | 'labelZh' | 'labelEn'> {
  const t = rows.reduce((a, r) => ({ projects: a.projects + r.projects, items: a.items + r.items, budgetFen: a.budgetFen + r.budgetFen, ceilingFen: a.ceilingFen + r.ceilingFen, awardFen: a.awardFen + r.awardFen }), { projects: 0, items: 0, budgetFen: 0, ceilingFen: 0, awardFen: 0 });
  return { ...t, savingsFen: t.budgetFen - t.awardFen, savingsBp: savingsBp(t.budgetFen, t.awardFen) };
}

// Each cube and the columns it keeps, smallest first: a report reads the first cube that has
// every column it groups or filters by (the supplier multiplies a cube's rows, the unit and
// category too, so a report carries them only when it needs them).
const SPEND_CUBES: Array<[string, string[]]> = [
  ['report_supplier_cube', ['month', 'method', 'supplier_id', 'supplier_size']],
  ['report_unit_cube', ['month', 'org_id', 'category_code', 'method']],
  ['report_category_supplier_cube', ['month', 'category_code', 'method', 'supplier_id', 'supplier_size']],
  ['report_spend_cube', ['month', 'org_id', 'category_code', 'method', 'supplier_id', 'supplier_size']],
];
const CYCLE_CUBES: Array<[string, string[]]> = [
  ['report_stage_cube', ['month', 'method', 'stage']],
  ['report_cycle_cube', ['month', 'org_id', 'category_code', 'method', 'stage']],
];

function filterColumns(f: ReportFilters): string[] {
  return [f.from || f.to ? 'month' : '', f.orgId ? 'org_id' : '', f.category ? 'category_code' : '', f.method ? 'method' : '', f.supplierId ? 'supplier_id' : ''].filter(Boolean);
}

export function pickCube(cubes: Array<[string, string[]]>, columns: string[], f: ReportFilters): string {
  const need = [...columns, ...filterColumns(f)];
  return cubes.find(([, cols]) => need.every((c) => cols.includes(c)))![0];
}

function spendCube(groupColumns: string[], f: ReportFilters): string {
  return pickCube(SPEND_CUBES, groupColumns, f);
}

const SUMS = (db: Knex) => [db.raw('SUM(items) as items'), db.raw('SUM(projects) as projects'), db.raw('SUM(budget_fen) as budget_fen'), db.raw('SUM(ceiling_fen) as ceiling_fen'), db.raw('SUM(award_fen) as award_fen')];

/** Spend by unit, category, method, month or supplier, with budget, award and savings. */
export async function spendReport(db: Knex, by: SpendDimension, f: ReportFilters) {
  const col = DIM_COLUMN[by];
  const raw = await applyFilters(db(spendCube([col], f)).select(`${col} as k`, ...SUMS(db)).groupBy(col), f);
  const labels = await loadLabels(db, { units: by === 'unit' ? raw.map((r: any) => r.k) : [], suppliers: by === 'supplier' ? raw.map((r: any) => r.k) : [] });
  const label = (k: any) => (by === 'unit' ? labels.unit(k) : by === 'category' ? labels.category(k) : by === 'supplier' ? labels.supplier(k) : by === 'method' && METHOD_NAMES[k] ? { zh: METHOD_NAMES[k][0], en: METHOD_NAMES[k][1] } : { zh: String(k), en: String(k) });
  // A method has no code people use: its name says it (the key stays the filter value).
  const rows = raw.map((r: any) => ({ ...spendRow(String(r.k), label(r.k), r), ...(by === 'method' ? { code: '' } : {}) }));
  rows.sort((a: SpendRow, b: SpendRow) => (by === 'month' ? a.key.localeCompare(b.key) : b.awardFen - a.awardFen || a.key.localeCompare(b.key)));
  return { by, filters: f, rows, totals: sumRows(rows) };
}

/**
 * Savings per method: budget against award for every method, and for online price competitions
 * also the ceiling against the winning price.
 */
export async function savingsReport(db: Knex, f: ReportFilters) {
  const raw = await applyFilters(db(spendCube(['method'], f)).select('method as k', ...SUMS(db)).groupBy('method'), f);
  const rows = raw
    .map((r: any) => {
      const m = money(r);
      return { method: r.k as string, projects: toInt(r.projects), ...m, savingsFen: m.budgetFen - m.awardFen, savingsBp: savingsBp(m.budgetFen, m.awardFen), ceilingSavingsFen: m.ceilingFen - m.awardFen, ceilingSavingsBp: savingsBp(m.ceilingFen, m.awardFen) };
    })
    .sort((a: any, b: any) => a.method.localeCompare(b.method));
  const t = sumRows(rows.map((r: any) => ({ ...r, items: 0, key: r.method, code: r.method, labelZh: '', labelEn: '' })));
  const comp = rows.find((r: any) => r.method === 'online_price_competition');
  return {
    filters: f,
    rows,
    totals: { projects: t.projects, budgetFen: t.budgetFen, awardFen: t.awardFen, savingsFen: t.savingsFen, savingsBp: t.savingsBp },
    competition: comp ? { ceilingFen: comp.ceilingFen, awardFen: comp.awardFen, savingsFen: comp.ceilingSavingsFen, savingsBp: comp.ceilingSavingsBp } : null,
  };
}

/** The cycle report's stages in process order (server/core/projects/state-machine.ts STAGES). */
export const CYCLE_STAGE_ORDER: readonly string[] = ['approval', ...STAGES, 'requisition_to_contract'];
const stageRank = (stage: string) => {
  const i = CYCLE_STAGE_ORDER.indexOf(stage);
  return i < 0 ? CYCLE_STAGE_ORDER.length : i;
};

const DAY_MS = 86_400_000;
const days = (totalMs: number, n: number) => (n ? Math.round((totalMs / n / DAY_MS) * 100) / 100 : null);

/** Average days per method and stage (finished stages), plus approval and requisition-to-contract. */
export async function cycleReport(db: Knex, f: ReportFilters) {
  const cube = pickCube(CYCLE_CUBES, ['method', 'stage'], f);
  const raw = await applyFilters(db(cube).select('method', 'stage', db.raw('SUM(n) as n'), db.raw('SUM(total_ms) as total_ms')).groupBy('method', 'stage'), f);
  // Stages in the order the process runs them: approval, the procedure's stages, then the whole span.
  const rows = raw.map((r: any) => ({ method: r.method, stage: r.stage, count: toInt(r.n), avgDays: days(toInt(r.total_ms), toInt(r.n)) })).sort((a: any, b: any) => a.method.localeCompare(b.method) || stageRank(a.stage) - stageRank(b.stage) || a.stage.localeCompare(b.stage));
  const headline = rows.filter((r: any) => r.stage === 'requisition_to_contract').map((r: any) => ({ method: r.method, count: r.count, avgDays: r.avgDays }));
  return { filters: f, rows, requisitionToContract: headline };
}

/** Supplier concentration: share of value per supplier, HHI, and the small and micro businesses' share. */
export async function suppliersReport(db: Knex, f: ReportFilters, limit = 50) {
  const cube = spendCube(['supplier_id', 'supplier_size'], f);
  const raw = await applyFilters(db(cube).select('supplier_id', 'supplier_size', db.raw('SUM(projects) as projects'), db.raw('SUM(award_fen) as award_fen')).groupBy('supplier_id', 'supplier_size'), f);
  const bySupplier = new Map<number, { size: string; projects: number; awardFen: number }>();
  for (const r of raw) {
    const a = bySupplier.get(r.supplier_id) ?? { size: r.supplier_size, projects: 0, awardFen: 0 };
    a.projects += toInt(r.projects);
    a.awardFen += toInt(r.award_fen);
    bySupplier.set(r.supplier_id, a);
  }
  const total = [...bySupplier.values()].reduce((s, a) => s + a.awardFen, 0);
  const small = [...bySupplier.values()].filter((a) => a.size === 'micro' || a.size === 'small').reduce((s, a) => s + a.awardFen, 0);
  const sorted = [...bySupplier.entries()].sort((a, b) => b[1].awardFen - a[1].awardFen || a[0] - b[0]);
  const top = sorted.slice(0, limit);
  const labels = await loadLabels(db, { suppliers: top.map(([id]) => id) });
  const bySize = new Map<string, number>();
  for (const a of bySupplier.values()) bySize.set(a.size, (bySize.get(a.size) ?? 0) + a.awardFen);
  return {
    filters: f,
    suppliers: bySupplier.size,
    totalFen: total,
    hhi: hhi([...bySupplier.values()].map((a) => a.awardFen)),
    smallBusinessFen: small,
    smallBusinessShareBp: shareBp(small, total),
    top4ShareBp: shareBp(sorted.slice(0, 4).reduce((s, [, a]) => s + a.awardFen, 0), total),
    bySize: ['micro', 'small', 'medium', 'large'].map((size) => ({ size, awardFen: bySize.get(size) ?? 0, shareBp: shareBp(bySize.get(size) ?? 0, total) })),
    rows: top.map(([id, a]) => ({ supplierId: id, creditCode: labels.supplier(id).code, name: labels.supplier(id).zh, size: a.size, projects: a.projects, awardFen: a.awardFen, shareBp: shareBp(a.awardFen, total) })),
  };
}

export interface BudgetFilters {
  year?: number; // the lines' fiscal year
  orgId?: number;
  from?: string; // 'YYYY-MM' inclusive, CST: spent by payment month, frozen by submission month
  to?: string;
  category?: string; // catalogue code prefix
  method?: string;
}

const activityFiltered = (f: BudgetFilters) => !!(f.from || f.to || f.category || f.method);

/**
 * Frozen and spent per budget line restricted to procurement of a category / method / period,
 * rebuilt from their sources (the line's own columns cannot be split): frozen is what
 * requisitions still hold (submitted in the period), spent is paid payment requests (paid in the
 * period). With a category each amount is allocated over its requisition's items by budgeted
 * amount, exactly as the spend facts allocate an award, and only the category's part counts.
 */
async function budgetActivity(db: Knex, f: BudgetFilters): Promise<Map<number, { frozenFen: number; spentFen: number }>> {
  const { start, end } = cstMonthRangeDb(f.from, f.to);
  const scope = (q: Knex.QueryBuilder, at: string, method: string) => {
    if (f.year) q.where('b.fiscal_year', f.year);
    if (f.orgId) q.where('b.org_id', f.orgId);
    if (f.method) q.where(method, f.method);
    if (start) q.where(at, '>=', start);
    if (end) q.where(at, '<', end);
    return q;
  };
  const frozen = scope(db('requisitions as r').join('budget_lines as b', 'b.id', 'r.budget_line_id').where('r.frozen_fen', '>', 0), 'r.submitted_at', 'r.method');
  const spent = scope(db('payment_requests as pr').join('budget_lines as b', 'b.id', 'pr.budget_line_id').join('procurement_projects as p', 'p.id', 'pr.project_id').where('pr.status', 'paid'), 'pr.paid_at', 'p.method');
  const out = new Map<number, { frozenFen: number; spentFen: number }>();
  const add = (line: number, k: 'frozenFen' | 'spentFen', fen: number) => {
    const a = out.get(line) ?? { frozenFen: 0, spentFen: 0 };
    a[k] += fen;
    out.set(line, a);
  };
  if (!f.category) {
    const [fr, sp] = await Promise.all([
      frozen.select('r.budget_line_id as line', db.raw('SUM(r.frozen_fen) as fen')).groupBy('r.budget_line_id'),
      spent.select('pr.budget_line_id as line', db.raw('SUM(pr.amount_fen) as fen')).groupBy('pr.budget_line_id'),
    ]);
    for (const r of fr) add(Number(r.line), 'frozenFen', toInt(r.fen));
    for (const r of sp) add(Number(r.line), 'spentFen', toInt(r.fen));
    return out;
  }
  const prefix = f.category.replace(/[%_\\]/g, '');
  const hasItem = (reqColumn: string) => db('requisition_items as i').whereRaw('i.requisition_id = ??', [reqColumn]).where('i.category_code', 'like', `${prefix}%`).select(db.raw('1'));
  const [fr, sp] = await Promise.all([
    frozen.whereExists(hasItem('r.id')).select('r.id as rid', 'r.budget_line_id as line', 'r.frozen_fen as fen'),
    spent.whereExists(hasItem('p.requisition_id')).select('p.requisition_id as rid', 'pr.budget_line_id as line', 'pr.amount_fen as fen'),
  ]);
  const rids = [...new Set([...fr, ...sp].map((r: any) => Number(r.rid)))];
  const items = new Map<number, Array<{ category: string; weight: number }>>();
  for (let i = 0; i < rids.length; i += 500) {
    for (const it of await src.itemsOfRequisitions(db, rids.slice(i, i + 500))) {
      const l = items.get(Number(it.requisition_id)) ?? items.set(Number(it.requisition_id), []).get(Number(it.requisition_id))!;
      l.push({ category: it.category_code, weight: toInt(it.amount_fen) });
    }
  }
  const part = (rid: number, fen: number) => {
    const its = items.get(rid) ?? [];
    const parts = allocateFen(fen, its.map((x) => x.weight));
    return its.reduce((s, x, k) => (x.category.startsWith(prefix) ? s + parts[k] : s), 0);
  };
  for (const r of fr) add(Number(r.line), 'frozenFen', part(Number(r.rid), toInt(r.fen)));
  for (const r of sp) add(Number(r.line), 'spentFen', part(Number(r.rid), toInt(r.fen)));
  return out;
}

/**
 * Budget execution per budget line: allocated, frozen (committed), spent, and what is left.
 * Period, category and method narrow frozen and spent only (see budgetActivity): an allocation
 * is not earmarked by category, method or month, so allocated and available stay the whole
 * line's, and the rates read "share of the allocation frozen / spent on what was asked for".
 */
export async function budgetReport(db: Knex, f: BudgetFilters) {
  const q = db('budget_lines as b').join('organisations as o', 'o.id', 'b.org_id').select('b.*', 'o.code as unit_code', 'o.name_zh', 'o.name_en').orderBy('o.code').orderBy('b.code');
  if (f.year) q.where('b.fiscal_year', f.year);
  if (f.orgId) q.where('b.org_id', f.orgId);
  const [lines, activity] = await Promise.all([q, activityFiltered(f) ? budgetActivity(db, f) : null]);
  const rows = lines.map((r: any) => {
    const allocatedFen = toInt(r.allocated_fen);
    const lineFrozen = toInt(r.frozen_fen);
    const lineSpent = toInt(r.spent_fen);
    const a = activity ? (activity.get(r.id) ?? { frozenFen: 0, spentFen: 0 }) : { frozenFen: lineFrozen, spentFen: lineSpent };
    return { budgetLineId: r.id, code: r.code, name: r.name, orgId: r.org_id, unitCode: r.unit_code, unitZh: r.name_zh, unitEn: r.name_en, fiscalYear: r.fiscal_year, allocatedFen, frozenFen: a.frozenFen, spentFen: a.spentFen, availableFen: allocatedFen - lineFrozen - lineSpent, executionBp: shareBp(a.spentFen, allocatedFen), commitmentBp: shareBp(a.spentFen + a.frozenFen, allocatedFen) };
  });
  const totals = rows.reduce((a: any, r: any) => ({ allocatedFen: a.allocatedFen + r.allocatedFen, frozenFen: a.frozenFen + r.frozenFen, spentFen: a.spentFen + r.spentFen, availableFen: a.availableFen + r.availableFen }), { allocatedFen: 0, frozenFen: 0, spentFen: 0, availableFen: 0 });
  return { filters: f, activityFiltered: !!activity, rows, totals: { ...totals, executionBp: shareBp(totals.spentFen, totals.allocatedFen), commitmentBp: shareBp(totals.spentFen + totals.frozenFen, totals.allocatedFen) } };
}

export const DRILL_SORTS = ['award', 'budget', 'savings', 'ref'] as const;

/**
 * The projects behind a total: the same filters (plus the clicked key). Unit, method, month and
 * supplier are project facts (one indexed row per project); a category filter reaches into the
 * line items, since one project may buy in several categories.
 */
export async function drilldown(db: Knex, f: ReportFilters, opts: { page: number; pageSize: number; sort: (typeof DRILL_SORTS)[number]; dir: 'asc' | 'desc' }) {
  const order = opts.sort === 'award' ? 'award_fen' : opts.sort === 'budget' ? 'budget_fen' : opts.sort === 'savings' ? 'savings_fen' : 'project_id';
  let total: number;
  let rows: any[];
  if (!f.category) {
    const base = applyFilters(db('report_project_facts'), f);
    total = toInt((await base.clone().count({ n: '*' }).first())?.n);
    rows = await base
      .clone()
      .select('project_id', 'budget_fen', 'award_fen', db.raw('budget_fen - award_fen as savings_fen'), 'items')
      .orderBy(order, opts.dir)
      .orderBy('project_id', 'asc')
      .offset((opts.page - 1) * opts.pageSize)
      .limit(opts.pageSize);
  } else {
    const base = applyFilters(db('report_line_facts'), f);
    total = toInt((await db.from(base.clone().distinct('project_id').as('x')).count({ n: '*' }).first())?.n);
    rows = await base
      .clone()
      .select('project_id', db.raw('SUM(budget_fen) as budget_fen'), db.raw('SUM(award_fen) as award_fen'), db.raw('SUM(budget_fen) - SUM(award_fen) as savings_fen'), db.raw('COUNT(*) as items'))
      .groupBy('project_id')
      .orderBy(order, opts.dir)
      .orderBy('project_id', 'asc')
      .offset((opts.page - 1) * opts.pageSize)
      .limit(opts.pageSize);
  }
  const facts = await db('report_project_facts as f')
    .whereIn('f.project_id', rows.map((r: any) => r.project_id))
    .join('organisations as o', 'o.id', 'f.org_id')
    .leftJoin('suppliers as s', 's.id', 'f.supplier_id')
    .select('f.*', 'o.code as unit_code', 'o.name_zh', 'o.name_en', 's.name as supplier_name', 's.size as supplier_size', 's.credit_code as supplier_code');
  const byId = new Map(facts.map((r: any) => [r.project_id, r]));
  return {
    total,
    page: opts.page,
    pageSize: opts.pageSize,
    items: rows.map((r: any) => {
      const p: any = byId.get(r.project_id) ?? {};
      const budgetFen = toInt(r.budget_fen);
      const awardFen = toInt(r.award_fen);
      return { projectId: r.project_id, ref: p.ref, title: p.title, unitCode: p.unit_code, unitZh: p.name_zh, unitEn: p.name_en, method: p.method, month: p.month, supplierCode: p.supplier_code ?? null, supplierName: p.supplier_name, supplierSize: p.supplier_size, awardedAt: isoFromDb(p.awarded_at), items: toInt(r.items), budgetFen, awardFen, savingsFen: budgetFen - awardFen, savingsBp: savingsBp(budgetFen, awardFen) };
    }),
  };
}

/** Every awarded line item under the filters, in id order, a page at a time (the long exports). */
export function lineItems(db: Knex, f: ReportFilters) {
  return applyFilters(db('report_line_facts as l'), f, 'l')
    .join('report_project_facts as p', 'p.project_id', 'l.project_id')
    .join('organisations as o', 'o.id', 'l.org_id')
    .join('suppliers as s', 's.id', 'l.supplier_id')
    .select('l.id', 'p.ref', 'p.title', 'o.code as unit_code', 'o.name_zh as unit', 'o.name_en as unit_en', 'l.category_code', 'l.method', 'l.month', 's.credit_code as supplier_code', 's.name as supplier', 'l.supplier_size', 'l.quantity', 'l.budget_fen', 'l.ceiling_fen', 'l.award_fen');
}

export async function countLineItems(db: Knex, f: ReportFilters): Promise<number> {
  return toInt((await applyFilters(db('report_line_facts'), f).count({ n: '*' }).first())?.n);
}
