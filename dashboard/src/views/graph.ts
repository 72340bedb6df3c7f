import { Graph, layout } from '@dagrejs/dagre';
import { html, nothing, svg } from 'lit-html';
import type { DependencyGraph } from 'tekton-client';
import type { AppContext } from '../context';
import { describeError } from '../session';
import { notice } from '../widgets';

// The dependency graph as a picture: layers in startup order from left to right (a component sits one layer
// right of its latest-starting dependency), edges from a dependency to what needs it, nodes colored by state,
// cycles and dependencies that are not registered drawn in red. A node opens its component.

const NODE_WIDTH = 168;
const NODE_HEIGHT = 46;
/** Beyond this the picture is unreadable and slow to lay out; the order and the problems are still listed. */
const MAX_NODES = 400;

interface Placed {
  id: string;
  x: number;
  y: number;
  missing: boolean;
  level: number;
}

interface PlacedEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
  cycle: boolean;
}

interface Layout {
  width: number;
  height: number;
  nodes: Placed[];
  edges: PlacedEdge[];
}

const state: {
  graph?: DependencyGraph;
  layout?: Layout;
  error?: string;
  loadedVersion: number;
  loadedAt: number;
  loading: boolean;
} = { loadedVersion: -1, loadedAt: 0, loading: false };

/** A re-registration can change a component's dependencies without changing who is registered: read again now and then. */
const RELOAD_MS = 15_000;

/** Forgets what an earlier session read (sign-out). */
export function resetGraph(): void {
  Object.assign(state, { graph: undefined, layout: undefined, error: undefined, loadedVersion: -1, loadedAt: 0 });
}

async function load(ctx: AppContext): Promise<void> {
  if (state.loading) {
    return;
  }
  state.loading = true;
  const version = ctx.store.registryVersion;
  try {
    state.graph = await ctx.session.client.getDependencyGraph();
    state.layout = Object.keys(state.graph.dependencies).length <= MAX_NODES ? place(state.graph) : undefined;
    state.error = undefined;
  } catch (error) {
    state.error = describeError(error);
  } finally {
    state.loadedVersion = version;
    state.loadedAt = Date.now();
    state.loading = false;
    ctx.changed();
  }
}

/** Startup levels: 0 for a component without dependencies, else one more than its highest dependency. */
function levels(graph: DependencyGraph, inCycle: Set<string>): Map<string, number> {
  const level = new Map<string, number>();
  const order = [...graph.startup_order, ...Object.keys(graph.dependencies).filter((id) => !graph.startup_order.includes(id))];
  for (let pass = 0; pass < 2; pass++) {
    for (const id of order) {
      let value = 0;
      for (const dependency of graph.dependencies[id] ?? []) {
        if (inCycle.has(id) && inCycle.has(dependency)) {
          continue;
        }
        value = Math.max(value, (level.get(dependency) ?? 0) + 1);
      }
      level.set(id, value);
    }
  }
  return level;
}

function cycleEdges(graph: DependencyGraph): Set<string> {
  const edges = new Set<string>();
  for (const cycle of graph.circular_dependencies) {
    const members = new Set(cycle);
    for (const id of members) {
      for (const dependency of graph.dependencies[id] ?? []) {
        if (members.has(dependency)) {
          edges.add(`${dependency}->${id}`);
        }
      }
    }
  }
  return edges;
}

function place(graph: DependencyGraph): Layout {
  const cycles = cycleEdges(graph);
  const inCycle = new Set(graph.circular_dependencies.flat());
  const level = levels(graph, inCycle);
  const missing = new Set(Object.values(graph.missing_dependencies ?? {}).flat());
  const g = new Graph({ multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 12, marginy: 12, ranker: 'network-simplex' });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of Object.keys(graph.dependencies)) {
    g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  }
  for (const id of missing) {
    if (!g.hasNode(id)) {
      g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
      level.set(id, 0);
    }
  }
  for (const [id, dependencies] of Object.entries(graph.dependencies)) {
    for (const dependency of dependencies) {
      const cycle = cycles.has(`${dependency}->${id}`);
      // Edge lengths equal to the level difference make the layers the startup levels.
      const minlen = cycle ? 1 : Math.max(1, (level.get(id) ?? 1) - (level.get(dependency) ?? 0));
      g.setEdge(dependency, id, { minlen, weight: cycle ? 1 : 2 });
    }
  }
  layout(g);
  const nodes: Placed[] = g.nodes().map((id) => {
    const n = g.node(id);
    return { id, x: n.x, y: n.y, missing: missing.has(id) && !(id in graph.dependencies), level: level.get(id) ?? 0 };
  });
  const edges: PlacedEdge[] = g.edges().map((e) => ({
    from: e.v,
    to: e.w,
    points: (g.edge(e).points ?? []) as { x: number; y: number }[],
    cycle: cycles.has(`${e.v}->${e.w}`),
  }));
  const label = g.graph();
  return { width: Math.ceil(label.width ?? 0), height: Math.ceil(label.height ?? 0), nodes, edges };
}

