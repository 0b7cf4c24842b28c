// Portal: award results with winner and price (searchable), a project's public page with its
// timeline, and the home page figures. Public, no login; readable on a phone.
import './portal.css';
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale, formatTime } from '../../i18n';
import { amountSpan } from '../../widgets';

const METHODS = ['public_tender', 'invitational_tender', 'online_price_competition', 'framework_order', 'inquiry', 'competitive_negotiation', 'competitive_consultation', 'single_source'];
const pct = (bp: number | null) => (bp === null ? '—' : `${(bp / 100).toFixed(2)}%`);
const unitOf = (r: { orgNameZh: string; orgNameEn: string }) => (locale() === 'en' ? r.orgNameEn : r.orgNameZh);
const yuanToFen = (v: string) => (v.trim() === '' ? '' : String(Math.round(Number(v) * 100)));

export function homeFigures(): HTMLElement {
  const box = h('div', { class: 'portal-figures', 'data-testid': 'portal-figures' });
  void api('GET', '/api/portal/stats').then((s) =>
    mount(
      box,
      [
        [t('portal.fig.awarded', { year: s.year }), String(s.awardedProjects)],
        [t('portal.fig.value'), amountSpan(s.awardFen)],
        [t('portal.fig.savings'), pct(s.savingsBp)],
        [t('portal.fig.sme'), pct(s.smallBusinessShareBp)],
        [t('portal.fig.open'), String(s.openProcedures)],
        [t('portal.fig.notices'), String(s.noticesThisYear)],
      ].map(([label, value]) => h('div', { class: 'portal-figure' }, h('strong', {}, value), h('span', {}, label as string))),
    ),
  );
  return box;
}

export function resultList(items: any[]): HTMLElement {
  return h(
    'ul',
    { class: 'result-list', 'data-testid': 'result-list' },
    items.length
      ? items.map((r) =>
          h(
            'li',
            {},
            h('a', { href: `/portal/projects/${encodeURIComponent(r.ref)}`, 'data-link': '', class: 'result-title' }, r.title),
            h('div', { class: 'result-facts' },
              h('span', { class: 'winner' }, t('portal.winner'), ': ', h('b', {}, r.supplierName)),
              h('span', { class: 'price' }, t('portal.price'), ': ', h('b', {}, amountSpan(r.awardFen))),
              h('span', { class: 'muted' }, `${t('portal.budget')} `, amountSpan(r.budgetFen), ` · ${t('portal.savings')} ${pct(r.savingsBp)}`),
            ),
            h('div', { class: 'muted small' }, [unitOf(r), t(`reports.method.${r.method}`), r.ref, formatTime(r.awardedAt)].join(' · ')),
          ),
        )
      : h('li', { class: 'muted' }, t('table.empty')),
  );
}

/** Filter controls shared by the results and notices pages: unit, category, method, dates, amounts. */
export function searchFilters(params: URLSearchParams) {
  const method = h('select', { name: 'method', 'aria-label': t('portal.method') }, h('option', { value: '' }, t('portal.allMethods')), METHODS.map((m) => h('option', { value: m }, t(`reports.method.${m}`))));
  method.value = params.get('method') ?? '';
  const unit = h('select', { name: 'orgId', 'aria-label': t('portal.unit') }, h('option', { value: '' }, t('portal.allUnits')));
  const category = h('select', { name: 'category', 'aria-label': t('portal.category') }, h('option', { value: '' }, t('portal.allCategories')));
  const from = h('input', { type: 'date', name: 'from', 'aria-label': t('portal.from'), value: params.get('from') ?? '' });
  const to = h('input', { type: 'date', name: 'to', 'aria-label': t('portal.to'), value: params.get('to') ?? '' });
  const min = h('input', { type: 'number', name: 'min', min: '0', step: '0.01', inputmode: 'decimal', placeholder: t('portal.minYuan'), 'aria-label': t('portal.minYuan') });
  const max = h('input', { type: 'number', name: 'max', min: '0', step: '0.01', inputmode: 'decimal', placeholder: t('portal.maxYuan'), 'aria-label': t('portal.maxYuan') });
  void api('GET', '/api/portal/units').then((units) => {
    for (const u of units) unit.appendChild(h('option', { value: String(u.id) }, unitOf(u)));
    unit.value = params.get('orgId') ?? '';
  });
  void api('GET', '/api/portal/categories').then((cats) => {
    for (const c of cats) category.appendChild(h('option', { value: c.code }, `${c.parentCode ? '\u00a0\u00a0' : ''}${locale() === 'en' ? c.nameEn : c.nameZh}`));
    category.value = params.get('category') ?? '';
  });
  return {
    controls: [unit, category, method, from, to, min, max],
    apply(p: URLSearchParams) {
      if (method.value) p.set('method', method.value);
      if (unit.value) p.set('orgId', unit.value);
      if (category.value) p.set('category', category.value);
      if (from.value) p.set('from', from.value);
      if (to.value) p.set('to', to.value);
      if (yuanToFen(min.value)) p.set('minAmountFen', yuanToFen(min.value));
      if (yuanToFen(max.value)) p.set('maxAmountFen', yuanToFen(max.value));
    },
  };
}

