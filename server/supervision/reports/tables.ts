// Every report as a table (columns with a type), the one shape the CSV and XLSX writers read.
import type { Knex } from 'knex';
import * as q from './queries';
import { METHOD_NAMES, SIZE_NAMES, STAGE_NAMES, nameIn, type Names } from './names';

export type ColumnType = 'text' | 'int' | 'fen' | 'bp' | 'days';
export interface TableColumn {
  key: string;
  zh: string;
  en: string;
  type: ColumnType;
}
export interface ReportTable {
  title: string;
  columns: TableColumn[];
  /** Rows in pages, so a million-row export never sits in memory at once. */
  pages(): AsyncGenerator<Array<Record<string, unknown>>>;
  total(): Promise<number>;
  /** The report's headline figures (totals, HHI, shares), written under the rows. */
  summary?(): Promise<SummaryItem[]>;
}
export interface SummaryItem {
  labelZh: string;
  labelEn: string;
  value: number | string | null;
  type: ColumnType;
}

export const REPORTS = ['spend', 'savings', 'cycle', 'suppliers', 'budget', 'drilldown', 'lines'] as const;
export type ReportName = (typeof REPORTS)[number];

export interface ExportParams extends q.ReportFilters {
  by?: q.SpendDimension;
  year?: number;
  lang?: 'zh' | 'en';
}

const col = (key: string, zh: string, en: string, type: ColumnType = 'text'): TableColumn => ({ key, zh, en, type });
const FEN_COLS = [col('budgetFen', '预算金额（元）', 'Budget (CNY)', 'fen'), col('awardFen', '成交金额（元）', 'Award (CNY)', 'fen'), col('savingsFen', '节约金额（元）', 'Savings (CNY)', 'fen'), col('savingsBp', '节约率', 'Savings rate', 'bp')];

const item = (labelZh: string, labelEn: string, value: number | null, type: ColumnType): SummaryItem => ({ labelZh, labelEn, value, type });

/** A small report computed once: its rows as one page, its headline figures from the same result. */
function once<R extends { rows: unknown[] }>(load: () => Promise<R>, summary?: (r: R) => SummaryItem[]) {
  let cache: Promise<R> | null = null;
  const get = () => (cache ??= load());
  return {
    async *pages() {
      yield (await get()).rows as Array<Record<string, unknown>>;
    },
    total: async () => (await get()).rows.length,
    ...(summary ? { summary: async () => summary(await get()) } : {}),
  };
}

type Totals = { budgetFen: number; awardFen: number; savingsFen: number; savingsBp: number | null; projects: number };
const totalItems = (t: Totals, items?: number): SummaryItem[] => [
  item('项目数合计', 'Total projects', t.projects, 'int'),
  ...(items === undefined ? [] : [item('明细数合计', 'Total line items', items, 'int')]),
  item('预算金额合计（元）', 'Total budget (CNY)', t.budgetFen, 'fen'),
  item('成交金额合计（元）', 'Total award (CNY)', t.awardFen, 'fen'),
  item('节约金额合计（元）', 'Total savings (CNY)', t.savingsFen, 'fen'),
  item('总节约率', 'Overall savings rate', t.savingsBp, 'bp'),
];

const SIZES: Record<string, [string, string]> = { micro: ['微型企业', 'micro businesses'], small: ['小型企业', 'small businesses'], medium: ['中型企业', 'medium businesses'], large: ['大型企业', 'large businesses'] };

