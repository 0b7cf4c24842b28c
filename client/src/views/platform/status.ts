// The platform's state (database reachable, commit latency, queued bids, competitions suspended
// for an outage), live on the WebSocket channel `platform` (operators, supervisors, admins).
// The first figures come from GET /api/health/ready, which answers 503 with the same document
// (in error.details) while something is down or slow.
import { h, mount } from '../../dom';
import { t, formatTime } from '../../i18n';
import { live } from '../../main';
import './platform.css';

interface Check {
  status: 'ok' | 'slow' | 'down';
  latencyMs: number | null;
  error?: string;
}
interface PlatformStatus {
  status: 'ready' | 'unavailable';
  checkedAt: string;
  problems: string[];
  database: Check;
  commit: Check;
  sources: { bids?: { status: string; queued: number; oldestQueuedMs: number; suspendedForOutage: number } };
  outage: { since: string; ms: number } | null;
}

function render(s: PlatformStatus): Node[] {
  const ok = s.status === 'ready';
  const db = s.database.status === 'ok' ? t('platform.db.ok', { ms: s.database.latencyMs ?? 0 }) : t(`platform.db.${s.database.status}`);
  const commit = s.commit.latencyMs === null ? t('platform.commit.none') : t('platform.commit.value', { ms: s.commit.latencyMs });
  const bids = s.sources.bids;
  const nodes: Array<HTMLElement | null> = [
    h('p', {}, h('span', { class: ok ? 'tag platform-ok' : 'tag platform-bad', 'data-testid': 'platform-status', 'data-status': s.status }, t(ok ? 'platform.ready' : 'platform.unavailable'))),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, t('platform.db')),
      h('dd', { 'data-testid': 'platform-db', 'data-status': s.database.status }, db),
      h('dt', {}, t('platform.commit')),
      h('dd', { 'data-testid': 'platform-commit', 'data-status': s.commit.status }, commit),
      bids ? [h('dt', {}, t('platform.queued')), h('dd', { 'data-testid': 'platform-queued', 'data-count': String(bids.queued) }, t('platform.queued.value', { n: bids.queued, ms: bids.oldestQueuedMs }))] : null,
    ),
    s.outage ? h('p', { class: 'error', 'data-testid': 'platform-outage' }, t('platform.outage', { time: formatTime(s.outage.since), s: Math.round(s.outage.ms / 1000) })) : null,
    bids?.suspendedForOutage ? h('p', { class: 'error' }, t('platform.suspended', { n: bids.suspendedForOutage })) : null,
    s.problems.length ? h('p', { class: 'muted small', 'data-testid': 'platform-problems' }, t('platform.problems', { list: s.problems.join('; ') })) : null,
    h('p', { class: 'muted small' }, t('platform.checkedAt', { time: formatTime(s.checkedAt) })),
  ];
  return nodes.filter((n): n is HTMLElement => n !== null);
}

/** Panels on screen: the channel is left only when the last one is gone (a re-render makes a new one first). */
let panels = 0;

/** A live panel; `cls` is the card class of the page it sits on. */
export function platformStatusPanel(cls = 'board-card'): HTMLElement {
  const body = h('div', {}, h('p', { class: 'muted' }, t('platform.waiting')));
  const root = h('section', { class: cls, 'data-testid': 'platform-panel' }, h('h2', {}, t('platform.title')), body);
  let pushed = false;
  let attached = false;
  panels++;
  live.subscribe('platform');
  const off = live.onMessage((m) => {
    if (root.isConnected) attached = true;
    else if (attached) {
      off();
      if (--panels === 0) live.unsubscribe('platform');
      return;
    }
    if (m.type === 'platform.status') {
      pushed = true;
      mount(body, ...render(m.status));
    }
  });
  void fetch('/api/health/ready', { credentials: 'same-origin' })
    .then((r) => r.json())
    .then((b) => pushed || mount(body, ...render((b.error?.details ?? b) as PlatformStatus)))
    .catch(() => undefined);
  return root;
}
