// Alert handling for supervisors: the list, and one alert with its evidence, its handling record
// and the next steps its state allows (assign, acknowledge, investigate, note, close, link).
import { h, mount } from '../../dom';
import { t } from '../../i18n';
import { api } from '../../api';
import { session } from '../../session';
import { pagedTable } from '../table';
import { evidenceTable } from './evidence';
import { alertSummary, occurrencesTag, severityTag, statusTag, when, type Alert } from './common';

export function alertsView(): HTMLElement {
  const holder = h('div');
  const status = h('select', { 'data-testid': 'alert-status-filter', onchange: () => show() }, h('option', { value: '' }, t('supervision.alerts.all')), ...['open', 'assigned', 'acknowledged', 'investigating', 'closed'].map((s) => h('option', { value: s }, t(`supervision.status.${s}`))));
  const show = () =>
    mount(
      holder,
      pagedTable<Alert>({
        endpoint: '/api/supervision/alerts',
        testId: 'alerts-table',
        params: status.value ? { status: status.value } : {},
        columns: [
          { key: 'supervision.alerts.id', cell: (a) => h('a', { href: `/supervision/alerts/${a.id}`, 'data-nav-alert': String(a.id) }, `#${a.id}`), numeric: true },
          { key: 'supervision.alerts.rule', cell: (a) => a.ruleCode },
          { key: 'supervision.alerts.severity', cell: (a) => severityTag(a.severity) },
          { key: 'supervision.alerts.status', cell: (a) => statusTag(a.status) },
          { key: 'supervision.alerts.summary', cell: (a) => h('span', {}, alertSummary(a), ' ', occurrencesTag(a)) },
          { key: 'supervision.alerts.unit', cell: (a) => a.orgName ?? '' },
          { key: 'supervision.alerts.assignee', cell: (a) => a.assigneeName ?? '' },
          { key: 'supervision.alerts.raisedAt', cell: (a) => when(a.raisedAt) },
        ],
      }),
    );
  show();
  return h('section', {}, h('h1', {}, t('supervision.alerts.title')), h('div', { class: 'toolbar' }, h('label', {}, t('supervision.alerts.status'), status)), holder);
}