function suppliersSummary(r: Awaited<ReturnType<typeof q.suppliersReport>>): SummaryItem[] {
  return [
    item('成交供应商数', 'Suppliers awarded', r.suppliers, 'int'),
    item('成交金额合计（元）', 'Total award (CNY)', r.totalFen, 'fen'),
    item('赫芬达尔指数（HHI，0–10000）', 'Herfindahl-Hirschman index (HHI, 0–10000)', r.hhi, 'int'),
    item('前四名份额', 'Top-four share', r.top4ShareBp, 'bp'),
    item('中小微企业成交金额（元）', 'Award to small and micro businesses (CNY)', r.smallBusinessFen, 'fen'),
    item('中小微企业份额', 'Small and micro business share', r.smallBusinessShareBp, 'bp'),
    ...r.bySize.flatMap((x) => [item(`${SIZES[x.size][0]}成交金额（元）`, `Award to ${SIZES[x.size][1]} (CNY)`, x.awardFen, 'fen'), item(`${SIZES[x.size][0]}份额`, `Share of ${SIZES[x.size][1]}`, x.shareBp, 'bp')]),
  ];
}

/** The table with its keys (methods, stages, sizes) written as names in the export's language. */
function named(table: ReportTable, lang: 'zh' | 'en', columns: Record<string, Names>): ReportTable {
  const pages = table.pages.bind(table);
  return {
    ...table,
    async *pages() {
      for await (const rows of pages()) yield rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k in columns ? nameIn(columns[k], v, lang) : v])));
    },
  };
}

const KEY_NAMES: Record<string, Names> = { method: METHOD_NAMES, stage: STAGE_NAMES, size: SIZE_NAMES, supplier_size: SIZE_NAMES };

export function reportTable(db: Knex, name: ReportName, p: ExportParams): ReportTable {
  const lang = p.lang === 'en' ? 'en' : 'zh';
  const table = rawTable(db, name, p);
  return named(table, lang, KEY_NAMES);
}

