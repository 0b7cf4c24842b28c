// A paged, searchable table over a paged API listing ({items,total,page,pageSize}).
import { h, mount } from '../dom';
import { api } from '../api';
import { t, type MessageKey } from '../i18n';

export interface Column<T> {
  key: MessageKey | (string & {});
  cell: (row: T) => string | Node;
  numeric?: boolean;
}

export function pagedTable<T>(opts: { endpoint: string; columns: Column<T>[]; search?: boolean; testId: string; params?: Record<string, string> }): HTMLElement {
  const root = h('section', { class: 'table-view', 'data-testid': opts.testId });
  let page = 1;
  let q = '';
  const load = async () => {
    const params = new URLSearchParams({ ...(opts.params ?? {}), page: String(page), pageSize: '20', ...(q ? { q } : {}) });
    const data = await api<{ items: T[]; total: number; page: number; pageSize: number }>('GET', `${opts.endpoint}?${params}`);
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    const searchBox = h('input', { type: 'search', placeholder: t('search.placeholder'), value: q, 'aria-label': t('search.placeholder') });
    mount(
      root,
      opts.search
        ? h('form', { class: 'search', onsubmit: (e: Event) => { e.preventDefault(); q = searchBox.value.trim(); page = 1; void load(); } }, searchBox, h('button', { type: 'submit' }, t('search.submit')))
        : null,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          {},
          h('thead', {}, h('tr', {}, opts.columns.map((c) => h('th', { class: c.numeric ? 'num' : '' }, t(c.key))))),
          h('tbody', {}, data.items.length ? data.items.map((row) => h('tr', {}, opts.columns.map((c) => h('td', { class: c.numeric ? 'num' : '' }, c.cell(row))))) : h('tr', {}, h('td', { colspan: opts.columns.length, class: 'empty' }, t('table.empty')))),
        ),
      ),
      h(
        'div',
        { class: 'pager' },
        h('span', {}, t('table.total', { n: data.total })),
        h('button', { disabled: page <= 1, onclick: () => { page--; void load(); } }, t('page.prev')),
        h('span', {}, `${page} / ${pages}`),
        h('button', { disabled: page >= pages, onclick: () => { page++; void load(); } }, t('page.next')),
      ),
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
