// An alert's evidence as a readable table: each field by its name, money in yuan, times in the
// user's zone, keys (methods, stages, roles) by their names, nested records as nested tables.
import { h } from '../../dom';
import { t, formatFen, formatTime } from '../../i18n';
import { session } from '../../session';
import { methodName, nameOf, roleName, stageName, stepName } from '../../names';
import { docText } from '../tendering/ui';

const label = (k: string) => nameOf(k, [`name.evidence.${k}`]);
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

function value(k: string, v: unknown): Node | string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return t(v ? 'name.yes' : 'name.no');
  if (typeof v === 'number') {
    if (/Fen$/.test(k) || /^amount[A-Z]?$/.test(k)) return formatFen(v);
    if (/Yuan$/.test(k)) return formatFen(Math.round(v * 100));
    if (/(Tolerance|gap|ratio|Share|band)$/i.test(k) && Math.abs(v) < 1) return `${Math.round(v * 10000) / 100}%`;
    return v.toLocaleString();
  }
  if (typeof v === 'string') {
    if (ISO.test(v)) return formatTime(v, session.user?.timeZone);
    if (k === 'method' || k === 'procurementMethod') return methodName(v);
    if (k === 'stage' || k === 'untilStage' || k === 'from' || k === 'to') return stageName(v);
    if (k === 'step') return stepName(v);
    if (k === 'criterion') return docText(v); // as the tender's documents name it, in the reader's language
    if (k === 'actorRole' || k === 'role') return roleName(v);
    if (k === 'what' || k === 'reason') return nameOf(v, [`name.evidence.${k}.${v}`]);
    if (k === 'reportedBy' || k === 'kind' || k === 'status') return nameOf(v, [`name.evidence.${k}.${v}`, `name.entity.${v}`, `supervision.status.${v}`]);
    return v;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => x === null || typeof x !== 'object')) return v.map((x) => (typeof x === 'number' && /Fen$/.test(k) ? formatFen(x) : typeof x === 'number' && /Yuan$/.test(k) ? formatFen(Math.round(x * 100)) : String(x))).join('、') || '—';
    return h('div', {}, v.map((x, i) => (x && typeof x === 'object' ? evidenceTable(x as Record<string, unknown>, `${i + 1}`) : h('p', {}, String(x)))));
  }
  if (typeof v === 'object') return evidenceTable(v as Record<string, unknown>);
  return String(v);
}

export function evidenceTable(ev: Record<string, unknown> | null, caption?: string): HTMLElement {
  const rows = Object.entries(ev ?? {});
  if (!rows.length) return h('p', { class: 'muted' }, t('name.evidence.none'));
  return h(
    'table',
    { class: 'evidence', 'data-testid': caption ? undefined : 'alert-evidence' },
    caption ? h('caption', {}, caption) : null,
    h('tbody', {}, rows.map(([k, v]) => h('tr', { 'data-key': k }, h('th', { scope: 'row' }, label(k)), h('td', {}, value(k, v))))),
  );
}