function rawTable(db: Knex, name: ReportName, p: ExportParams): ReportTable {
  const en = p.lang === 'en';
  const f: q.ReportFilters = { from: p.from, to: p.to, orgId: p.orgId, category: p.category, method: p.method, supplierId: p.supplierId };
  switch (name) {
    case 'spend':
      return {
        title: `spend-by-${p.by ?? 'unit'}`,
        columns: [col('code', '编码', 'Code'), col(en ? 'labelEn' : 'labelZh', '名称', 'Name'), col('projects', '项目数', 'Projects', 'int'), col('items', '明细数', 'Line items', 'int'), ...FEN_COLS],
        ...once(() => q.spendReport(db, p.by ?? 'unit', f), (r) => totalItems(r.totals, r.totals.items)),
      };
    case 'savings':
      return {
        title: 'savings',
        columns: [col('method', '采购方式', 'Method'), col('projects', '项目数', 'Projects', 'int'), ...FEN_COLS, col('ceilingFen', '最高限价（元）', 'Ceiling (CNY)', 'fen'), col('ceilingSavingsBp', '限价节约率', 'Savings against ceiling', 'bp')],
        ...once(
          () => q.savingsReport(db, f),
          (r) => [
            ...totalItems(r.totals),
            ...(r.competition ? [item('网上竞价最高限价合计（元）', 'Competitions: total ceiling (CNY)', r.competition.ceilingFen, 'fen'), item('网上竞价较限价节约率', 'Competitions: savings against ceiling', r.competition.savingsBp, 'bp')] : []),
          ],
        ),
      };
    case 'cycle':
      return {
        title: 'cycle-days',
        columns: [col('method', '采购方式', 'Method'), col('stage', '阶段', 'Stage'), col('count', '次数', 'Count', 'int'), col('avgDays', '平均天数', 'Average days', 'days')],
        ...once(() => q.cycleReport(db, f)),
      };
    case 'suppliers':
      return {
        title: 'supplier-concentration',
        columns: [col('creditCode', '统一社会信用代码', 'Unified social credit code'), col('name', '供应商', 'Supplier'), col('size', '企业规模', 'Size'), col('projects', '项目数', 'Projects', 'int'), col('awardFen', '成交金额（元）', 'Award (CNY)', 'fen'), col('shareBp', '份额', 'Share', 'bp')],
        ...once(() => q.suppliersReport(db, f, 100_000), suppliersSummary),
      };
    case 'budget':
      return {
        title: 'budget-execution',
        columns: [col('code', '预算指标编码', 'Budget line'), col('name', '名称', 'Name'), col('unitCode', '单位编码', 'Unit code'), col(en ? 'unitEn' : 'unitZh', '单位', 'Unit'), col('fiscalYear', '年度', 'Year', 'int'), col('allocatedFen', '下达（元）', 'Allocated (CNY)', 'fen'), col('frozenFen', '冻结（元）', 'Frozen (CNY)', 'fen'), col('spentFen', '已支付（元）', 'Spent (CNY)', 'fen'), col('availableFen', '可用（元）', 'Available (CNY)', 'fen'), col('executionBp', '执行率', 'Execution', 'bp')],
        ...once(
          () => q.budgetReport(db, { year: p.year, orgId: p.orgId, from: p.from, to: p.to, category: p.category, method: p.method }),
          (r) => [
            item('下达合计（元）', 'Total allocated (CNY)', r.totals.allocatedFen, 'fen'),
            item('冻结合计（元）', 'Total frozen (CNY)', r.totals.frozenFen, 'fen'),
            item('已支付合计（元）', 'Total spent (CNY)', r.totals.spentFen, 'fen'),
            item('可用合计（元）', 'Total available (CNY)', r.totals.availableFen, 'fen'),
            item('总执行率', 'Overall execution', r.totals.executionBp, 'bp'),
          ],
        ),
      };
    case 'drilldown':
      return {
        title: 'projects',
        columns: [col('ref', '项目编号', 'Project'), col('title', '项目名称', 'Title'), col('unitCode', '单位编码', 'Unit code'), col(en ? 'unitEn' : 'unitZh', '采购单位', 'Unit'), col('method', '采购方式', 'Method'), col('month', '月份', 'Month'), col('supplierCode', '供应商统一社会信用代码', 'Supplier credit code'), col('supplierName', '成交供应商', 'Supplier'), col('items', '明细数', 'Line items', 'int'), ...FEN_COLS],
        async *pages() {
          for (let page = 1; ; page++) {
            const r = await q.drilldown(db, f, { page, pageSize: 200, sort: 'award', dir: 'desc' });
            if (!r.items.length) return;
            yield r.items as any;
            if (r.items.length < 200) return;
          }
        },
        total: async () => (await q.drilldown(db, f, { page: 1, pageSize: 1, sort: 'ref', dir: 'asc' })).total,
      };
    case 'lines':
      return {
        title: 'line-items',
        columns: [col('ref', '项目编号', 'Project'), col('title', '项目名称', 'Title'), col('unit_code', '单位编码', 'Unit code'), col(en ? 'unit_en' : 'unit', '采购单位', 'Unit'), col('category_code', '品目', 'Category'), col('method', '采购方式', 'Method'), col('month', '月份', 'Month'), col('supplier_code', '供应商统一社会信用代码', 'Supplier credit code'), col('supplier', '成交供应商', 'Supplier'), col('supplier_size', '企业规模', 'Size'), col('quantity', '数量', 'Quantity', 'int'), col('budget_fen', '预算（元）', 'Budget (CNY)', 'fen'), col('ceiling_fen', '限价（元）', 'Ceiling (CNY)', 'fen'), col('award_fen', '成交（元）', 'Award (CNY)', 'fen')],
        // Keyset paging on the fact id: each page is an index range, however deep the export.
        async *pages() {
          let after = 0;
          for (;;) {
            const rows = await q.lineItems(db, f).where('l.id', '>', after).orderBy('l.id').limit(5000);
            if (!rows.length) return;
            after = Number(rows[rows.length - 1].id);
            yield rows;
            if (rows.length < 5000) return;
          }
        },
        total: () => q.countLineItems(db, f),
      };
  }
}
