// Pick several things from a searchable list: a search box, the matches as buttons, and the
// chosen ones as removable rows (each may carry its own control, e.g. a count).
import { h, mount } from '../../dom';
import { t } from '../../i18n';
import './picker.css';

export interface PickItem {
  id: string;
  label: string;
  detail?: string;
}

export interface Picker {
  el: HTMLElement;
  chosen(): PickItem[];
  /** The control shown beside a chosen item (e.g. its count), if any. */
  controlOf(id: string): HTMLInputElement | undefined;
}

export function picker(opts: {
  testId: string;
  label: string;
  placeholder: string;
  search: (q: string) => Promise<PickItem[]>;
  emptyChosen: string;
  control?: (item: PickItem) => HTMLInputElement;
  onChange?: () => void;
}): Picker {
  let built = false;
  const chosen = new Map<string, { item: PickItem; control?: HTMLInputElement }>();
  const box = h('input', { type: 'search', 'data-testid': `${opts.testId}-search`, placeholder: opts.placeholder, autocomplete: 'off', 'aria-label': opts.label });
  const results = h('ul', { class: 'pick-results', 'data-testid': `${opts.testId}-results`, role: 'listbox', 'aria-label': opts.label });
  const list = h('ul', { class: 'pick-chosen', 'data-testid': `${opts.testId}-chosen` });
  let generation = 0;
  const paintChosen = () => {
    if (!chosen.size) mount(list, h('li', { class: 'muted', 'data-testid': `${opts.testId}-none` }, opts.emptyChosen));
    else
      mount(
        list,
        [...chosen.values()].map(({ item, control }) =>
          h(
            'li',
            { 'data-id': item.id, 'data-testid': `${opts.testId}-item` },
            h('span', {}, item.label),
            item.detail ? h('span', { class: 'muted small' }, ` ${item.detail}`) : null,
            control ? [' ', control] : null,
            ' ',
            h('button', { type: 'button', class: 'link', 'data-testid': `${opts.testId}-remove`, 'aria-label': t('draws.pick.removeNamed', { name: item.label }), onclick: () => { chosen.delete(item.id); paintChosen(); void refresh(); } }, t('draws.pick.remove')),
          ),
        ),
      );
    if (built) opts.onChange?.();
  };
  const refresh = async () => {
    const mine = ++generation;
    results.dataset.loading = '1';
    const items = await opts.search(box.value.trim()).catch(() => []);
    if (mine !== generation) return;
    delete results.dataset.loading;
    const open = items.filter((i) => !chosen.has(i.id));
    mount(
      results,
      open.length
        ? open.map((item) =>
            h(
              'li',
              {},
              h('button', { type: 'button', class: 'pick-option', 'data-testid': `${opts.testId}-option`, 'data-id': item.id, onclick: () => { chosen.set(item.id, { item, control: opts.control?.(item) }); paintChosen(); void refresh(); } }, h('span', {}, item.label), item.detail ? h('span', { class: 'muted small' }, ` ${item.detail}`) : null),
            ),
          )
        : items.length
          ? null // every match is already chosen
          : h('li', { class: 'muted', 'data-testid': `${opts.testId}-nomatch` }, t('draws.pick.noMatch')),
    );
    results.dataset.ready = '1';
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  box.addEventListener('input', () => {
    delete results.dataset.ready;
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 200);
  });
  box.addEventListener('keydown', (e) => { if (e.key === 'Enter') e.preventDefault(); });
  paintChosen();
  built = true;
  void refresh();
  const el = h('fieldset', { class: 'picker', 'data-testid': opts.testId }, h('legend', {}, opts.label), box, results, h('div', { class: 'small muted' }, t('draws.pick.chosen')), list);
  return { el, chosen: () => [...chosen.values()].map((c) => c.item), controlOf: (id) => chosen.get(id)?.control };
}
