// The live monitoring board: the server pushes the whole board on channel supervision:board
// whenever something changes, and each new alert on supervision:alerts; no reload needed.
// It fits a screen: each section is collapsed to its heading and count until opened (which
// sections are open is remembered for the page), and the open alerts are read a page at a time.
import './style.css';
import { h, mount } from '../../dom';
import { t, locale } from '../../i18n';
import { api } from '../../api';
import { live } from '../../main';
import { alertSummary, occurrencesTag, severityTag, statusTag, when, type Alert } from './common';
import { evidenceTable } from './evidence';
import { platformStatusPanel } from '../platform/status';
import { methodName, stageName } from '../../names';
import { unconfirmedNotice } from '../calendar/marks';

type Named = { title: string; ref?: string | null; step?: { zh: string; en: string }; stage?: string };
/** A step or stage by its name (in the user's language) and the reference of its requisition or project. */
function stepTitle(d: Named): string {
  const name = d.step ? (locale() === 'en' ? d.step.en : d.step.zh) : d.stage ? stageName(d.stage) : null;
  return name ? `${name} ${d.ref ?? ''}`.trim() : d.title;
}

type Missing = { available: false; source: string };
interface Board {
  generatedAt: string;
  projects: Missing | { available: true; total: number; byStageMethod: Array<{ stage: string; method: string; count: number }> };
  competitions: Missing | { available: true; running: Array<{ id: string; code: string | null; title: string; endsAt: string | null; bids: number }> };
  deadlinesToday: Missing | { available: true; items: Array<Named & { kind: string; id: string; dueAt: string }> };
  overdueSteps: Missing | { available: true; items: Array<Named & { kind: string; id: string; dueAt: string; overdueHours: number }> };
  calendar?: { unconfirmedYears: number[] };
  alerts: { open: number; bySeverity: Record<string, number> };
}

const FEED_PAGE_SIZE = 10;
const OPEN_SECTIONS = 'supervision.board.open';

const unavailable = (m: Missing) => h('p', { class: 'muted', 'data-testid': 'unavailable' }, t('supervision.board.unavailable', { source: m.source }));
const list = (items: Node[]) => (items.length ? h('ul', { class: 'notice-list' }, items) : h('p', { class: 'muted' }, t('supervision.board.none')));

/** The open alerts, newest first, a page at a time; each with its count of occurrences and its evidence. */
function alertFeed(): { el: HTMLElement; reload: () => Promise<void> } {
  const el = h('div', { 'data-testid': 'board-alert-feed' });
  let page = 1;
  let generation = 0;
  const reload = async () => {
    const mine = ++generation;
    const data = await api<{ items: Alert[]; total: number; page: number; pageSize: number }>('GET', `/api/supervision/alerts?open=true&page=${page}&pageSize=${FEED_PAGE_SIZE}`);
    const pages = Math.max(1, Math.ceil(data.total / data.pageSize));
    if (page > pages) {
      page = pages;
      return reload();
    }
    if (mine !== generation) return;
    el.dataset.page = String(page);
    mount(
      el,
      list(
        data.items.map((a) =>
          h(
            'li',
            { 'data-alert-id': String(a.id), 'data-rule': a.ruleCode, 'data-occurrences': String(a.occurrences) },
            h(
              'div',
              { class: 'feed-line' },
              severityTag(a.severity),
              statusTag(a.status),
              h('a', { href: `/supervision/alerts/${a.id}` }, `${a.ruleCode} ${alertSummary(a)}`),
              occurrencesTag(a),
              h('span', { class: 'muted small' }, `${a.orgName ?? ''} ${when(a.raisedAt)}`),
            ),
            h('details', { class: 'feed-evidence' }, h('summary', {}, t('supervision.alerts.evidence')), evidenceTable(a.evidence as Record<string, unknown> | null)),
          ),
        ),
      ),
      h(
        'div',
        { class: 'pager', 'data-testid': 'board-alert-pager' },
        h('span', {}, t('table.total', { n: data.total })),
        h('button', { type: 'button', 'data-testid': 'board-alert-prev', disabled: page <= 1, onclick: () => { page--; void reload(); } }, t('page.prev')),
        h('span', { 'data-testid': 'board-alert-page' }, `${page} / ${pages}`),
        h('button', { type: 'button', 'data-testid': 'board-alert-next', disabled: page >= pages, onclick: () => { page++; void reload(); } }, t('page.next')),
      ),
    );
  };
  return { el, reload };
}