export function portalResultsView(): HTMLElement {
  const params = new URLSearchParams(location.search);
  const q = h('input', { type: 'search', name: 'q', placeholder: t('portal.searchResults'), value: params.get('q') ?? '', 'aria-label': t('portal.searchResults') });
  const filters = searchFilters(params);
  const out = h('div');
  let page = 1;
  const load = async () => {
    const p = new URLSearchParams({ page: String(page), pageSize: '20' });
    if (q.value.trim()) p.set('q', q.value.trim());
    filters.apply(p);
    const d = await api('GET', `/api/portal/results?${p}`);
    const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
    mount(out, resultList(d.items), h('div', { class: 'pager' }, h('span', {}, t('table.total', { n: d.total })), h('button', { disabled: page <= 1, onclick: () => { page--; void load(); } }, t('page.prev')), h('span', {}, `${page} / ${pages}`), h('button', { disabled: page >= pages, onclick: () => { page++; void load(); } }, t('page.next'))));
  };
  void load();
  return h(
    'section',
    { 'data-testid': 'portal-results' },
    h('h1', {}, t('portal.results')),
    h('form', { class: 'filters', onsubmit: (e: Event) => { e.preventDefault(); page = 1; void load(); } }, q, filters.controls, h('button', { type: 'submit' }, t('search.submit'))),
    out,
  );
}

export function portalProjectView(params: Record<string, string>): HTMLElement {
  const root = h('article', { class: 'project-page', 'data-testid': 'portal-project' });
  void api('GET', `/api/portal/projects/${encodeURIComponent(params.ref)}`).then(
    (p) =>
      mount(
        root,
        h('p', {}, h('a', { href: '/portal/results', 'data-link': '' }, t('portal.backResults'))),
        h('h1', {}, p.title),
        h('dl', { class: 'facts' },
          h('dt', {}, t('portal.ref')), h('dd', {}, p.ref),
          h('dt', {}, t('portal.unit')), h('dd', {}, locale() === 'en' ? p.orgNameEn : p.orgNameZh),
          h('dt', {}, t('portal.method')), h('dd', {}, t(`reports.method.${p.method}`)),
          h('dt', {}, t('portal.budget')), h('dd', {}, amountSpan(p.budgetFen)),
          h('dt', {}, t('portal.stage')), h('dd', {}, t(`reports.stage.${p.stage}`)),
          p.deadlineAt ? [h('dt', {}, t('portal.deadline')), h('dd', {}, formatTime(p.deadlineAt))] : null,
          h('dt', {}, 'OCID'), h('dd', {}, h('a', { href: `/api/ocds/records/${encodeURIComponent(p.ocid)}` }, p.ocid)),
        ),
        p.result
          ? h('section', { class: 'result-box', 'data-testid': 'project-result' },
              h('h2', {}, t('portal.result')),
              h('p', {}, t('portal.winner'), ': ', h('b', {}, p.result.supplierName)),
              h('p', {}, t('portal.price'), ': ', h('b', {}, amountSpan(p.result.awardFen)), ` (${t('portal.savings')} ${pct(p.result.savingsBp)})`),
              p.contract ? h('p', {}, t('portal.contractSigned', { ref: p.contract.ref, date: formatTime(p.contract.signedAt) })) : null,
            )
          : p.failureReason
            ? h('p', { class: 'error' }, t('portal.failed'))
            : null,
        h('h2', {}, t('portal.items')),
        h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, '#'), h('th', {}, t('portal.item')), h('th', { class: 'num' }, t('portal.quantity')))), h('tbody', {}, p.items.map((i: any) => h('tr', {}, h('td', {}, String(i.lineNo)), h('td', {}, i.name, h('div', { class: 'muted small' }, i.specification)), h('td', { class: 'num' }, `${i.quantity} ${i.unit}`)))))),
        h('h2', {}, t('portal.timeline')),
        h('ol', { class: 'timeline', 'data-testid': 'timeline' }, p.timeline.map((e: any) =>
          h('li', { class: `tl-${e.kind}` },
            h('time', { datetime: e.at }, formatTime(e.at)),
            e.kind === 'stage'
              ? h('span', {}, t(`reports.stage.${e.stage}`), e.until ? '' : h('span', { class: 'tag' }, t('portal.current')))
              : e.kind === 'notice'
                ? h('a', { href: `/portal/notices/${e.noticeId}`, 'data-link': '' }, `${t(`portal.kind.${e.noticeKind}`)}：${locale() === 'en' ? e.titleEn : e.titleZh}`)
                : h('span', {}, t('portal.contractSignedShort')),
          ),
        )),
      ),
    () => mount(root, h('p', { class: 'error' }, t('notFound'))),
  );
  return root;
}
