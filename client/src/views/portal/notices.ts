// Public notices: home (latest), searchable list, and one notice in full.
import { h, mount } from '../../dom';
import { api } from '../../api';
import { t, locale, formatTime } from '../../i18n';
import { homeFigures, resultList, searchFilters } from './results';
import { amountSpan, withWholeAmounts } from '../../widgets';

export interface NoticeSummary {
  id: number;
  kind: string;
  titleZh: string;
  titleEn: string;
  orgNameZh: string | null;
  orgNameEn: string | null;
  method: string | null;
  amountFen: number | null;
  publishedAt: string;
}

const KINDS = ['tender', 'competition', 'amendment', 'clarification', 'single_source', 'failure', 'award', 'contract', 'intention', 'other'];
const title = (n: NoticeSummary) => (locale() === 'en' ? n.titleEn : n.titleZh);
const unit = (n: NoticeSummary) => (locale() === 'en' ? n.orgNameEn : n.orgNameZh) ?? '';

/** Unit · amount · time, the amount kept on one line. */
function facts(n: NoticeSummary): Array<string | Node> {
  const parts: Array<string | Node> = [unit(n), n.amountFen !== null ? amountSpan(n.amountFen) : '', formatTime(n.publishedAt)].filter((x) => x !== '');
  return parts.flatMap((x, i) => (i ? [' · ', x] : [x]));
}

function noticeList(items: NoticeSummary[]): HTMLElement {
  return h(
    'ul',
    { class: 'notice-list', 'data-testid': 'notice-list' },
    items.length
      ? items.map((n) =>
          h(
            'li',
            {},
            h('span', { class: `tag kind-${n.kind}` }, t(`portal.kind.${n.kind}`)),
            h('a', { href: `/portal/notices/${n.id}`, 'data-link': '' }, title(n)),
            h('span', { class: 'muted small' }, facts(n)),
          ),
        )
      : h('li', { class: 'muted' }, t('table.empty')),
  );
}

export function portalHomeView(): HTMLElement {
  const list = h('div');
  const results = h('div');
  void api('GET', '/api/portal/notices?pageSize=15').then((d) => mount(list, noticeList(d.items)));
  void api('GET', '/api/portal/results?pageSize=5').then((d) => mount(results, resultList(d.items)));
  return h(
    'section',
    { 'data-testid': 'portal-home' },
    h('h1', { class: 'tagline' }, t('portal.tagline')),
    homeFigures(),
    h('h2', {}, t('portal.latest')),
    list,
    h('h2', {}, t('portal.latestResults')),
    results,
    h('p', {}, h('a', { href: '/portal/results', 'data-link': '' }, t('portal.moreResults')), ' · ', h('a', { href: '/api/ocds/releases' }, t('portal.openData'))),
  );
}

export function portalNoticesView(): HTMLElement {
  const params = new URLSearchParams(location.search);
  const kind = h('select', { name: 'kind', 'aria-label': t('portal.kind') }, h('option', { value: '' }, t('portal.allKinds')), KINDS.map((k) => h('option', { value: k }, t(`portal.kind.${k}`))));
  kind.value = params.get('kind') ?? '';
  const q = h('input', { type: 'search', name: 'q', placeholder: t('search.placeholder'), value: params.get('q') ?? '', 'aria-label': t('search.placeholder') });
  const filters = searchFilters(params);
  const out = h('div');
  let page = 1;
  const load = async () => {
    const p = new URLSearchParams({ page: String(page), pageSize: '20' });
    for (const [k, el] of [['kind', kind], ['q', q]] as const) if (el.value) p.set(k, el.value);
    filters.apply(p);
    const d = await api('GET', `/api/portal/notices?${p}`);
    const pages = Math.max(1, Math.ceil(d.total / d.pageSize));
    mount(
      out,
      noticeList(d.items),
      h(
        'div',
        { class: 'pager' },
        h('span', {}, t('table.total', { n: d.total })),
        h('button', { disabled: page <= 1, onclick: () => { page--; void load(); } }, t('page.prev')),
        h('span', {}, `${page} / ${pages}`),
        h('button', { disabled: page >= pages, onclick: () => { page++; void load(); } }, t('page.next')),
      ),
    );
  };
  void load();
  return h(
    'section',
    { 'data-testid': 'portal-notices' },
    h('h1', {}, t('portal.notices')),
    h('form', { class: 'filters', onsubmit: (e: Event) => { e.preventDefault(); page = 1; void load(); } }, kind, q, filters.controls, h('button', { type: 'submit' }, t('search.submit'))),
    out,
  );
}

export function portalNoticeView(params: Record<string, string>): HTMLElement {
  const root = h('article', { class: 'notice', 'data-testid': 'portal-notice' });
  void api('GET', `/api/portal/notices/${encodeURIComponent(params.id)}`).then(
    (n) =>
      mount(
        root,
        h('p', {}, h('a', { href: '/portal/notices', 'data-link': '' }, t('portal.back'))),
        h('span', { class: `tag kind-${n.kind}` }, t(`portal.kind.${n.kind}`)),
        h('h1', {}, locale() === 'en' ? n.titleEn : n.titleZh),
        h('p', { class: 'muted' }, facts(n)),
        h('div', { class: 'notice-body' }, (locale() === 'en' ? n.bodyEn : n.bodyZh).split('\n').map((line: string) => h('p', {}, withWholeAmounts(line)))),
        n.attachments.length ? h('div', {}, h('h3', {}, t('portal.attachments')), h('ul', {}, n.attachments.map((a: { name: string; url: string }) => h('li', {}, h('a', { href: a.url }, a.name))))) : null,
      ),
    () => mount(root, h('p', { class: 'error' }, t('notFound'))),
  );
  return root;
}
