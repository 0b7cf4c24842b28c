// The home screen (工作台): the signed-in user's to-do list from GET /api/home, one row per kind
// of work for each of their roles, with the count, the earliest time limit in the user's time
// zone, overdue work marked, and a link to where it is done; then the server time.
import { h, mount, newestOnly } from '../dom';
import { api } from '../api';
import { t, formatTime, type MessageKey } from '../i18n';
import { session } from '../session';
import { live } from '../main';
import './home/home.css';
import { urgentFirst, type WorkItem } from './home/order';

/** What the time of an item means: a time limit, or when competitions start or end. */
const TIME_LABEL: Record<string, string> = {
  'operator.competitions.today': 'home.startsAt',
  'supplier.competitions.today': 'home.startsAt',
  'supplier.competitions.running': 'home.endsAt',
};

function workRow(i: WorkItem, timeZone: string): HTMLElement {
  const late = (i.overdue ?? 0) > 0;
  return h(
    'li',
    { class: `home-item${late ? ' home-late' : ''}${i.severity ? ` home-sev-${i.severity}` : ''}`, 'data-testid': 'home-item', 'data-key': i.key, 'data-count': String(i.count), 'data-overdue': String(i.overdue ?? 0) },
    h('a', { class: 'home-link', href: i.href, 'data-link': '', 'data-testid': 'home-link' }, h('span', { class: 'home-count', 'data-testid': 'home-count' }, String(i.count)), h('span', { class: 'home-label' }, t(`home.item.${i.key}`))),
    i.severity || i.dueAt || late
      ? h(
          'div',
          { class: 'home-meta' },
          i.severity ? h('span', { class: `tag sev-${i.severity}` }, t(`supervision.severity.${i.severity}`)) : null,
          i.dueAt ? h('span', { 'data-testid': 'home-due' }, t(TIME_LABEL[i.key] ?? 'home.due', { time: formatTime(i.dueAt, timeZone) })) : null,
          late ? h('span', { class: 'home-overdue', 'data-testid': 'home-overdue' }, t('home.overdue', { n: i.overdue! })) : null,
        )
      : null,
  );
}

function worklist(items: WorkItem[], roles: string[], timeZone: string): HTMLElement[] {
  const out: HTMLElement[] = [];
  const waiting = urgentFirst(items.filter((i) => i.count > 0));
  if (!waiting.length) out.push(h('h2', {}, t('home.waiting')), h('p', { class: 'home-empty', 'data-testid': 'home-empty' }, t('home.empty')));
  // One group per role when the user holds several.
  const several = roles.length > 1;
  for (const role of roles) {
    const mine = waiting.filter((i) => i.role === role);
    if (!mine.length) continue;
    // No total: kinds of work overlap (an alert assigned to me is also an open alert of its severity).
    out.push(h('h2', {}, several ? t('home.waitingAs', { role: t(`role.${role}` as MessageKey) }) : t('home.waiting')));
    out.push(h('ul', { class: 'home-list', 'data-testid': 'home-list' }, mine.map((i) => workRow(i, timeZone))));
  }
  const done = items.filter((i) => i.count === 0);
  if (done.length) {
    out.push(
      h('h2', {}, t('home.noneGroup')),
      h('ul', { class: 'home-done', 'data-testid': 'home-done' }, done.map((i) => h('li', { 'data-testid': 'home-item', 'data-key': i.key, 'data-count': '0' }, h('a', { href: i.href, 'data-link': '' }, t(`home.item.${i.key}`), ' · ', t('home.none'))))),
    );
  }
  return out;
}

export function homeView(): HTMLElement {
  const u = session.user!;
  const clock = h('p', { 'data-testid': 'server-time' });
  const tick = () => {
    if (!clock.isConnected && clock.dataset.started) return clearInterval(timer);
    clock.dataset.started = '1';
    clock.textContent = t('home.serverTime', { time: formatTime(new Date(Date.now() + session.serverOffsetMs).toISOString(), u.timeZone) });
  };
  const timer = setInterval(tick, 1000);
  tick();
  const work = h('div', { 'data-testid': 'home-work', 'data-state': 'loading' }, h('p', { class: 'muted' }, t('home.loading')));
  const root = h(
    'section',
    { class: 'home', 'data-testid': 'home' },
    h('h1', {}, t('home.title')),
    h('div', { class: 'home-head' }, h('p', {}, t('home.welcome', { name: u.displayName })), h('p', {}, t('home.role', { role: u.roles.map((r) => t(`role.${r}` as MessageKey)).join(' / ') })), clock),
    work,
  );
  const load = newestOnly(async (stale) => {
    try {
      const { items } = await api<{ items: WorkItem[] }>('GET', '/api/home');
      if (stale()) return;
      mount(work, worklist(items, u.roles, u.timeZone));
      work.dataset.state = 'ready';
    } catch {
      if (stale()) return;
      mount(work, h('p', { class: 'error', role: 'alert' }, t('home.error')));
      work.dataset.state = 'error';
    }
  });
  void load();
  // Work that reaches this user (an approval step, a decision, an invitation) arrives on their own channel.
  const off = live.onMessage((m: { type?: string }) => {
    if (!root.isConnected) return off();
    if (m.type && m.type !== 'hello' && m.type !== 'pong' && m.type !== 'subscribed') void load();
  });
  return root;
}
