// Full trace, told as a story for supervisors: found by any reference people use (tender number,
// project, requisition, competition, contract or payment number, credit code; or an id with its
// kind), each audit event as a sentence in the reader's language with names, yuan and local
// times, the raw event one click away, the hash-chain verification badge, CSV and JSON exports.
// An unknown reference says "not found", never an empty, verified-looking trace.
import { h, mount } from '../../dom';
import { t, locale, formatFen } from '../../i18n';
import { api, ApiError } from '../../api';
import { when } from './common';
import { sayEvent, type StoryEvent, type StoryNames } from './story/sentences';

interface TraceEvent extends StoryEvent { hash: string; verified: boolean; via: string }
interface Trace {
  subject: { type: string; id: string; reference: string | null; title: string | null };
  names: StoryNames;
  related: Array<{ type: string; id: string }>;
  events: TraceEvent[];
  verification: { events: number; intact: number; allIntact: boolean };
}

const TYPES = ['project', 'requisition', 'competition', 'tender', 'supplier', 'contract', 'agreement'];

export function traceView(): HTMLElement {
  const q = new URLSearchParams(location.search);
  const type = h('select', { 'data-testid': 'trace-type' }, h('option', { value: '' }, t('supervision.story.anyType')), TYPES.map((x) => h('option', { value: x, selected: q.get('subjectType') === x }, t(`supervision.trace.type.${x}`))));
  const id = h('input', { 'data-testid': 'trace-id', value: q.get('subjectId') ?? '', required: true, pattern: '[A-Za-z0-9_\\-]{1,64}', placeholder: 'ZB2026-00006', title: t('supervision.story.idHint') });
  const action = h('input', { 'data-testid': 'trace-action', value: '' });
  const from = h('input', { type: 'date' });
  const to = h('input', { type: 'date' });
  const out = h('div', { 'data-testid': 'trace-result' });
  const query = () => {
    const p = new URLSearchParams({ subjectId: id.value.trim() });
    if (type.value) p.set('subjectType', type.value);
    if (action.value.trim()) p.set('action', action.value.trim());
    if (from.value) p.set('from', new Date(from.value + 'T00:00:00+08:00').toISOString());
    if (to.value) p.set('to', new Date(to.value + 'T24:00:00+08:00').toISOString());
    return p;
  };
  const fmt = { t, locale: locale(), money: formatFen, time: (iso: string) => when(iso) };
  const run = async (e?: Event) => {
    e?.preventDefault();
    if (!id.value.trim()) return;
    const p = query();
    try {
      const tr = await api<Trace>('GET', `/api/supervision/trace?${p}`);
      const v = tr.verification;
      const label = (type: string, ref: string) => `${t(`supervision.trace.type.${type}`)} ${ref}`;
      const refOf = (type: string, rid: string) => tr.names.refs[`${type}:${rid}`] ?? (type === 'supplier' ? tr.names.suppliers[rid] : undefined) ?? t(`supervision.story.thing.${type}`, { id: rid });
      mount(
        out,
        h('h2', { 'data-testid': 'trace-subject' }, label(tr.subject.type, tr.subject.reference ?? refOf(tr.subject.type, tr.subject.id)), tr.subject.title ? ` · ${tr.subject.title}` : ''),
        h('p', { class: v.allIntact ? 'badge ok' : 'badge bad', 'data-testid': 'trace-badge' }, v.allIntact ? t('supervision.trace.intact', { n: v.events }) : t('supervision.trace.broken', { bad: v.events - v.intact })),
        tr.related.length ? h('p', { class: 'muted small', 'data-testid': 'trace-related' }, t('supervision.trace.related', { list: tr.related.map((r) => label(r.type, refOf(r.type, r.id))).join(locale() === 'en' ? ', ' : '、') })) : null,
        h('div', { class: 'toolbar' }, h('a', { href: `/api/supervision/trace?${p}&format=csv`, download: '' }, t('supervision.trace.exportCsv')), h('a', { href: `/api/supervision/trace?${p}&download=true`, download: '' }, t('supervision.trace.exportJson'))),
        h(
          'ol',
          { class: 'trace-story', 'data-testid': 'trace-events' },
          tr.events.map((ev) =>
            h(
              'li',
              { class: ev.verified ? '' : 'bad', 'data-action': ev.action, 'data-seq': String(ev.seq) },
              h('div', { class: 'trace-line' }, h('time', { class: 'muted' }, when(ev.occurredAt)), ' ', h('span', { class: 'trace-sentence', 'data-testid': 'trace-sentence' }, sayEvent(ev, tr.names, fmt)), ' ', h('span', { class: ev.verified ? 'ok' : 'bad', title: t('supervision.trace.verified') }, ev.verified ? '✓' : '✗')),
              h('details', { class: 'trace-raw' }, h('summary', { 'data-testid': 'trace-raw-toggle' }, t('supervision.story.raw')), h('pre', { class: 'evidence', 'data-testid': 'trace-raw' }, JSON.stringify({ seq: ev.seq, occurredAt: ev.occurredAt, actorId: ev.actorId, actorRole: ev.actorRole, action: ev.action, entityType: ev.entityType, entityId: ev.entityId, ip: ev.ip, before: ev.before, after: ev.after, hash: ev.hash }, null, 2))),
            ),
          ),
        ),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 'TRACE_SUBJECT_NOT_FOUND') return void mount(out, h('p', { class: 'error', 'data-testid': 'trace-not-found' }, t('supervision.story.notFound', { ref: id.value.trim() })));
      mount(out, h('p', { class: 'error' }, (err as Error).message));
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
    h('p', { class: 'muted small' }, t('supervision.story.idHint')),
    out,
  );
}