function render(b: Board, feed: HTMLElement, opened: Set<string>, remember: () => void): Node[] {
  /** A section collapsed to its heading with its count; opening or closing it is remembered. */
  const section = (id: string, title: string, count: number | null, body: Node, wide = false) => {
    const d = h(
      'details',
      { class: wide ? 'board-card wide' : 'board-card', 'data-testid': `board-${id}`, 'data-count': count === null ? undefined : String(count), open: opened.has(id) },
      h('summary', {}, h('h2', {}, title, ' ', h('span', { class: 'count', 'data-testid': `board-${id}-count` }, count === null ? '—' : String(count)))),
      body,
    );
    d.addEventListener('toggle', () => {
      if (d.open) opened.add(id);
      else opened.delete(id);
      remember();
    });
    return d;
  };
  const n = <T>(s: Missing | ({ available: true } & T), count: (x: T) => number) => (s.available ? count(s as T) : null);
  return [
    h('p', { class: 'muted small', 'data-testid': 'board-updated' }, t('supervision.board.updated', { time: when(b.generatedAt) })),
    ...[unconfirmedNotice(b.calendar?.unconfirmedYears, true)].filter((x): x is HTMLElement => x !== null),
    h(
      'div',
      { class: 'board-grid' },
      section(
        'alerts',
        t('supervision.board.alerts'),
        b.alerts.open,
        h(
          'div',
          {},
          h('p', { 'data-testid': 'board-open-alerts', 'data-count': String(b.alerts.open) }, t('supervision.board.openAlerts', { n: b.alerts.open }), ' ', ...Object.entries(b.alerts.bySeverity).map(([s, k]) => h('span', {}, severityTag(s), ` ${k} `))),
          feed,
        ),
        true,
      ),
      section(
        'competitions',
        t('supervision.board.competitions'),
        n(b.competitions, (c: { running: unknown[] }) => c.running.length),
        b.competitions.available ? list(b.competitions.running.map((c) => h('li', {}, h('span', {}, `${c.code ?? c.id} ${c.title}`), h('span', { class: 'muted small' }, t('supervision.board.bids', { n: c.bids }), ' ', c.endsAt ? t('supervision.board.endsAt', { time: when(c.endsAt) }) : '')))) : unavailable(b.competitions),
      ),
      section(
        'deadlines',
        t('supervision.board.deadlines'),
        n(b.deadlinesToday, (d: { items: unknown[] }) => d.items.length),
        b.deadlinesToday.available ? list(b.deadlinesToday.items.map((d) => h('li', {}, h('span', {}, stepTitle(d)), h('span', { class: 'muted small' }, when(d.dueAt))))) : unavailable(b.deadlinesToday),
      ),
      section(
        'overdue',
        t('supervision.board.overdue'),
        n(b.overdueSteps, (d: { items: unknown[] }) => d.items.length),
        b.overdueSteps.available ? list(b.overdueSteps.items.map((d) => h('li', {}, h('span', {}, stepTitle(d)), h('span', { class: 'tag' }, t('supervision.board.overdueHours', { n: d.overdueHours }))))) : unavailable(b.overdueSteps),
      ),
      section(
        'projects',
        t('supervision.board.projects'),
        n(b.projects, (p: { total: number }) => p.total),
        b.projects.available
          ? h(
              'div',
              {},
              h('p', {}, t('supervision.board.total', { n: b.projects.total })),
              h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, t('supervision.board.stage')), h('th', {}, t('supervision.board.method')), h('th', { class: 'num' }, t('supervision.board.count')))), h('tbody', {}, b.projects.byStageMethod.map((r) => h('tr', {}, h('td', {}, stageName(r.stage)), h('td', {}, methodName(r.method)), h('td', { class: 'num' }, String(r.count))))))),
            )
          : unavailable(b.projects),
        true,
      ),
    ),
  ];
}

export function boardView(): HTMLElement {
  const body = h('div', { 'data-testid': 'supervision-board' });
  const toast = h('p', { class: 'toast', role: 'status', 'data-testid': 'board-toast' });
  const root = h('section', { class: 'board-page' }, h('h1', {}, t('supervision.board.title')), toast, platformStatusPanel(), body);
  let opened = new Set<string>();
  try {
    opened = new Set(JSON.parse(sessionStorage.getItem(OPEN_SECTIONS) ?? '[]') as string[]);
  } catch {
    /* a damaged entry: start collapsed */
  }
  const remember = () => sessionStorage.setItem(OPEN_SECTIONS, JSON.stringify([...opened]));
  const feed = alertFeed();
  const feedError = (e: unknown) => mount(feed.el, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message })));
  void feed.reload().catch(feedError);
  const show = (b: Board) => mount(body, ...render(b, feed.el, opened, remember));
  let pushed = false; // a live board that arrived first is newer than the initial read's answer
  live.subscribe('supervision:board');
  live.subscribe('supervision:alerts');
  const off = live.onMessage((m) => {
    if (!root.isConnected) {
      live.unsubscribe('supervision:board');
      live.unsubscribe('supervision:alerts');
      return off();
    }
    // The server confirms each subscription: from here a new alert reaches this page.
    if (m.type === 'subscribed' && m.channel === 'supervision:alerts') root.dataset.liveAlerts = 'on';
    if (m.type === 'supervision.board') {
      pushed = true;
      show(m.board);
    }
    if (m.type === 'supervision.alert') {
      void feed.reload().catch(feedError);
      if (m.change === 'raised') toast.textContent = t('supervision.alerts.newAlert', { rule: `${m.alert.ruleCode} ${alertSummary(m.alert)}` });
      if (m.change === 'repeated') toast.textContent = t('supervision.alerts.repeatedAlert', { rule: `${m.alert.ruleCode} ${alertSummary(m.alert)}`, n: m.alert.occurrences });
    }
  });
  void api<Board>('GET', '/api/supervision/board').then((b) => pushed || show(b), (e) => mount(body, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
