import { html, nothing } from 'lit-html';
import type { ComponentDependencies, ComponentDetails, ComponentResources, ComponentStatus } from 'tekton-client';
import { TektonApiError } from 'tekton-client';
import type { AppContext } from '../context';
import { age, dateTime, fixed, isRunning, time } from '../format';
import type { Operation } from '../operations';
import { can, describeError } from '../session';
import { badge, notice, sparkline } from '../widgets';

// One component: what it is, its instances and health, what it depends on and what depends on it, its recent state
// changes, CPU and memory over the last minutes, a live tail of its log, and (Admin) start / stop / restart.

const POLL_MS = 2_000;
const LOG_LINES = 200;

interface DetailState {
  readonly id: string;
  details?: ComponentDetails;
  status?: ComponentStatus;
  dependencies?: ComponentDependencies;
  resources?: ComponentResources;
  logs?: string[];
  logsError?: string;
  error?: string;
  notFound: boolean;
  /** The newest state change of this component that the details reflect. */
  seenSequence: number;
  timer?: number;
  reloading: boolean;
}

let current: DetailState | null = null;

/** Leaves the detail view: stops its polling. */
export function closeDetail(): void {
  if (current?.timer !== undefined) {
    window.clearInterval(current.timer);
  }
  current = null;
}

function open(ctx: AppContext, id: string): DetailState {
  closeDetail();
  const state: DetailState = { id, notFound: false, seenSequence: ctx.store.eventsOf(id, 1)[0]?.sequence ?? 0, reloading: false };
  current = state;
  void reload(ctx, state);
  void poll(ctx, state);
  state.timer = window.setInterval(() => void poll(ctx, state), POLL_MS);
  return state;
}

async function reload(ctx: AppContext, state: DetailState): Promise<void> {
  if (state.reloading) {
    return;
  }
  state.reloading = true;
  const client = ctx.session.client;
  try {
    const [details, status, dependencies] = await Promise.all([
      client.getComponent(state.id),
      client.getComponentStatus(state.id),
      client.getComponentDependencies(state.id),
    ]);
    Object.assign(state, { details, status, dependencies, error: undefined, notFound: false });
    ctx.details.put(details);
  } catch (error) {
    state.notFound = error instanceof TektonApiError && error.status === 404;
    state.error = state.notFound ? undefined : describeError(error);
  } finally {
    state.reloading = false;
    ctx.changed();
  }
}

async function poll(ctx: AppContext, state: DetailState): Promise<void> {
  if (current !== state || state.notFound) {
    return;
  }
  const client = ctx.session.client;
  const resources = client.getComponentResources(state.id).then(
    (r) => {
      state.resources = r;
      const usage = r.resource_usage;
      if (usage.cpu_percent != null || usage.memory?.percent != null) {
        ctx.store.addSample(state.id, Date.parse(r.timestamp) / 1000, usage.cpu_percent ?? null, usage.memory?.percent ?? null);
      }
    },
    () => undefined,
  );
  const logs = can.readLogs(ctx.session)
    ? client.getComponentLogs(state.id, { tail: LOG_LINES }).then(
        (l) => {
          state.logs = l.lines;
          state.logsError = undefined;
        },
        (error) => {
          state.logsError = describeError(error);
        },
      )
    : Promise.resolve();
  await Promise.all([resources, logs]);
  if (current === state) {
    ctx.changed();
  }
}

export function detailView(ctx: AppContext, id: string) {
  const state = current?.id === id ? current : open(ctx, id);
  const latest = ctx.store.eventsOf(id, 1)[0]?.sequence ?? 0;
  if (latest > state.seenSequence) {
    state.seenSequence = latest;
    void reload(ctx, state);
  }
  if (state.notFound) {
    return html`<section class="view" data-view="detail">
      <p><a href="#/components">← Components</a></p>
      <div class="empty">No component <strong>${id}</strong> is registered.</div>
    </section>`;
  }
  const d = state.details;
  const summary = ctx.store.components.get(id);
  const status = summary?.status ?? d?.status;
  const series = ctx.store.series.get(id);
  return html`<section class="view" data-view="detail" data-component=${id}>
    <p class="crumbs"><a href="#/components">← Components</a></p>
    <header class="view-header detail-header">
      <div>
        <h1>${id} ${status ? badge(status) : nothing}</h1>
        <div class="muted">${d?.component_name ?? summary?.component_name ?? ''}</div>
      </div>
      ${actions(ctx, id, d)}
    </header>
    ${notice('error', state.error)}
    ${ctx.operations.of(id).map((op) => operationPanel(ctx, op))}
    ${d ? body(ctx, state, d, series) : html`<p class="muted">Loading…</p>`}
  </section>`;
}

