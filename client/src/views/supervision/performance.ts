// Performance evaluation per purchasing unit or department for a chosen period, ranked.
import { h, mount } from '../../dom';
import { t } from '../../i18n';
import { api } from '../../api';
import { methodName, stageName } from '../../names';
import { pct } from './common';

interface Row { rank: number; key: string; name: string; projects: number; completed: number; onTimeRate: number | null; onTime: Record<string, { due: number; onTime: number; rate: number | null }>; cycleDaysByMethod: Record<string, { projects: number; averageDays: number }>; savingsRate: number | null; alerts: number; challenges: number }

export function performanceView(): HTMLElement {
  const year = new Date().getFullYear();
  const from = h('input', { type: 'date', value: `${year}-01-01`, 'data-testid': 'perf-from' });
  const to = h('input', { type: 'date', value: `${year}-12-31`, 'data-testid': 'perf-to' });
  const groupBy = h('select', { 'data-testid': 'perf-group' }, h('option', { value: 'unit' }, t('supervision.perf.unit')), h('option', { value: 'department' }, t('supervision.perf.department')));
  const out = h('div', { 'data-testid': 'perf-result' });
  const run = async (e?: Event) => {
    e?.preventDefault();
    const p = new URLSearchParams({ from: new Date(`${from.value}T00:00:00+08:00`).toISOString(), to: new Date(`${to.value}T24:00:00+08:00`).toISOString(), groupBy: groupBy.value });
    try {
      const r = await api<{ stageHistoryAvailable: boolean; items: Row[] }>('GET', `/api/supervision/performance?${p}`);
      const head = ['supervision.perf.rank', 'supervision.perf.name', 'supervision.perf.projects', 'supervision.perf.completed', 'supervision.perf.onTime', 'supervision.perf.stages', 'supervision.perf.cycle', 'supervision.perf.savings', 'supervision.perf.alerts', 'supervision.perf.challenges'];
      mount(
        out,
        r.stageHistoryAvailable ? null : h('p', { class: 'muted' }, t('supervision.perf.noHistory')),
        h('p', { class: 'muted small' }, t('supervision.perf.ranking')),
        h('div', { class: 'table-wrap' }, h('table', { 'data-testid': 'perf-table' },
          h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))))),
          h('tbody', {}, r.items.length ? r.items.map((x) => h('tr', {},
            h('td', { class: 'num' }, String(x.rank)),
            h('td', {}, x.name),
            h('td', { class: 'num' }, String(x.projects)),
            h('td', { class: 'num' }, String(x.completed)),
            h('td', { class: 'num' }, pct(x.onTimeRate)),
            h('td', { class: 'small wrap' }, Object.entries(x.onTime).map(([s, o]) => `${stageName(s)} ${pct(o.rate)}`).join(' · ')),
            h('td', { class: 'small wrap' }, Object.entries(x.cycleDaysByMethod).map(([m, c]) => `${methodName(m)} ${c.averageDays}`).join(' · ')),
            h('td', { class: 'num' }, pct(x.savingsRate)),
            h('td', { class: 'num' }, String(x.alerts)),
            h('td', { class: 'num' }, String(x.challenges)),
          )) : h('tr', {}, h('td', { colspan: head.length, class: 'empty' }, t('table.empty')))),
        )),
      );
    } catch (err) {
      mount(out, h('p', { class: 'error' }, t('error.generic', { message: (err as Error).message })));
    }
  };
  void run();
  return h('section', {}, h('h1', {}, t('supervision.perf.title')),
    h('form', { class: 'filters', onsubmit: run }, h('label', {}, t('supervision.perf.from'), from), h('label', {}, t('supervision.perf.to'), to), h('label', {}, t('supervision.perf.groupBy'), groupBy), h('button', { type: 'submit' }, t('supervision.perf.show'))),
    out);
}
