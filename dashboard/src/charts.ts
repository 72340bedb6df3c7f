import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// Time-series charts (uPlot) inside views drawn by lit-html: a view renders an empty <div data-chart="key">, and
// after each render `updateCharts` creates the chart in it or hands it the new data.

export interface ChartSpec {
  /** Series labels after the time axis. */
  series: { label: string; color: string; fill?: boolean }[];
  /** x: unix seconds; then one array per series. */
  data: uPlot.AlignedData;
  /** The y unit shown on the axis, e.g. "%" or " GiB". */
  unit: string;
  /** Fixed y range (e.g. 0–100 for percentages); otherwise from the data. */
  range?: [number, number];
  height?: number;
}

const charts = new Map<string, { element: HTMLElement; chart: uPlot; shape: string }>();

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function create(element: HTMLElement, spec: ChartSpec): uPlot {
  const axis = { stroke: css('--muted'), grid: { stroke: css('--grid'), width: 1 }, ticks: { stroke: css('--grid'), width: 1 } };
  const options: uPlot.Options = {
    width: Math.max(240, element.clientWidth),
    height: spec.height ?? 180,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: spec.range ? { range: spec.range } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
    axes: [
      { ...axis, space: 70, values: (_u, splits) => splits.map((v) => new Date(v * 1000).toLocaleTimeString([], { hour12: false })) },
      { ...axis, values: (_u, splits) => splits.map((v) => `${+v.toFixed(2)}${spec.unit}`), size: 70 },
    ],
    series: [
      { value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleTimeString([], { hour12: false })) },
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 1.5,
        fill: s.fill ? `${s.color}22` : undefined,
        points: { show: false },
        value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${v.toFixed(1)}${spec.unit}`),
      })),
    ],
  };
  return new uPlot(options, spec.data, element);
}

/** Creates or refreshes every chart whose placeholder is in the page; drops the charts whose placeholder is gone. */
export function updateCharts(root: ParentNode, specs: Map<string, ChartSpec>): void {
  for (const [key, spec] of specs) {
    const element = root.querySelector<HTMLElement>(`[data-chart="${key}"]`);
    if (!element) {
      continue;
    }
    const shape = `${spec.series.map((s) => s.label).join('|')}:${document.documentElement.dataset.theme}`;
    const existing = charts.get(key);
    if (existing && existing.element === element && existing.shape === shape) {
      existing.chart.setData(spec.data);
      continue;
    }
    existing?.chart.destroy();
    element.replaceChildren();
    charts.set(key, { element, chart: create(element, spec), shape });
  }
  for (const [key, entry] of charts) {
    if (!specs.has(key) || !entry.element.isConnected) {
      entry.chart.destroy();
      charts.delete(key);
    }
  }
}

export function resizeCharts(): void {
  for (const { element, chart } of charts.values()) {
    chart.setSize({ width: Math.max(240, element.clientWidth), height: chart.height });
  }
}

/** Distinct line colors. */
export const PALETTE = ['#3b6cf6', '#e0803a', '#2fa36b', '#c2409b', '#8a63d2', '#cc4b4b', '#1f9bb4', '#9a8c2b'];