function actions(ctx: AppContext, id: string, d: ComponentDetails | undefined) {
  if (!can.operate(ctx.session)) {
    return nothing;
  }
  const launchable = d?.launch != null;
  const running = d?.instances.some((i) => isRunning(i, launchable)) ?? false;
  const busy = ctx.operations.of(id).some((o) => o.phase === 'running');
  return html`<div class="actions">
    <button class="button primary" data-action="start" ?disabled=${busy || running || !d}
      title=${launchable ? 'Start it (and its dependencies)' : 'No launch spec: Tekton waits for the component to register itself'}
      @click=${() => void ctx.operations.start(id)}>Start</button>
    <button class="button" data-action="restart" ?disabled=${busy || !running || !launchable}
      @click=${() => void ctx.operations.restart(id)}>Restart</button>
    <button class="button danger" data-action="stop" ?disabled=${busy || !running}
      @click=${() => void ctx.operations.stop(id)}>Stop</button>
  </div>`;
}

function operationPanel(ctx: AppContext, op: Operation) {
  const steps = ctx.operations.steps(op);
  return html`<div class="operation operation-${op.phase}" data-testid="operation" data-phase=${op.phase}>
    <div class="operation-head">
      <strong>${op.kind[0].toUpperCase() + op.kind.slice(1)} ${op.componentId}</strong>
      <span class="operation-message">${op.message}</span>
      ${op.phase !== 'running' ? html`<button class="link" @click=${() => ctx.operations.dismiss(op)} aria-label="Dismiss">✕</button>` : nothing}
    </div>
    ${op.kind !== 'stop' && steps.length > 0
      ? html`<ol class="plan">
          ${steps.map(
            (s) => html`<li data-step=${s.componentId} class=${s.moved ? 'moved' : ''}>
              <a href="#/components/${encodeURIComponent(s.componentId)}">${s.componentId}</a> ${badge(s.state)}
              ${op.phase === 'running' && s.state !== 'ready' ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}
            </li>`,
          )}
        </ol>`
      : nothing}
  </div>`;
}

