// Small form helpers shared by the supplier, expert and draw pages.
import { h } from '../../dom';
import { t } from '../../i18n';
import { ApiError } from '../../api';
import './library.css';

/** In-app navigation from code (the shell re-renders on popstate). */
export function go(path: string): void {
  history.pushState({}, '', path);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', {}, label), control, hint ? h('small', { class: 'muted' }, hint) : null);
}

export function input(name: string, attrs: Record<string, unknown> = {}): HTMLInputElement {
  return h('input', { name, 'data-testid': name, ...attrs });
}

export function select(name: string, options: Array<[string, string]>, value?: string): HTMLSelectElement {
  return h('select', { name, 'data-testid': name }, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

/** Shows an API error with its details (schema paths, codes) in the element. */
export function showError(el: HTMLElement, err: unknown): void {
  el.textContent = t('error.generic', { message: (err as Error).message });
  if (err instanceof ApiError) el.dataset.code = err.code;
}

export function errorLine(): HTMLElement {
  return h('p', { class: 'error', role: 'alert', 'data-testid': 'form-error' });
}

/** 'YYYY-MM-DDTHH:MM' for <input type=datetime-local> in the browser's zone, from a Date. */
export function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