export function alertDetailView(params: Record<string, string>): HTMLElement {
  const id = Number(params.id);
  const root = h('section', { 'data-testid': 'alert-detail' });
  const msg = h('p', { role: 'status', 'data-testid': 'alert-message' });
  const act = async (path: string, body?: unknown) => {
    try {
      await api('POST', `/api/supervision/alerts/${id}/${path}`, body);
      msg.className = '';
      msg.textContent = t('supervision.alerts.done');
      await load();
    } catch (e) {
      msg.className = 'error';
      msg.textContent = t('error.generic', { message: (e as Error).message });
    }
  };
  const load = async () => {
    const [a, sups, risks] = await Promise.all([
      api<Alert>('GET', `/api/supervision/alerts/${id}`),
      api<{ items: Array<{ id: number; displayName: string }> }>('GET', '/api/supervision/supervisors'),
      api<{ items: Array<{ id: number; code: string; title: string; status: string }> }>('GET', '/api/supervision/risk-points'),
    ]);
    const me = session.user?.id;
    const note = h('textarea', { rows: 3, 'data-testid': 'alert-note', 'aria-label': t('supervision.alerts.note') }) as HTMLTextAreaElement;
    const assignee = h('select', { 'data-testid': 'alert-assignee', 'aria-label': t('supervision.alerts.assignee') }, sups.items.map((u) => h('option', { value: String(u.id) }, u.displayName)));
    const finding = h('select', { 'data-testid': 'alert-finding', 'aria-label': t('supervision.alerts.finding') }, ['confirmed', 'unfounded', 'referred', 'corrected'].map((f) => h('option', { value: f }, t(`supervision.finding.${f}`))));
    const risk = h('select', { 'data-testid': 'alert-risk', 'aria-label': t('supervision.alerts.riskPoint') }, h('option', { value: '' }, t('supervision.alerts.noRiskPoint')), risks.items.map((r) => h('option', { value: String(r.id), selected: r.id === a.riskPointId }, `${r.code} ${r.title}`)));
    const open = a.status !== 'closed';
    const mine = a.assignedTo === me;
    const buttons = [
      open ? h('span', {}, assignee, h('button', { 'data-testid': 'alert-assign', onclick: () => act('assign', { assigneeId: Number(assignee.value), ...(note.value.trim() ? { note: note.value.trim() } : {}) }) }, t('supervision.alerts.assign'))) : null,
      a.status === 'assigned' && mine ? h('button', { 'data-testid': 'alert-acknowledge', onclick: () => act('acknowledge') }, t('supervision.alerts.acknowledge')) : null,
      a.status === 'acknowledged' && mine ? h('button', { 'data-testid': 'alert-investigate', onclick: () => act('investigate', { note: note.value.trim() }) }, t('supervision.alerts.investigate')) : null,
      open ? h('button', { 'data-testid': 'alert-add-note', onclick: () => act('notes', { note: note.value.trim() }) }, t('supervision.alerts.addNote')) : null,
      (a.status === 'acknowledged' || a.status === 'investigating') && mine ? h('span', {}, finding, h('button', { 'data-testid': 'alert-close', onclick: () => act('close', { finding: finding.value, note: note.value.trim() }) }, t('supervision.alerts.close'))) : null,
    ];
    const [kind, pid] = (a.processKey ?? ':').split(':');
    mount(
      root,
      h('h1', {}, t('supervision.alerts.detail', { id: a.id }), ' ', severityTag(a.severity), ' ', statusTag(a.status)),
      h('p', { 'data-testid': 'alert-summary' }, `${a.ruleCode} · ${alertSummary(a)}`),
      h('dl', { class: 'facts' },
        h('dt', {}, t('supervision.alerts.unit')), h('dd', {}, a.orgName ?? '—'),
        h('dt', {}, t('supervision.alerts.raisedAt')), h('dd', {}, when(a.raisedAt), a.latencyMs !== null ? h('span', { class: 'muted small' }, ` · ${t('supervision.alerts.latency', { ms: a.latencyMs })}`) : null),
        a.occurrences > 1 ? [h('dt', {}, t('supervision.alerts.occurrences')), h('dd', { 'data-testid': 'alert-occurrences-text' }, t('supervision.alerts.occurrencesText', { n: a.occurrences, time: when(a.lastSeenAt) }))] : null,
        h('dt', {}, t('supervision.alerts.assignee')), h('dd', {}, a.assigneeName ?? '—'),
        a.finding ? [h('dt', {}, t('supervision.alerts.finding')), h('dd', { 'data-testid': 'alert-finding-text' }, `${t(`supervision.finding.${a.finding}`)} — ${a.findingNote ?? ''}`)] : null,
        h('dt', {}, t('supervision.alerts.riskPoint')), h('dd', {}, risk, h('button', { onclick: () => act('risk-point', { riskPointId: risk.value ? Number(risk.value) : null }) }, t('supervision.alerts.link'))),
      ),
      kind === 'competition' || kind === 'project' || kind === 'tender' ? h('p', {}, h('a', { href: `/supervision/trace?subjectType=${kind}&subjectId=${pid}` }, t('supervision.alerts.trace'))) : null,
      h('h2', {}, t('supervision.alerts.evidence')),
      evidenceTable(a.evidence as Record<string, unknown> | null),
      h('h2', {}, t('supervision.alerts.notes')),
      h('ol', { class: 'notice-list', 'data-testid': 'alert-notes' }, (a.notes ?? []).map((n) => h('li', {}, h('span', { class: 'tag' }, t(`supervision.noteKind.${n.kind}`)), h('span', {}, n.body), h('span', { class: 'muted small' }, `${n.authorName} ${when(n.createdAt)}`)))),
      open ? h('div', { class: 'card wide' }, h('label', {}, t('supervision.alerts.note'), note), h('div', { class: 'toolbar' }, buttons)) : null,
      msg,
    );
  };
  void load().catch((e) => mount(root, h('p', { class: 'error' }, t('error.generic', { message: (e as Error).message }))));
  return root;
}
