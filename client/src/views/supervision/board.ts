// The live monitoring board: the server pushes the whole board on channel supervision:board
// whenever something changes, and each new alert on supervision:alerts; no reload needed.
import './style.css';
import { h, mount } from '../../dom';
import { t, locale } from '../../i18n';
import { api } from '../../api';
import { live } from '../../main';
import { alertSummary, severityTag, statusTag, when } from './common';
import { platformStatusPanel } from '../platform/status';
import { methodName, stageName } from '../../names';

/** An overdue step by its name (in the user's language) and the reference of its requisition or project. */
function overdueTitle(d: { title: string; ref?: string | null; step?: { zh: string; en: string }; stage?: string }): string {
  const name = d.step ? (locale() === 'en' ? d.step.en : d.step.zh) : d.stage ? stageName(d.stage) : null;
  return name ? `${name} ${d.ref ?? ''}`.trim() : d.title;
}
import { unconfirmedNotice } from '../calendar/marks';

type Missing = { available: false; source: string };
interface Board {
  generatedAt: string;
  projects: Missing | { available: true; total: number; byStageMethod: Array<{ stage: string; method: string; count: number }> };
  competitions: Missing | { available: true; running: Array<{ id: string; code: string | null; title: string; endsAt: string | null; bids: number }> };
  deadlinesToday: Missing | { available: true; items: Array<{ kind: string; id: string; title: string; dueAt: string }> };
  overdueSteps: Missing | { available: true; items: Array<{ kind: string; id: string; title: string; ref?: string | null; step?: { zh: string; en: string }; stage?: string; dueAt: string; overdueHours: number }> };
  calendar?: { unconfirmedYears: number[] };
  alerts: { open: number; bySeverity: Record<string, number>; latest: Array<{ id: number; ruleCode: string; severity: string; status: string; raisedAt: string; summary: Record<string, string | number>; orgName: string | null }> };
}

const unavailable = (m: Missing) => h('p', { class: 'muted', 'data-testid': 'unavailable' }, t('supervision.board.unavailable', { source: m.source }));
const list = (items: Node[]) => (items.length ? h('ul', { class: 'notice-list' }, items) : h('p', { class: 'muted' }, t('supervision.board.none')));

function render(b: Board): Node[] {
  const card = (title: string, testId: string, body: Node, wide = false) => h('section', { class: wide ? 'board-card wide' : 'board-card', 'data-testid': testId }, h('h2', {}, title), body);
  return [
    h('p', { class: 'muted small', 'data-testid': 'board-updated' }, t('supervision.board.updated', { time: when(b.generatedAt) })),
    ...[unconfirmedNotice(b.calendar?.unconfirmedYears, true)].filter((n): n is HTMLElement => n !== null),
    h(
      'div',
      { class: 'board-grid' },
      card(
        t('supervision.board.alerts'),
        'board-alerts',
        h(
          'div',
          {},
          h('p', { 'data-testid': 'board-open-alerts', 'data-count': String(b.alerts.open) }, t('supervision.board.openAlerts', { n: b.alerts.open }), ' ', ...Object.entries(b.alerts.bySeverity).map(([s, n]) => h('span', {}, severityTag(s), ` ${n} `))),
          list(b.alerts.latest.map((a) => h('li', { 'data-alert-id': String(a.id), 'data-rule': a.ruleCode }, severityTag(a.severity), statusTag(a.status), h('a', { href: `/supervision/alerts/${a.id}` }, `${a.ruleCode} ${alertSummary(a)}`), h('span', { class: 'muted small' }, `${a.orgName ?? ''} ${when(a.raisedAt)}`)))),
        ),
      ),
      card(
        t('supervision.board.competitions'),
        'board-competitions',
        b.competitions.available ? list(b.competitions.running.map((c) => h('li', {}, h('span', {}, `${c.code ?? c.id} ${c.title}`), h('span', { class: 'muted small' }, t('supervision.board.bids', { n: c.bids }), ' ', c.endsAt ? t('supervision.board.endsAt', { time: when(c.endsAt) }) : '')))) : unavailable(b.competitions),
      ),
      card(
        t('supervision.board.deadlines'),
        'board-deadlines',
        b.deadlinesToday.available ? list(b.deadlinesToday.items.map((d) => h('li', {}, h('span', {}, d.title), h('span', { class: 'muted small' }, when(d.dueAt))))) : unavailable(b.deadlinesToday),
      ),
      card(
        t('supervision.board.overdue'),
        'board-overdue',
        b.overdueSteps.available ? list(b.overdueSteps.items.map((d) => h('li', {}, h('span', {}, overdueTitle(d)), h('span', { class: 'tag' }, t('supervision.board.overdueHours', { n: d.overdueHours }))))) : unavailable(b.overdueSteps),
      ),
      card(
        t('supervision.board.projects'),
        'board-projects',
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
  const root = h('section', {}, h('h1', {}, t('supervision.board.title')), toast, platformStatusPanel(), body);
  const show = (b: Board) => mount(body, ...render(b));
  let pushed = false; // a live board that arrived first is newer than the initial read's answer
  live.subscribe('supervision:board');
  live.subscribe('supervision:alerts');
  const off = live.onMessage((m) => {
    if (!root.isConnected) {
      live.unsubscribe('supervision:board');
      live.unsubscribe('supervision:alerts');
      return off();
    }
    if (m.type === 'supervision.board') {
      pushed = true;
      show(m.board);
    }
    if (m.type === 'supervision.alert' && m.change === 'raised') toast.textContent = t('supervision.alerts.newAlert', { rule: `${m.alert.ruleCode} ${alertSummary(m.alert)}` });
  });
  void api<Board>('GET', '/api/supervision/board').then((b) => pushed || show(b), (e) => mount(body, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
