// The finance bureau's reports: filters, one tab per report, SVG charts, sortable tables,
// drill-down from any total to its projects, and CSV / XLSX exports with progress.
import './reports.css';
import { h, mount } from '../../dom';
import { api, ApiError } from '../../api';
import { t, locale, formatFen } from '../../i18n';
import { barChart, columnChart } from './chart';
import { sortableTable, type SortColumn } from './sortable';

type Filters = Record<string, string>;
const TABS = ['spend', 'savings', 'cycle', 'suppliers', 'budget'] as const;
type Tab = (typeof TABS)[number];
const DIMS = ['unit', 'category', 'method', 'month', 'supplier'] as const;
const METHODS = ['public_tender', 'invitational_tender', 'online_price_competition', 'framework_order', 'inquiry', 'competitive_negotiation', 'competitive_consultation', 'single_source'];

export const pct = (bp: number | null | undefined) => (bp === null || bp === undefined ? '—' : `${(bp / 100).toFixed(2)}%`);
const yuanShort = (fen: number) => formatFen(fen);
const methodName = (m: string) => t(`reports.method.${m}`);
const stageName = (s: string) => t(`reports.stage.${s}`);
const query = (f: Filters, extra: Record<string, string> = {}) => new URLSearchParams(Object.entries({ ...f, ...extra }).filter(([, v]) => v !== '' && v !== undefined)).toString();

function exportButtons(report: string, params: () => Record<string, unknown>): HTMLElement {
  const status = h('span', { class: 'export-status', 'data-testid': `export-status-${report}`, 'aria-live': 'polite' });
  const start = async (format: 'csv' | 'xlsx') => {
    mount(status, t('reports.exportQueued'));
    try {
      let job = await api('POST', '/api/reports/exports', { report, format, lang: locale() === 'en' ? 'en' : 'zh', params: params() });
      while (job.status === 'queued' || job.status === 'running') {
        mount(status, h('progress', { max: 100, value: Math.round(job.progress * 100) }), ` ${t('reports.exportRunning', { done: job.rowsDone, total: job.rowsTotal ?? '…' })}`);
        await new Promise((r) => setTimeout(r, 500));
        job = await api('GET', `/api/reports/exports/${job.id}`);
      }
      if (job.status === 'done') mount(status, h('a', { href: job.downloadUrl, download: '', 'data-testid': `export-link-${report}` }, t('reports.exportReady', { format: format.toUpperCase(), n: job.rowsDone })));
      else mount(status, h('span', { class: 'error' }, job.error ?? t('reports.exportFailed')));
    } catch (e) {
      mount(status, h('span', { class: 'error' }, (e as ApiError).message));
    }
  };
  return h('div', { class: 'toolbar export' }, h('button', { type: 'button', onclick: () => void start('csv') }, t('reports.exportCsv')), h('button', { type: 'button', onclick: () => void start('xlsx') }, t('reports.exportXlsx')), status);
}

function figure(label: string, value: string, testId?: string): HTMLElement {
  return h('div', { class: 'figure', 'data-testid': testId }, h('span', { class: 'figure-value' }, value), h('span', { class: 'figure-label' }, label));
}

/** The projects behind a total: paged, sortable on the server. */
function drilldownPanel(f: Filters, title: string): HTMLElement {
  const root = h('section', { class: 'drilldown', 'data-testid': 'drilldown' });
  let page = 1;
  let sort = 'award';
  let dir = 'desc';
  const load = async () => {
    const d = await api('GET', `/api/reports/drilldown?${query(f, { page: String(page), pageSize: '20', sort, dir })}`);
    const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
    const head = (key: string, label: string, numeric = false) => h('th', { class: numeric ? 'num' : '' }, h('button', { type: 'button', class: 'sort', onclick: () => { dir = sort === key && dir === 'desc' ? 'asc' : 'desc'; sort = key; page = 1; void load(); } }, label, sort === key ? (dir === 'asc' ? ' ▲' : ' ▼') : ''));
    mount(
      root,
      h('h3', {}, t('reports.drilldownTitle', { what: title, n: d.total })),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, head('ref', t('reports.col.project')), h('th', {}, t('reports.col.unit')), h('th', {}, t('reports.col.method')), h('th', {}, t('reports.col.supplier')), head('budget', t('reports.col.budget'), true), head('award', t('reports.col.award'), true), head('savings', t('reports.col.savings'), true))),
        h('tbody', {}, d.items.map((p: any) => h('tr', {},
          h('td', {}, h('a', { href: `/portal/projects/${encodeURIComponent(p.ref)}`, 'data-link': '' }, p.ref), h('div', { class: 'muted small' }, p.title)),
          h('td', {}, locale() === 'en' ? p.unitEn : p.unitZh),
          h('td', {}, methodName(p.method)),
          h('td', {}, p.supplierName ?? ''),
          h('td', { class: 'num' }, yuanShort(p.budgetFen)),
          h('td', { class: 'num' }, yuanShort(p.awardFen)),
          h('td', { class: 'num' }, `${yuanShort(p.savingsFen)} (${pct(p.savingsBp)})`),
        ))),
      )),
      h('div', { class: 'pager' }, h('span', {}, t('table.total', { n: d.total })), h('button', { disabled: page <= 1, onclick: () => { page--; void load(); } }, t('page.prev')), h('span', {}, `${page} / ${pages}`), h('button', { disabled: page >= pages, onclick: () => { page++; void load(); } }, t('page.next'))),
      exportButtons('drilldown', () => toParams(f)),
    );
    root.scrollIntoView?.({ block: 'nearest' });
  };
  void load();
  return root;
}