function body(ctx: AppContext, state: DetailState, d: ComponentDetails, series: ReturnType<AppContext['store']['series']['get']>) {
  const health = state.status?.health_status;
  const missing = new Set(d.dependencies.filter((dep) => !ctx.store.components.has(dep)));
  const usage = state.resources?.resource_usage;
  const events = ctx.store.eventsOf(d.component_id, 20);
  return html`<div class="detail-grid">
    <div class="card">
      <h2>Overview</h2>
      <dl class="facts">
        <dt>Type</dt><dd>${d.component_type}</dd>
        <dt>Version</dt><dd>${d.version}</dd>
        <dt>Address</dt><dd class="mono">${d.host}${d.port ? `:${d.port}` : ''}</dd>
        <dt>Health check</dt><dd class="mono">${d.health_check ?? '—'}</dd>
        <dt>Last heartbeat</dt><dd>${ago(ctx.store.lastHeartbeat.get(d.component_id), ctx.now)}
          <span class="muted small">(every ${d.heartbeat_interval} s, timeout ${d.heartbeat_timeout} s)</span></dd>
        <dt>Uptime</dt><dd>${d.uptime ?? '—'}</dd>
        <dt>Started</dt><dd>${dateTime(d.startup_time)}</dd>
        <dt>Registered</dt><dd>${dateTime(d.registered_at)}</dd>
        <dt>Launch</dt><dd class="mono small">${d.launch ? [d.launch.command, ...d.launch.args].join(' ') : 'not launched by Tekton'}</dd>
        <dt>Capabilities</dt><dd>${d.capabilities.length ? d.capabilities.map((c) => html`<span class="tag">${c}</span>`) : '—'}</dd>
      </dl>
    </div>
    <div class="card" data-testid="health">
      <h2>Health</h2>
      ${health
        ? html`<dl class="facts">${Object.entries(health).map(
            ([name, value]) => html`<dt>${name}</dt><dd><span class="health health-${value}">${value}</span></dd>`,
          )}</dl>`
        : html`<p class="muted">Unknown.</p>`}
    </div>
    <div class="card" data-testid="dependencies">
      <h2>Dependencies</h2>
      <h3>Depends on</h3>
      ${link_list(ctx, state.dependencies?.depends_on ?? d.dependencies, missing)}
      <h3>Needed by</h3>
      ${link_list(ctx, state.dependencies?.dependent_components ?? [], new Set())}
    </div>
    <div class="card" data-testid="usage">
      <h2>CPU and memory</h2>
      <div class="spark-row"><span class="spark-label">CPU</span>${sparkline(series?.cpu ?? [], 'CPU percent')}</div>
      <div class="spark-row"><span class="spark-label">Memory</span>${sparkline(series?.memory ?? [], 'Memory percent')}</div>
      <p class="muted small">CPU ${fixed(usage?.cpu_percent, 1, '%')} of one core · RSS ${fixed(usage?.memory?.rss, 1, ' MiB')}
        ${state.resources?.measured_at ? ' · measured by Tekton' : state.resources?.reported_at ? ' · reported by the component' : ''}</p>
    </div>
    <div class="card wide">
      <h2>Instances</h2>
      <div class="table-wrap"><table class="data" data-testid="instances">
        <thead><tr><th>Instance</th><th>Status</th><th>PID</th><th>Restarts</th><th>Exit code</th><th>Created</th><th>Reason</th></tr></thead>
        <tbody>${d.instances.map(
          (i) => html`<tr data-instance=${i.instance_uuid}>
            <td class="mono small">${i.instance_uuid}</td><td>${badge(i.status)}</td><td>${i.pid ?? '—'}</td>
            <td>${i.restart_count}</td><td>${i.exit_code ?? '—'}</td><td>${dateTime(i.created_at)}</td><td>${i.reason ?? ''}</td>
          </tr>`,
        )}</tbody>
      </table></div>
    </div>
    <div class="card wide">
      <h2>Recent state changes</h2>
      ${events.length === 0
        ? html`<p class="muted">None since Tekton started keeping them.</p>`
        : html`<ul class="timeline" data-testid="recent-changes">${events.map(
            (e) => html`<li><span class="muted mono small">${time(e.timestamp)}</span> ${badge(e.previous_state)} → ${badge(e.new_state)}
              ${e.metadata.reason ? html`<span class="muted small">${e.metadata.reason}</span>` : nothing}
              ${e.metadata.exit_code != null ? html`<span class="muted small">exit ${e.metadata.exit_code}</span>` : nothing}</li>`,
          )}</ul>`}
    </div>
    <div class="card wide">
      <h2>Log <span class="muted small">(last ${LOG_LINES} lines, live)</span></h2>
      ${can.readLogs(ctx.session)
        ? html`${notice('warning', state.logsError)}
            <pre class="log" data-testid="log-tail">${state.logs?.length ? state.logs.join('\n') : 'No output captured (Tekton keeps the output of the processes it launches).'}</pre>`
        : html`<p class="muted">Logs need an Admin key.</p>`}
    </div>
  </div>`;
}

function ago(at: number | undefined, now: number): string {
  return at === undefined ? 'never' : `${age(at, now)} ago`;
}

function link_list(ctx: AppContext, ids: string[], missing: Set<string>) {
  if (ids.length === 0) {
    return html`<p class="muted">None.</p>`;
  }
  return html`<ul class="links">${ids.map((id) => {
    const component = ctx.store.components.get(id);
    return html`<li>${missing.has(id)
      ? html`<span class="missing" title="not registered">${id}</span> <span class="badge state-missing">missing</span>`
      : html`<a href="#/components/${encodeURIComponent(id)}">${id}</a> ${component ? badge(component.status) : nothing}`}</li>`;
  })}</ul>`;
}
