import { html, nothing } from 'lit-html';
import type { SystemResources } from 'tekton-client';
import { PALETTE, type ChartSpec } from '../charts';
import type { AppContext } from '../context';
import { fixed, time } from '../format';
import { describeError } from '../session';
import { notice } from '../widgets';

// The machine Tekton runs on: CPU per core, memory, disk and GPUs, from the history endpoint and then live
// from a fresh reading at the sampling interval.

const HISTORY_MINUTES = 15;
const MAX_SAMPLES = 2_000;

const state: {
  samples: SystemResources[];
  interval: number;
  error?: string;
  timer?: number;
  started: boolean;
} = { samples: [], interval: 5, started: false };

/** Bumped when the view is left, so that a start still awaiting its history does not begin sampling afterwards. */
let generation = 0;

async function start(ctx: AppContext): Promise<void> {
  state.started = true;
  const mine = ++generation;
  try {
    const history = await ctx.session.client.getResourceHistory(HISTORY_MINUTES);
    state.interval = Math.max(1, history.interval || 5);
    state.samples = history.samples;
    state.error = undefined;
  } catch (error) {
    state.error = describeError(error);
  }
  await sample(ctx);
  if (mine === generation) {
    state.timer = window.setInterval(() => void sample(ctx), state.interval * 1000);
  }
}

async function sample(ctx: AppContext): Promise<void> {
  try {
    const now = await ctx.session.client.getSystemResources();
    const last = state.samples.at(-1);
    if (!last || Date.parse(now.timestamp) > Date.parse(last.timestamp)) {
      state.samples.push(now);
      state.samples.splice(0, Math.max(0, state.samples.length - MAX_SAMPLES));
    }
    state.error = undefined;
  } catch (error) {
    state.error = describeError(error);
  }
  ctx.changed();
}

/** Leaves the view: stops sampling (the history is read again on return). */
export function closeResources(): void {
  generation++;
  window.clearInterval(state.timer);
  state.timer = undefined;
  state.started = false;
}

export function resourcesView(ctx: AppContext, specs: Map<string, ChartSpec>) {
  if (!state.started) {
    void start(ctx);
  }
  const samples = state.samples;
  const latest = samples.at(-1);
  const t = samples.map((s) => Date.parse(s.timestamp) / 1000);
  const cores = latest?.cpu.cores ?? 0;
  const perCore = latest?.cpu.per_core?.length ?? 0;
  specs.set('cpu', {
    unit: '%',
    range: [0, 100],
    series: [
      { label: 'overall', color: PALETTE[0], fill: true },
      ...Array.from({ length: perCore }, (_, i) => ({ label: `core ${i}`, color: PALETTE[(i + 1) % PALETTE.length] })),
    ],
    data: [t, samples.map((s) => s.cpu.overall_percent), ...Array.from({ length: perCore }, (_, i) => samples.map((s) => s.cpu.per_core?.[i] ?? null))],
  });
  specs.set('memory', {
    unit: ' GiB',
    series: [
      { label: 'used', color: PALETTE[1], fill: true },
      { label: 'swap used', color: PALETTE[4] },
    ],
    data: [t, samples.map((s) => s.memory.used), samples.map((s) => s.memory.swap_used)],
  });
  specs.set('disk', {
    unit: '%',
    range: [0, 100],
    series: [{ label: 'used', color: PALETTE[2], fill: true }],
    data: [t, samples.map((s) => s.disk.percent)],
  });
  const gpus = latest?.gpu ?? [];
  for (const gpu of gpus) {
    specs.set(`gpu-${gpu.id}`, {
      unit: '%',
      range: [0, 100],
      series: [
        { label: 'utilization', color: PALETTE[3], fill: true },
        { label: 'memory used %', color: PALETTE[5] },
      ],
      data: [
        t,
        samples.map((s) => s.gpu.find((g) => g.id === gpu.id)?.util ?? null),
        samples.map((s) => {
          const g = s.gpu.find((x) => x.id === gpu.id);
          return g?.memory_used != null && g.memory_total ? (100 * g.memory_used) / g.memory_total : null;
        }),
      ],
    });
  }

  return html`<section class="view" data-view="resources">
    <header class="view-header"><h1>System resources</h1>
      <span class="muted small">every ${state.interval} s · last ${latest ? time(latest.timestamp) : '—'}</span></header>
    ${notice('error', state.error)}
    <div class="chart-grid">
      <div class="card" data-testid="cpu-card">
        <h2>CPU <span class="figure">${fixed(latest?.cpu.overall_percent, 1, '%')}</span></h2>
        <p class="muted small">${cores} cores · load ${latest?.cpu.load_average?.map((l) => l.toFixed(2)).join(' / ') ?? '—'}</p>
        <div class="chart" data-chart="cpu"></div>
      </div>
      <div class="card" data-testid="memory-card">
        <h2>Memory <span class="figure">${fixed(latest?.memory.percent, 1, '%')}</span></h2>
        <p class="muted small">${fixed(latest?.memory.used, 1)} of ${fixed(latest?.memory.total, 1)} GiB · swap ${fixed(latest?.memory.swap_used, 1)} of ${fixed(latest?.memory.swap_total, 1)} GiB</p>
        <div class="chart" data-chart="memory"></div>
      </div>
      <div class="card" data-testid="disk-card">
        <h2>Disk <span class="figure">${fixed(latest?.disk.percent, 1, '%')}</span></h2>
        <p class="muted small">${fixed(latest?.disk.used, 1)} of ${fixed(latest?.disk.total, 1)} GiB used</p>
        <div class="chart" data-chart="disk"></div>
      </div>
      ${gpus.length === 0
        ? html`<div class="card" data-testid="gpu-card"><h2>GPU</h2><p class="muted">No GPU was found on this machine (Tekton reads NVIDIA GPUs through NVML).</p></div>`
        : gpus.map(
            (gpu) => html`<div class="card" data-testid="gpu-card">
              <h2>GPU ${gpu.id} <span class="figure">${fixed(gpu.util, 0, '%')}</span></h2>
              <p class="muted small">${gpu.name ?? ''} · ${fixed(gpu.memory_used, 1)} of ${fixed(gpu.memory_total, 1)} GiB · ${gpu.temperature != null ? `${gpu.temperature} °C` : nothing}</p>
              <div class="chart" data-chart="gpu-${gpu.id}"></div>
            </div>`,
          )}
    </div>
  </section>`;
}
