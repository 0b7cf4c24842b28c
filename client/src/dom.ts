// A tiny DOM builder: h('div', {class: 'x', onclick}, child...). Text children are escaped.
type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, unknown>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (k === 'value' && 'value' in el) (el as unknown as HTMLInputElement).value = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function mount(target: Element, ...children: Child[]): void {
  target.replaceChildren();
  append(target, children);
}

/**
 * Reloads of one view overlap (a user's action and a live message both reload it); without care a
 * slower, older answer mounts last and puts stale state back on screen. `render` checks `stale()`
 * before it mounts; the returned reload resolves once the newest reload has mounted.
 */
export function newestOnly(render: (stale: () => boolean) => Promise<void>): () => Promise<void> {
  let generation = 0;
  let latest: Promise<void> = Promise.resolve();
  return () => {
    const mine = ++generation;
    const run: Promise<void> = render(() => mine !== generation).then(() => (mine !== generation ? latest : undefined));
    latest = run;
    return run;
  };
}
