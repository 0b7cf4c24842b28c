// The supervisors' evaluation watch: tenders under evaluation, and one evaluation's timeline as
// sentences, live over the channel supervision:evaluation:<id>, beside the alerts raised on it
// (SV10, SV12–SV15 arrive on supervision:alerts while the committee works).
import '../style.css';
import { h, mount } from '../../../dom';
import { t } from '../../../i18n';
import { api } from '../../../api';
import { live } from '../../../main';
import { actionName } from '../../../names';
import { docText } from '../../tendering/ui';
import { alertSummary, severityTag, statusTag, when, type Alert } from '../common';

interface TenderRow { id: number; reference: string; title: string; status: string }
interface Entry { seq: number; at: string; action: string; kind: string; actorName: string | null; expertId: number | null; bidId: number | null; ip: string | null; deviceId?: string | null; before: any; after: any; hash: string }
interface EvalView { criteria: Array<{ key: string; name: string; kind: string }>; bids: Array<{ bidId: number; supplierName?: string | null }>; committee: Array<{ expertId: number; name: string | null }> }

const RUNNING = ['evaluation', 'report_confirmation'];
const FINISHED = ['evaluated', 'awarded'];

export function evaluationsView(): HTMLElement {
  const body = h('div', { 'data-testid': 'eval-watch-list' }, h('p', { class: 'muted' }, '…'));
  const table = (rows: TenderRow[], testId: string) =>
    rows.length
      ? h('div', { class: 'table-wrap' }, h('table', { 'data-testid': testId },
          h('thead', {}, h('tr', {}, h('th', {}, t('evalWatch.reference')), h('th', {}, t('evalWatch.tender')), h('th', {}, t('evalWatch.status')), h('th', {}))),
          h('tbody', {}, rows.map((r) => h('tr', { 'data-tender-id': String(r.id) }, h('td', {}, r.reference), h('td', {}, r.title), h('td', {}, t(`tendering.status.${r.status}`)), h('td', {}, h('a', { href: `/supervision/evaluations/${r.id}` }, t('evalWatch.open')))))),
        ))
      : h('p', { class: 'muted', 'data-testid': `${testId}-empty` }, t('evalWatch.none'));
  void api<{ items: TenderRow[] }>('GET', '/api/tenders?pageSize=100').then(
    (r) => mount(body,
      h('h2', {}, t('evalWatch.running')), table(r.items.filter((x) => RUNNING.includes(x.status)), 'eval-watch-running'),
      h('h2', {}, t('evalWatch.finished')), table(r.items.filter((x) => FINISHED.includes(x.status)), 'eval-watch-finished')),
    (e) => mount(body, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))),
  );
  return h('section', {}, h('h1', {}, t('evalWatch.title')), h('p', { class: 'muted' }, t('evalWatch.intro')), body);
}

/** One timeline entry as a sentence in the reader's language. */
export function sentence(e: Entry, ctx: { bidLabel: (id: number | null) => string; criterion: (key: string) => string; member: (expertId: number | null) => string; device: (id: string | null | undefined) => string }): string {
  const actor = e.actorName ?? t(e.action.startsWith('auth.') ? 'evalWatch.someone' : 'evalWatch.system');
  const bid = ctx.bidLabel(e.bidId ?? e.after?.bidId ?? null);
  const points = (m: number | undefined) => (typeof m === 'number' ? String(m / 1000) : '—');
  switch (e.kind) {
    case 'sign_in': return t('evalWatch.kind.sign_in', { actor, ip: e.ip ?? '—', device: ctx.device(e.deviceId) });
    case 'committee': return t('evalWatch.kind.committee', { n: (e.after?.expertIds ?? []).length });
    case 'bid_opened': return t('evalWatch.kind.bid_opened', { actor, bid });
    case 'score': {
      const before = e.before?.scoresMilli ?? null;
      const after = e.after?.scoresMilli ?? {};
      const keys = Object.keys(after).filter((k) => !before || before[k] !== after[k]);
      const changes = keys.map((k) => (before ? t('evalWatch.change', { criterion: ctx.criterion(k), before: points(before[k]), after: points(after[k]) }) : t('evalWatch.set', { criterion: ctx.criterion(k), after: points(after[k]) }))).join(t('evalWatch.listSep')) || '—';
      return t(before ? 'evalWatch.kind.score_changed' : 'evalWatch.kind.score_new', { actor, bid, changes });
    }
    case 'submitted': return t('evalWatch.kind.submitted', { actor });
    case 'returned': return t('evalWatch.kind.returned', { actor, member: ctx.member(e.after?.expertId ?? null), reason: String(e.after?.reason ?? '') });
    case 'explanation': return e.action.endsWith('requested') ? t('evalWatch.kind.explanation_requested', { actor, bid }) : t('evalWatch.kind.explanation_received', { bid, n: Number(e.after?.length ?? 0) });
    case 'decision':
      if (e.action === 'bid.valid') return t('evalWatch.kind.valid', { bid, rank: Number(e.after?.rank ?? 0) });
      if (e.action === 'bid.disqualified') return t('evalWatch.kind.disqualified', { bid });
      return t(e.after?.accepted === false ? 'evalWatch.kind.abnormal_rejected' : 'evalWatch.kind.abnormal_accepted', { actor, bid });
    case 'result': return t('evalWatch.kind.result');
    case 'report': return e.action.endsWith('final') ? t('evalWatch.kind.report_final') : t('evalWatch.kind.report_confirmed', { actor });
    case 'sealed_read': return t('evalWatch.kind.sealed_read', { actor });
    default:
      if (e.action === 'tender.evaluation.started') return t('evalWatch.kind.started', { n: Number(e.after?.validBids ?? 0) });
      return t('evalWatch.kind.other', { actor, action: actionName(e.action) });
  }
}

