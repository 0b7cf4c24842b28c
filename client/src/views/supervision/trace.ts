// Full trace: the timeline of a project, requisition, competition, contract or supplier from the
// audit chain, filterable and exportable, with the hash-chain verification badge.
import { h, mount } from '../../dom';
import { t } from '../../i18n';
import { api } from '../../api';
import { when } from './common';

interface TraceEvent { seq: number; occurredAt: string; actorName: string | null; actorRole: string; action: string; entityType: string; entityId: string; after: unknown; verified: boolean; via: string }
interface Trace { related: Array<{ type: string; id: string }>; events: TraceEvent[]; verification: { events: number; intact: number; allIntact: boolean } }

export function traceView(): HTMLElement {
  const q = new URLSearchParams(location.search);
  const type = h('select', { 'data-testid': 'trace-type' }, ['project', 'requisition', 'competition', 'tender', 'supplier', 'contract'].map((x) => h('option', { value: x, selected: q.get('subjectType') === x }, t(`supervision.trace.type.${x}`))));
  const id = h('input', { 'data-testid': 'trace-id', value: q.get('subjectId') ?? '', required: true, pattern: '[A-Za-z0-9_-]{1,64}' });
  const action = h('input', { 'data-testid': 'trace-action', value: '' });
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const out = h('div', { 'data-testid': 'trace-result' });
  const query = () => {
    const p = new URLSearchParams({ subjectType: type.value, subjectId: id.value.trim() });
    if (action.value.trim()) p.set('action', action.value.trim());
    if (from.value) p.set('from', new Date(from.value + 'T00:00:00+08:00').toISOString());
    if (to.value) p.set('to', new Date(to.value + 'T24:00:00+08:00').toISOString());
    return p;
  };
  const run = async (e?: Event) => {
    e?.preventDefault();
    if (!id.value.trim()) return;
    const p = query();
    try {
      const tr = await api<Trace>('GET', `/api/supervision/trace?${p}`);
      const v = tr.verification;
      mount(
        out,
        h('p', { class: v.allIntact ? 'badge ok' : 'badge bad', 'data-testid': 'trace-badge' }, v.allIntact ? t('supervision.trace.intact', { n: v.events }) : t('supervision.trace.broken', { bad: v.events - v.intact })),
        tr.related.length ? h('p', { class: 'muted small' }, t('supervision.trace.related', { list: tr.related.map((r) => `${r.type}:${r.id}`).join(', ') })) : null,
        h('div', { class: 'toolbar' }, h('a', { href: `/api/supervision/trace?${p}&format=csv`, download: '' }, t('supervision.trace.exportCsv')), h('a', { href: `/api/supervision/trace?${p}&download=true`, download: '' }, t('supervision.trace.exportJson'))),
        h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'trace-events' },
          h('thead', {}, h('tr', {}, ['supervision.trace.time', 'supervision.trace.actor', 'supervision.trace.event', 'supervision.trace.entity', 'supervision.trace.details', 'supervision.trace.verified'].map((k) => h('th', {}, t(k))))),
          h('tbody', {}, tr.events.map((e) => h('tr', { class: e.verified ? '' : 'bad' }, h('td', {}, `#${e.seq} ${when(e.occurredAt)}`), h('td', {}, `${e.actorName ?? ''} (${e.actorRole})`), h('td', {}, e.action), h('td', {}, `${e.entityType} #${e.entityId}`), h('td', { class: 'details' }, e.after ? JSON.stringify(e.after).slice(0, 160) : ''), h('td', {}, e.verified ? '✓' : '✗')))),
        )),
      );
    } catch (err) {
      mount(out, h('p', { class: 'error' }, t('error.generic', { message: (err as Error).message })));
    }
  };
  if (id.value) void run();
  return h(
    'section',
    {},
    h('h1', {}, t('supervision.trace.title')),
    h('form', { class: 'filters', onsubmit: run },
      h('label', {}, t('supervision.trace.subjectType'), type),
      h('label', {}, t('supervision.trace.subjectId'), id),
      h('label', {}, t('supervision.trace.action'), action),
      h('label', {}, t('supervision.trace.from'), from),
      h('label', {}, t('supervision.trace.to'), to),
      h('button', { type: 'submit', 'data-testid': 'trace-submit' }, t('supervision.trace.search')),
    ),
    out,
  );
}