function path(points: { x: number; y: number }[]): string {
  if (points.length === 0) {
    return '';
  }
  let d = `M${points[0].x.toFixed(1)},${points[0].y.toFixed(1)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const mid = { x: (points[i].x + points[i + 1].x) / 2, y: (points[i].y + points[i + 1].y) / 2 };
    d += ` Q${points[i].x.toFixed(1)},${points[i].y.toFixed(1)} ${mid.x.toFixed(1)},${mid.y.toFixed(1)}`;
  }
  const last = points.at(-1)!;
  return `${d} L${last.x.toFixed(1)},${last.y.toFixed(1)}`;
}

export function graphView(ctx: AppContext) {
  if ((state.loadedVersion !== ctx.store.registryVersion || ctx.now - state.loadedAt > RELOAD_MS) && !state.loading) {
    void load(ctx);
  }
  const graph = state.graph;
  const missing = Object.entries(graph?.missing_dependencies ?? {}).filter(([, deps]) => deps.length > 0);
  return html`<section class="view" data-view="graph">
    <header class="view-header"><h1>Dependency graph</h1>
      <div class="legend">
        ${['ready', 'initializing', 'degraded', 'failed', 'stopped', 'registered'].map((s) => html`<span class="legend-item"><span class="swatch state-${s}"></span>${s}</span>`)}
        <span class="legend-item"><span class="swatch missing"></span>missing</span>
        <span class="legend-item"><span class="swatch cycle"></span>cycle</span>
      </div>
    </header>
    ${notice('error', state.error)}
    ${graph && graph.circular_dependencies.length > 0
      ? html`<div class="notice notice-error" role="alert" data-testid="cycles">Circular dependencies: ${graph.circular_dependencies.map((c) => html`<span class="mono">${c.join(' → ')}</span> `)}
          — these components cannot be started in order.</div>`
      : nothing}
    ${missing.length > 0
      ? html`<div class="notice notice-warning" role="status" data-testid="missing">Not registered: ${missing.map(([id, deps]) => html`<span class="mono">${deps.join(', ')}</span> (needed by ${id}) `)}</div>`
      : nothing}
    ${graph && Object.keys(graph.dependencies).length === 0 ? html`<div class="empty">No components are registered yet.</div>` : nothing}
    ${graph && !state.layout && Object.keys(graph.dependencies).length > MAX_NODES
      ? html`<div class="notice notice-info">${Object.keys(graph.dependencies).length} components are too many to draw; the startup order follows.</div>`
      : nothing}
    ${state.layout && state.layout.nodes.length > 0 ? picture(ctx, state.layout) : nothing}
    ${graph && graph.startup_order.length > 0
      ? html`<details class="card startup-order" ?open=${!state.layout}><summary>Startup order (${graph.startup_order.length})</summary>
          <ol data-testid="startup-order">${graph.startup_order.slice(0, 2000).map((id) => html`<li><a href="#/components/${encodeURIComponent(id)}">${id}</a></li>`)}</ol></details>`
      : nothing}
  </section>`;
}

function picture(ctx: AppContext, placed: Layout) {
  return html`<div class="graph-wrap">
    <svg class="graph" data-testid="dependency-graph" width=${placed.width} height=${placed.height}
      viewBox="0 0 ${placed.width} ${placed.height}" role="img" aria-label="Dependency graph">
      ${svg`<defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrow-head" />
        </marker>
        <marker id="arrow-cycle" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M0,0 L10,5 L0,10 z" class="arrow-head cycle" />
        </marker>
      </defs>`}
      ${placed.edges.map(
        (e) => svg`<path class=${`edge${e.cycle ? ' cycle' : ''}`} data-from=${e.from} data-to=${e.to} d=${path(e.points)}
          marker-end=${e.cycle ? 'url(#arrow-cycle)' : 'url(#arrow)'}><title>${e.to} depends on ${e.from}</title></path>`,
      )}
      ${placed.nodes.map((n) => {
        const status = n.missing ? 'missing' : ctx.store.components.get(n.id)?.status ?? 'registered';
        const x = n.x - NODE_WIDTH / 2;
        const y = n.y - NODE_HEIGHT / 2;
        return svg`<a class="node" href=${n.missing ? '#/graph' : `#/components/${encodeURIComponent(n.id)}`} data-node=${n.id}
            data-state=${status} data-level=${n.level}>
          <rect class=${`node-box state-${status}`} x=${x} y=${y} width=${NODE_WIDTH} height=${NODE_HEIGHT} rx="8" />
          <text class="node-title" x=${n.x} y=${n.y - 4} text-anchor="middle">${n.id.length > 22 ? `${n.id.slice(0, 21)}…` : n.id}</text>
          <text class="node-state" x=${n.x} y=${n.y + 13} text-anchor="middle">${n.missing ? 'not registered' : status}</text>
          <title>${n.id}: ${n.missing ? 'not registered' : status}</title>
        </a>`;
      })}
    </svg>
  </div>`;
}
