// The room's price history: the best price over time as a step line, the supplier's own bids
// as marked points, drawn with Apache ECharts (only the pieces used are bundled).
// ECharts is loaded on first use, in its own chunk, so other pages do not carry it.
import type { ECharts } from 'echarts/core';
import { h } from '../../dom';
import { t, formatFen, formatTime } from '../../i18n';

let loading: Promise<typeof import('echarts/core')> | null = null;
function loadECharts(): Promise<typeof import('echarts/core')> {
  loading ??= import('./echarts-setup').then((m) => m.echarts);
  return loading;
}

export interface Point {
  at: string;
  amountFen: number;
}

export interface PriceChart {
  el: HTMLElement;
  /** Replaces the series: best price points (null: not shown to this viewer) and own bids. */
  set(best: Point[] | null, own: Point[], ceilingFen: number, timeZone: string, untilMs: number): void;
  dispose(): void;
}

const timeOfDay = (ms: number, timeZone: string) => new Intl.DateTimeFormat(document.documentElement.lang || 'zh-CN', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }).format(new Date(ms));

export function priceChart(): PriceChart {
  const canvas = h('div', { class: 'price-chart-canvas' });
  const empty = h('p', { class: 'muted', 'data-testid': 'auction-chart-empty' }, t('auctions.chart.empty'));
  const el = h('figure', { class: 'price-chart', 'data-testid': 'auction-chart' }, h('figcaption', {}, t('auctions.chart.title')), canvas, empty);
  let chart: ECharts | null = null;
  let disposed = false;
  let last: Parameters<PriceChart['set']> | null = null;
  const resize = () => chart?.resize();
  window.addEventListener('resize', resize);
  return {
    el,
    set(best, own, _ceilingFen, timeZone, untilMs) {
      last = [best, own, _ceilingFen, timeZone, untilMs];
      el.dataset.bestPoints = String(best?.length ?? 0);
      el.dataset.ownPoints = String(own.length);
      el.dataset.bestShown = best ? 'true' : 'false';
      const nothing = !(best?.length || own.length);
      empty.hidden = !nothing;
      canvas.hidden = nothing;
      if (nothing) return;
      if (!chart) {
        void loadECharts().then((echarts) => {
          if (disposed || chart || !last) return;
          chart = echarts.init(canvas, null, { renderer: 'svg', height: 260 });
          this.set(...last);
        });
        return;
      }
      chart.resize();
      // The best price holds until the next lower bid: a step line carried on to "now".
      const bestData = best ? best.map((p) => [Date.parse(p.at), p.amountFen / 100]) : [];
      if (best?.length) bestData.push([Math.max(untilMs, Date.parse(best[best.length - 1].at)), best[best.length - 1].amountFen / 100]);
      const series: any[] = [];
      if (best) series.push({ name: t('auctions.chart.best'), type: 'line', step: 'end', showSymbol: false, data: bestData, lineStyle: { width: 2, color: '#1f6feb' }, itemStyle: { color: '#1f6feb' } });
      series.push({ name: t('auctions.chart.own'), type: 'scatter', symbol: 'diamond', symbolSize: 11, data: own.map((p) => [Date.parse(p.at), p.amountFen / 100]), itemStyle: { color: '#d1242f' } });
      el.dataset.drawn = String(bestData.length + own.length);
      chart.setOption(
        {
          animation: false,
          grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
          legend: { top: 0, data: series.map((s) => s.name) },
          tooltip: {
            trigger: 'item',
            formatter: (p: any) => `${p.seriesName}<br>${formatTime(new Date(p.value[0]).toISOString(), timeZone)}<br>${formatFen(Math.round(p.value[1] * 100))}`,
          },
          xAxis: { type: 'time', min: (v: { min: number; max: number }) => v.min - Math.max(1000, (v.max - v.min) * 0.04), max: (v: { min: number; max: number }) => v.max + Math.max(1000, (v.max - v.min) * 0.04), axisLabel: { formatter: (v: number) => timeOfDay(v, timeZone), hideOverlap: true }, splitLine: { show: false } },
          yAxis: { type: 'value', scale: true, axisLabel: { formatter: (v: number) => formatFen(Math.round(v * 100)).replace(/\.00$/, '') } },
          series,
        },
        { notMerge: true },
      );
    },
    dispose() {
      disposed = true;
      window.removeEventListener('resize', resize);
      chart?.dispose();
      chart = null;
    },
  };
}
