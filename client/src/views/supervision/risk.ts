// The risk points register and the red-flag rules' settings, for the supervisors' office.
import { h, mount } from '../../dom';
import { t } from '../../i18n';
import { api } from '../../api';
import { ruleDefinition, ruleName, severityTag, type Rule } from './common';

interface RiskPoint { id: number; code: string; post: string; process: string; title: string; description: string; level: string; controls: string; status: string; rules: string[]; alerts: { total: number; open: number } }

export function riskPointsView(): HTMLElement {
  const out = h('div', { 'data-testid': 'risk-points' });
  const msg = h('p', { role: 'status' });
  const field = (name: string, key: string, tag: 'input' | 'textarea' = 'input') => h('label', {}, t(key), h(tag, { name, required: true }));
  const form = h('form', { class: 'card wide', onsubmit: async (e: Event) => {
    e.preventDefault();
    const f = new FormData(form);
    try {
      await api('POST', '/api/supervision/risk-points', { code: f.get('code'), post: f.get('post'), process: f.get('process'), title: f.get('title'), description: f.get('description'), level: f.get('level'), controls: f.get('controls'), rules: String(f.get('rules') ?? '').split(/[\s,，]+/).filter(Boolean) });
      form.reset();
      msg.className = '';
      msg.textContent = t('supervision.alerts.done');
      await load();
    } catch (err) {
      msg.className = 'error';
      msg.textContent = t('error.generic', { message: (err as Error).message });
    }
  } },
    h('h2', {}, t('supervision.risk.add')),
    field('code', 'supervision.risk.code'), field('post', 'supervision.risk.post'), field('process', 'supervision.risk.process'), field('title', 'supervision.risk.name'),
    field('description', 'supervision.risk.description', 'textarea'), field('controls', 'supervision.risk.controls', 'textarea'),
    h('label', {}, t('supervision.risk.level'), h('select', { name: 'level' }, ['high', 'medium', 'low'].map((l) => h('option', { value: l }, t(`supervision.risk.level.${l}`))))),
    h('label', {}, t('supervision.risk.rules'), h('input', { name: 'rules', placeholder: 'SV07, R003' })),
    h('button', { type: 'submit' }, t('supervision.risk.add')), msg);
  const post = h('input', { 'data-testid': 'risk-filter-post', placeholder: t('supervision.risk.post'), onchange: () => void load() });
  const proc = h('input', { 'data-testid': 'risk-filter-process', placeholder: t('supervision.risk.process'), onchange: () => void load() });
  const rulesCell = (p: RiskPoint) => {
    const input = h('input', { value: p.rules.join(', '), 'aria-label': t('supervision.risk.rules'), size: 18 });
    const save = async () => {
      try {
        await api('PUT', `/api/supervision/risk-points/${p.id}/rules`, { rules: input.value.split(/[\s,，]+/).filter(Boolean) });
        await load();
      } catch (err) {
        msg.className = 'error';
        msg.textContent = t('error.generic', { message: (err as Error).message });
      }
    };
    return h('span', { class: 'inline-edit' }, input, h('button', { onclick: save }, t('supervision.rules.save')));
  };
  const load = async () => {
    const q = new URLSearchParams();
    if (post.value.trim()) q.set('post', post.value.trim());
    if (proc.value.trim()) q.set('process', proc.value.trim());
    const r = await api<{ items: RiskPoint[] }>('GET', `/api/supervision/risk-points?${q}`);
    const head = ['supervision.risk.code', 'supervision.risk.post', 'supervision.risk.process', 'supervision.risk.name', 'supervision.risk.level', 'supervision.risk.controls', 'supervision.risk.rules', 'supervision.risk.alerts', 'supervision.risk.status'];
    mount(out, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(k))), h('th', {}))),
      h('tbody', {}, r.items.map((p) => h('tr', { 'data-code': p.code },
        h('td', {}, p.code), h('td', {}, p.post), h('td', {}, p.process), h('td', { title: p.description }, p.title), h('td', {}, t(`supervision.risk.level.${p.level}`)),
        h('td', { class: 'small wrap' }, p.controls), h('td', {}, rulesCell(p)), h('td', { class: 'num' }, `${p.alerts.open}/${p.alerts.total}`), h('td', {}, t(p.status === 'active' ? 'supervision.risk.active' : 'supervision.risk.retired')),
        h('td', {}, p.status === 'active' ? h('button', { onclick: async () => { await api('PUT', `/api/supervision/risk-points/${p.id}`, { status: 'retired' }); await load(); } }, t('supervision.risk.retire')) : null),
      ))),
    )));
  };
  void load();
  return h('section', {}, h('h1', {}, t('supervision.risk.title')), h('div', { class: 'filters' }, h('label', {}, t('supervision.risk.post'), post), h('label', {}, t('supervision.risk.process'), proc)), out, form);
}

export function rulesView(): HTMLElement {
  const out = h('div', { 'data-testid': 'rules' });
  const load = async () => {
    const r = await api<{ items: Rule[] }>('GET', '/api/supervision/rules');
    mount(out, h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, ['supervision.rules.code', 'supervision.rules.name', 'supervision.rules.definition', 'supervision.alerts.severity', 'supervision.rules.enabled', 'supervision.rules.thresholds'].map((k) => h('th', {}, t(k))), h('th', {}))),
      h('tbody', {}, r.items.map((rule) => {
        const sev = h('select', { 'aria-label': `${rule.code} ${t('name.label.severity')}` }, ['low', 'medium', 'high', 'critical'].map((s) => h('option', { value: s, selected: s === rule.severity }, t(`supervision.severity.${s}`))));
        const on = h('input', { type: 'checkbox', checked: rule.enabled, style: 'width:auto', 'aria-label': `${rule.code} ${t('supervision.rules.enabled')}` }) as HTMLInputElement;
        const th = h('textarea', { rows: 2, cols: 32, 'aria-label': `${rule.code} ${t('supervision.rules.thresholds')}` }, JSON.stringify(rule.thresholds)) as HTMLTextAreaElement;
        const note = h('span', { class: 'small' });
        const save = async () => {
          try {
            await api('PUT', `/api/supervision/rules/${rule.code}`, { severity: sev.value, enabled: on.checked, thresholds: JSON.parse(th.value) });
            note.className = 'small';
            note.textContent = t('supervision.rules.saved');
          } catch (err) {
            note.className = 'small error';
            note.textContent = (err as Error).message;
          }
        };
        return h('tr', { 'data-rule': rule.code },
          h('td', {}, rule.code, h('br'), h('span', { class: 'muted small' }, t(rule.family === 'cardinal' ? 'supervision.rules.cardinal' : 'supervision.rules.platform'))),
          h('td', {}, ruleName(rule), ' ', severityTag(rule.severity)),
          h('td', { class: 'small wrap' }, ruleDefinition(rule)),
          h('td', {}, sev), h('td', {}, on), h('td', {}, th), h('td', {}, h('button', { onclick: save }, t('supervision.rules.save')), note));
      })),
    )));
  };
  void load();
  return h('section', {}, h('h1', {}, t('supervision.rules.title')), out);
}
