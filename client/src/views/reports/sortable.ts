// A table whose columns sort on click (numbers numerically, text by locale), with an optional
// row action (drill-down). Rows are plain objects; cells format themselves.
import { h, mount } from '../../dom';
import { t } from '../../i18n';

export interface SortColumn<T> {
  label: string;
  value: (row: T) => string | number | null;
  cell?: (row: T) => string | Node;
  numeric?: boolean;
}

export function sortableTable<T>(columns: SortColumn<T>[], rows: T[], opts: { testId?: string; onRow?: (row: T) => void; footer?: Array<string | Node> } = {}): HTMLElement {
  let sortBy = -1;
  let dir: 1 | -1 = 1;
  const wrap = h('div', { class: 'table-wrap' });
  const render = () => {
    const sorted = sortBy < 0 ? rows : [...rows].sort((a, b) => {
      const x = columns[sortBy].value(a);
      const y = columns[sortBy].value(b);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * dir;
    });
    mount(
      wrap,
      h(
        'table',
        { class: 'sortable', 'data-testid': opts.testId },
        h('thead', {}, h('tr', {}, columns.map((c, i) =>
          h('th', { class: c.numeric ? 'num' : '', 'aria-sort': i === sortBy ? (dir === 1 ? 'ascending' : 'descending') : 'none' },
            h('button', { type: 'button', class: 'sort', onclick: () => { dir = sortBy === i ? (dir === 1 ? -1 : 1) : c.numeric ? -1 : 1; sortBy = i; render(); } }, c.label, i === sortBy ? (dir === 1 ? ' ▲' : ' ▼') : ''),
          ),
        ))),
        h('tbody', {}, sorted.length
          ? sorted.map((r) => h('tr', { class: opts.onRow ? 'clickable' : '', onclick: opts.onRow ? () => opts.onRow!(r) : undefined, title: opts.onRow ? t('reports.drillHint') : undefined }, columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.cell ? c.cell(r) : String(c.value(r) ?? '')))))
          : h('tr', {}, h('td', { colspan: columns.length, class: 'empty' }, t('table.empty')))),
        opts.footer ? h('tfoot', {}, h('tr', {}, opts.footer.map((f, i) => h('td', { class: columns[i]?.numeric ? 'num' : '' }, f)))) : null,
      ),
    );
  };
  render();
  return wrap;
}
