// Small SVG charts drawn by hand (no chart library): horizontal bars for rankings, vertical bars
// for months. Values are numbers (fen, days); labels and formatting come from the caller.
const NS = 'http://www.w3.org/2000/svg';

function el(tag: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

export interface Bar {
  label: string;
  value: number;
  title?: string;
  onClick?: () => void;
}

/** Horizontal bars, largest first as given; the width follows the container (viewBox). */
export function barChart(bars: Bar[], format: (v: number) => string, opts: { testId?: string; max?: number } = {}): SVGElement {
  const shown = bars.slice(0, opts.max ?? 12);
  const rowH = 26;
  const labelW = 170;
  const W = 640;
  const H = Math.max(1, shown.length) * rowH + 8;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart', preserveAspectRatio: 'xMinYMin meet', ...(opts.testId ? { 'data-testid': opts.testId } : {}) });
  const top = Math.max(1, ...shown.map((b) => Math.abs(b.value)));
  shown.forEach((b, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(1, Math.round(((W - labelW - 110) * Math.abs(b.value)) / top));
    const g = el('g', { class: b.onClick ? 'bar clickable' : 'bar', tabindex: b.onClick ? 0 : -1 });
    g.appendChild(el('title', {}, b.title ?? `${b.label}: ${format(b.value)}`));
    g.appendChild(el('text', { x: labelW - 6, y: y + 17, 'text-anchor': 'end', class: 'chart-label' }, b.label.length > 14 ? `${b.label.slice(0, 13)}…` : b.label));
    g.appendChild(el('rect', { x: labelW, y: y + 4, width: w, height: rowH - 8, rx: 2, class: b.value < 0 ? 'neg' : 'pos' }));
    g.appendChild(el('text', { x: labelW + w + 6, y: y + 17, class: 'chart-value' }, format(b.value)));
    if (b.onClick) {
      g.addEventListener('click', b.onClick);
      g.addEventListener('keydown', (e) => (e as KeyboardEvent).key === 'Enter' && b.onClick!());
    }
    svg.appendChild(g);
  });
  return svg;
}

/** Vertical bars over time (months), with the axis labels under each bar. */
export function columnChart(bars: Bar[], format: (v: number) => string, opts: { testId?: string } = {}): SVGElement {
  const W = 640;
  const H = 220;
  const base = H - 30;
  const n = Math.max(1, bars.length);
  const slot = (W - 20) / n;
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart', ...(opts.testId ? { 'data-testid': opts.testId } : {}) });
  const top = Math.max(1, ...bars.map((b) => Math.abs(b.value)));
  svg.appendChild(el('line', { x1: 10, y1: base, x2: W - 10, y2: base, class: 'axis' }));
  bars.forEach((b, i) => {
    const h = Math.max(1, Math.round(((base - 20) * Math.abs(b.value)) / top));
    const x = 10 + i * slot + slot * 0.15;
    const g = el('g', { class: b.onClick ? 'bar clickable' : 'bar', tabindex: b.onClick ? 0 : -1 });
    g.appendChild(el('title', {}, b.title ?? `${b.label}: ${format(b.value)}`));
    g.appendChild(el('rect', { x, y: base - h, width: slot * 0.7, height: h, rx: 2, class: 'pos' }));
    g.appendChild(el('text', { x: x + slot * 0.35, y: H - 12, 'text-anchor': 'middle', class: 'chart-label' }, b.label));
    if (b.onClick) g.addEventListener('click', b.onClick);
    svg.appendChild(g);
  });
  return svg;
}