function toParams(f: Filters): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) if (v !== '' && v !== undefined) out[k] = ['orgId', 'supplierId', 'year'].includes(k) ? Number(v) : v;
  return out;
}

export function reportsView(): HTMLElement {
  const root = h('section', { class: 'reports', 'data-testid': 'reports' });
  const body = h('div');
  const drill = h('div');
  let tab: Tab = 'spend';
  let by: (typeof DIMS)[number] = 'unit';
  const year = String(new Date().getFullYear());
  const from = h('input', { type: 'month', name: 'from', 'aria-label': t('reports.from'), value: '' });
  const to = h('input', { type: 'month', name: 'to', 'aria-label': t('reports.to'), value: '' });
  const unit = h('select', { name: 'orgId', 'aria-label': t('reports.unit') }, h('option', { value: '' }, t('reports.allUnits')));
  const category = h('select', { name: 'category', 'aria-label': t('reports.category') }, h('option', { value: '' }, t('reports.allCategories')));
  const method = h('select', { name: 'method', 'aria-label': t('reports.method') }, h('option', { value: '' }, t('reports.allMethods')), METHODS.map((m) => h('option', { value: m }, methodName(m))));
  const filters = (): Filters => ({ from: from.value, to: to.value, orgId: unit.value, category: category.value, method: method.value });

  const drillInto = (extra: Filters, title: string) => mount(drill, drilldownPanel({ ...filters(), ...extra }, title));

  async function render() {
    mount(drill);
    mount(body, h('p', { class: 'muted' }, t('reports.loading')));
    const f = filters();
    try {
      if (tab === 'spend') {
        const d = await api('GET', `/api/reports/spend?${query(f, { by })}`);
        const label = (r: any) => (by === 'method' ? methodName(r.key) : locale() === 'en' ? r.labelEn : r.labelZh);
        const keyFilter = (r: any): Filters => (by === 'unit' ? { orgId: r.key } : by === 'category' ? { category: r.key } : by === 'method' ? { method: r.key } : by === 'month' ? { from: r.key, to: r.key } : { supplierId: r.key });
        const cols: SortColumn<any>[] = [
          { label: t(`reports.dim.${by}`), value: label },
          { label: t('reports.col.projects'), value: (r) => r.projects, numeric: true },
          { label: t('reports.col.budget'), value: (r) => r.budgetFen, cell: (r) => yuanShort(r.budgetFen), numeric: true },
          { label: t('reports.col.award'), value: (r) => r.awardFen, cell: (r) => yuanShort(r.awardFen), numeric: true },
          { label: t('reports.col.savings'), value: (r) => r.savingsFen, cell: (r) => yuanShort(r.savingsFen), numeric: true },
          { label: t('reports.col.savingsRate'), value: (r) => r.savingsBp, cell: (r) => pct(r.savingsBp), numeric: true },
        ];
        const bars = d.rows.map((r: any) => ({ label: label(r), value: r.awardFen, onClick: () => drillInto(keyFilter(r), label(r)) }));
        mount(
          body,
          h('div', { class: 'toolbar dims', role: 'tablist' }, DIMS.map((x) => h('button', { type: 'button', class: x === by ? 'active' : '', 'aria-pressed': x === by ? 'true' : 'false', onclick: () => { by = x; void render(); } }, t(`reports.dim.${x}`)))),
          h('div', { class: 'figures' }, figure(t('reports.col.award'), yuanShort(d.totals.awardFen), 'total-award'), figure(t('reports.col.budget'), yuanShort(d.totals.budgetFen)), figure(t('reports.col.savingsRate'), pct(d.totals.savingsBp), 'total-savings'), figure(t('reports.col.projects'), String(d.totals.projects))),
          by === 'month' ? columnChart(bars, yuanShort, { testId: 'chart' }) : barChart(bars, yuanShort, { testId: 'chart' }),
          sortableTable(cols, d.rows, { testId: 'report-table', onRow: (r) => drillInto(keyFilter(r), label(r)), footer: [t('reports.total'), String(d.totals.projects), yuanShort(d.totals.budgetFen), yuanShort(d.totals.awardFen), yuanShort(d.totals.savingsFen), pct(d.totals.savingsBp)] }),
          exportButtons('spend', () => ({ ...toParams(f), by })),
        );
      } else if (tab === 'savings') {
        const d = await api('GET', `/api/reports/savings?${query(f)}`);
        const cols: SortColumn<any>[] = [
          { label: t('reports.method'), value: (r) => methodName(r.method) },
          { label: t('reports.col.projects'), value: (r) => r.projects, numeric: true },
          { label: t('reports.col.budget'), value: (r) => r.budgetFen, cell: (r) => yuanShort(r.budgetFen), numeric: true },
          { label: t('reports.col.award'), value: (r) => r.awardFen, cell: (r) => yuanShort(r.awardFen), numeric: true },
          { label: t('reports.col.savingsRate'), value: (r) => r.savingsBp, cell: (r) => pct(r.savingsBp), numeric: true },
          { label: t('reports.col.ceilingSavingsRate'), value: (r) => (r.method === 'online_price_competition' ? r.ceilingSavingsBp : null), cell: (r) => (r.method === 'online_price_competition' ? pct(r.ceilingSavingsBp) : '—'), numeric: true },
        ];
        mount(
          body,
          h('div', { class: 'figures' }, figure(t('reports.col.savingsRate'), pct(d.totals.savingsBp), 'total-savings'), figure(t('reports.col.savings'), yuanShort(d.totals.savingsFen)), d.competition ? figure(t('reports.competitionCeiling'), pct(d.competition.savingsBp), 'competition-savings') : null),
          barChart(d.rows.map((r: any) => ({ label: methodName(r.method), value: r.savingsBp ?? 0, onClick: () => drillInto({ method: r.method }, methodName(r.method)) })), pct, { testId: 'chart' }),
          sortableTable(cols, d.rows, { testId: 'report-table', onRow: (r) => drillInto({ method: r.method }, methodName(r.method)) }),
          exportButtons('savings', () => toParams(f)),
        );
      } else if (tab === 'cycle') {
        const d = await api('GET', `/api/reports/cycle?${query(f)}`);
        const cols: SortColumn<any>[] = [
          { label: t('reports.method'), value: (r) => methodName(r.method) },
          { label: t('reports.stage'), value: (r) => stageName(r.stage) },
          { label: t('reports.col.count'), value: (r) => r.count, numeric: true },
          { label: t('reports.col.avgDays'), value: (r) => r.avgDays, cell: (r) => (r.avgDays ?? 0).toFixed(2), numeric: true },
        ];
        const days = (v: number) => t('reports.days', { n: v.toFixed(1) });
        mount(
          body,
          h('h3', {}, t('reports.reqToContract')),
          barChart(d.requisitionToContract.map((r: any) => ({ label: methodName(r.method), value: r.avgDays ?? 0 })), days, { testId: 'chart' }),
          sortableTable(cols, d.rows, { testId: 'report-table', onRow: (r) => drillInto({ method: r.method }, methodName(r.method)) }),
          exportButtons('cycle', () => toParams(f)),
        );
      } else if (tab === 'suppliers') {
        const d = await api('GET', `/api/reports/suppliers?${query(f)}`);
        const cols: SortColumn<any>[] = [
          { label: t('reports.col.supplier'), value: (r) => r.name },
          { label: t('reports.col.size'), value: (r) => t(`reports.size.${r.size}`) },
          { label: t('reports.col.projects'), value: (r) => r.projects, numeric: true },
          { label: t('reports.col.award'), value: (r) => r.awardFen, cell: (r) => yuanShort(r.awardFen), numeric: true },
          { label: t('reports.col.share'), value: (r) => r.shareBp, cell: (r) => pct(r.shareBp), numeric: true },
        ];
        mount(
          body,
          h('div', { class: 'figures' }, figure('HHI', d.hhi === null ? '—' : String(d.hhi), 'hhi'), figure(t('reports.smallShare'), pct(d.smallBusinessShareBp), 'small-share'), figure(t('reports.top4'), pct(d.top4ShareBp)), figure(t('reports.suppliersCount'), String(d.suppliers))),
          h('p', { class: 'muted small' }, t('reports.hhiHint')),
          barChart(d.bySize.map((x: any) => ({ label: t(`reports.size.${x.size}`), value: x.awardFen })), yuanShort),
          barChart(d.rows.map((r: any) => ({ label: r.name, value: r.awardFen, onClick: () => drillInto({ supplierId: String(r.supplierId) }, r.name) })), yuanShort, { testId: 'chart' }),
          sortableTable(cols, d.rows, { testId: 'report-table', onRow: (r) => drillInto({ supplierId: String(r.supplierId) }, r.name) }),
          exportButtons('suppliers', () => toParams(f)),
        );
      } else {
        const y = (from.value || `${year}-01`).slice(0, 4);
        // Budget lines have no supplier; every other filter applies (period, category, method narrow frozen and spent).
        const bf: Filters = { year: y, from: f.from, to: f.to, orgId: f.orgId, category: f.category, method: f.method };
        const d = await api('GET', `/api/reports/budget?${query(bf)}`);
        const cols: SortColumn<any>[] = [
          { label: t('reports.col.budgetLine'), value: (r) => r.code, cell: (r) => h('span', {}, r.code, h('div', { class: 'muted small' }, r.name)) },
          { label: t('reports.unit'), value: (r) => (locale() === 'en' ? r.unitEn : r.unitZh) },
          { label: t('reports.col.allocated'), value: (r) => r.allocatedFen, cell: (r) => yuanShort(r.allocatedFen), numeric: true },
          { label: t('reports.col.frozen'), value: (r) => r.frozenFen, cell: (r) => yuanShort(r.frozenFen), numeric: true },
          { label: t('reports.col.spent'), value: (r) => r.spentFen, cell: (r) => yuanShort(r.spentFen), numeric: true },
          { label: t('reports.col.available'), value: (r) => r.availableFen, cell: (r) => yuanShort(r.availableFen), numeric: true },
          { label: t('reports.col.execution'), value: (r) => r.executionBp, cell: (r) => pct(r.executionBp), numeric: true },
        ];
        mount(
          body,
          h('div', { class: 'figures' }, figure(t('reports.col.allocated'), yuanShort(d.totals.allocatedFen)), figure(t('reports.col.spent'), yuanShort(d.totals.spentFen)), figure(t('reports.col.frozen'), yuanShort(d.totals.frozenFen)), figure(t('reports.col.execution'), pct(d.totals.executionBp), 'execution')),
          d.activityFiltered ? h('p', { class: 'muted small', 'data-testid': 'budget-filter-hint' }, t('reports.budgetFilteredHint')) : null,
          sortableTable(cols, d.rows, { testId: 'report-table', onRow: (r) => drillInto({ orgId: String(r.orgId) }, locale() === 'en' ? r.unitEn : r.unitZh) }),
          exportButtons('budget', () => toParams(bf)),
        );
      }
    } catch (e) {
      mount(body, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message })));
    }
  }

  const tabs = h('div', { class: 'tabs', role: 'tablist' });
  const renderTabs = () => mount(tabs, TABS.map((x) => h('button', { type: 'button', role: 'tab', class: x === tab ? 'active' : '', 'aria-selected': x === tab ? 'true' : 'false', 'data-testid': `tab-${x}`, onclick: () => { tab = x; renderTabs(); void render(); } }, t(`reports.tab.${x}`))));
  renderTabs();
  void api('GET', '/api/reports/options').then((o) => {
    for (const u of o.units) unit.appendChild(h('option', { value: String(u.id) }, locale() === 'en' ? u.nameEn : u.nameZh));
    for (const c of o.categories) category.appendChild(h('option', { value: c.code }, `${c.parentCode ? '\u00a0\u00a0' : ''}${c.code} ${locale() === 'en' ? c.nameEn : c.nameZh}`));
  });
  mount(
    root,
    h('h1', {}, t('reports.title')),
    h(
      'form',
      { class: 'filters', 'data-testid': 'report-filters', onsubmit: (e: Event) => { e.preventDefault(); void render(); } },
      // Every filter with its name written beside it, not only for screen readers.
      ([['reports.from', from], ['reports.to', to], ['reports.unit', unit], ['reports.category', category], ['reports.method', method]] as const).map(([key, field]) => h('label', { class: 'filter', 'data-filter': field.name }, h('span', { class: 'filter-label' }, t(key)), field)),
      h('button', { type: 'submit' }, t('reports.apply')),
    ),
    tabs,
    body,
    drill,
  );
  void render();
  return root;
}
