// The public portal's framework agreements: calls for entry, entry suppliers with their agreement
// prices, and the orders placed within each agreement with their second-competition results.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, formatFen } from '../../i18n';
import { badge, facts, itemsTable, ordersTable, table, categoryText, type Agreement } from './agreements';

async function publicCategories() {
  const rows = await api<Array<{ code: string; nameZh: string; nameEn: string }>>('GET', '/api/portal/categories');
  return new Map(rows.map((c) => [c.code, c]));
}

export function portalFrameworkListView(): HTMLElement {
  const list = h('div', {}, h('p', { class: 'muted' }, '…'));
  void Promise.all([api<Agreement[]>('GET', '/api/portal/framework-agreements'), publicCategories()]).then(([rows, cats]) =>
    mount(
      list,
      table(
        'portal-framework-list',
        ['framework.ref', 'framework.name', 'framework.category', 'framework.method', 'framework.term', 'framework.status'],
        rows.map((a) => [h('a', { href: `/portal/framework-agreements/${a.ref}` }, a.ref), a.title, categoryText(cats, a.categoryCode), t(`framework.method.${a.evaluationMethod}`), `${a.termStart} — ${a.termEnd}`, badge(a.status)]),
        'framework.empty',
      ),
    ),
  );
  return h('section', { 'data-testid': 'portal-framework' }, h('h1', {}, t('framework.title')), list);
}

export function portalFrameworkView(params: Record<string, string>): HTMLElement {
  const root = h('section', { 'data-testid': 'portal-framework-agreement' }, h('p', { class: 'muted' }, '…'));
  void Promise.all([api<Agreement>('GET', `/api/portal/framework-agreements/${encodeURIComponent(params.ref)}`), publicCategories()])
    .then(([a, cats]) =>
      mount(
        root,
        h('h1', {}, `${a.ref} · ${a.title}`),
        h('p', {}, badge(a.status)),
        facts(a, cats),
        h('h2', {}, t('framework.items')),
        itemsTable(a, cats),
        h('h2', {}, t('framework.entries')),
        table('portal-framework-entries', ['framework.response.rank', 'framework.response.supplier', 'framework.entry.price', 'framework.entry.brand'], a.entries.map((e) => [String(e.rank), e.supplierName, h('span', {}, e.prices.map((p) => h('div', { class: 'amount' }, formatFen(p.unitPriceFen)))), e.prices.map((p) => `${p.brand} ${p.model}`).join('；')]), 'framework.entries.none'),
        h('h2', {}, t('framework.orders')),
        ordersTable(a.orders),
      ),
    )
    .catch((e) => mount(root, h('p', { class: 'error' }, String((e as Error).message))));
  return root;
}