export function evaluationWatchView(params: Record<string, string>): HTMLElement {
  const id = Number(params.id);
  const heading = h('h1', {}, t('evalWatch.title'));
  const state = h('p', { class: 'muted small', 'data-testid': 'eval-watch-state' });
  const toast = h('p', { class: 'toast', role: 'status', 'data-testid': 'eval-watch-toast' });
  const alertsBox = h('section', { class: 'board-card', 'data-testid': 'eval-watch-alerts' });
  const timelineBox = h('section', { 'data-testid': 'eval-watch-timeline' });
  const root = h('section', {}, heading, state, toast, alertsBox, timelineBox);
  const entries = new Map<number, Entry>();
  const alerts = new Map<number, Alert>();
  let ev: EvalView = { criteria: [], bids: [], committee: [] };
  const bidLabel = (bidId: number | null) => {
    const i = ev.bids.findIndex((b) => b.bidId === bidId);
    const b = ev.bids[i];
    return b?.supplierName ?? t('evalWatch.bid', { n: i >= 0 ? i + 1 : (bidId ?? '—') });
  };
  // Devices numbered in order of first sign-in: two members on one device share a number.
  const devices = new Map<string, number>();
  const device = (id: string | null | undefined) => {
    if (!id) return t('evalWatch.deviceUnknown');
    if (!devices.has(id)) devices.set(id, devices.size + 1);
    return t('evalWatch.device', { n: devices.get(id)! });
  };
  const criterion = (key: string) => { const name = ev.criteria.find((c) => c.key === key)?.name; return name ? docText(name) : key; };
  const member = (expertId: number | null) => ev.committee.find((c) => c.expertId === expertId)?.name ?? [...entries.values()].find((e) => e.expertId === expertId && e.actorName)?.actorName ?? t('evalWatch.someone');

  const renderAlerts = () => {
    const list = [...alerts.values()].sort((a, b) => b.id - a.id);
    mount(alertsBox, h('h2', {}, t('evalWatch.alerts')), list.length
      ? h('ul', { class: 'notice-list' }, list.map((a) => h('li', { 'data-rule': a.ruleCode }, severityTag(a.severity), statusTag(a.status), h('a', { href: `/supervision/alerts/${a.id}` }, alertSummary(a)), h('span', { class: 'muted small' }, when(a.raisedAt)))))
      : h('p', { class: 'muted', 'data-testid': 'eval-watch-no-alerts' }, t('evalWatch.noAlerts')));
  };
  const renderTimeline = () => {
    const list = [...entries.values()].sort((a, b) => a.seq - b.seq);
    devices.clear();
    mount(timelineBox, h('h2', {}, t('evalWatch.entries', { n: list.length })), list.length
      ? h('ol', { class: 'timeline', 'data-testid': 'eval-watch-entries' }, list.map((e) => h('li', { 'data-kind': e.kind, 'data-seq': String(e.seq) },
          h('span', { class: 'muted small' }, when(e.at)), ' ',
          h('span', { class: 'sentence' }, sentence(e, { bidLabel, criterion, member, device })), ' ',
          h('details', { class: 'raw' }, h('summary', {}, t('evalWatch.raw')), h('pre', {}, JSON.stringify({ seq: e.seq, action: e.action, at: e.at, before: e.before, after: e.after, hash: e.hash }, null, 2))))))
      : h('p', { class: 'muted', 'data-testid': 'eval-watch-empty' }, t('evalWatch.noEntries')));
  };

  const channel = `supervision:evaluation:${id}`;
  // Alerts first: once the timeline's snapshot arrives, both subscriptions are in place.
  live.subscribe('supervision:alerts');
  live.subscribe(channel);
  const off = live.onMessage((m) => {
    if (!root.isConnected) {
      live.unsubscribe(channel);
      live.unsubscribe('supervision:alerts');
      return off();
    }
    if (m.type === 'evaluation.timeline' && m.tenderId === id) for (const e of m.entries as Entry[]) entries.set(e.seq, e);
    else if (m.type === 'evaluation.entry' && m.tenderId === id) entries.set(m.entry.seq, m.entry);
    else if (m.type === 'supervision.alert' && m.alert.processKey === `tender:${id}`) {
      alerts.set(m.alert.id, m.alert);
      if (m.change === 'raised') toast.textContent = t('evalWatch.newAlert', { text: alertSummary(m.alert) });
      return renderAlerts();
    } else return;
    state.textContent = t('evalWatch.live');
    renderTimeline();
  });

  void (async () => {
    try {
      const [tender, view, timeline, raised] = await Promise.all([
        api<TenderRow>('GET', `/api/tenders/${id}`),
        api<EvalView>('GET', `/api/tenders/${id}/evaluation`).catch(() => ev),
        api<{ entries: Entry[] }>('GET', `/api/supervision/evaluations/${id}/timeline`),
        api<{ items: Alert[] }>('GET', `/api/supervision/alerts?processKey=${encodeURIComponent(`tender:${id}`)}&pageSize=100`),
      ]);
      ev = view;
      heading.textContent = t('evalWatch.detailTitle', { title: `${tender.reference} ${tender.title}` });
      for (const e of timeline.entries) entries.set(e.seq, e);
      for (const a of raised.items) alerts.set(a.id, a);
      renderAlerts();
      renderTimeline();
    } catch (e) {
      mount(timelineBox, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message })));
    }
  })();
  return root;
}
