import { html, nothing } from 'lit-html';
import { repeat } from 'lit-html/directives/repeat.js';
import type { ComponentSummary } from 'tekton-client';
import type { AppContext } from '../context';
import { STATES, age, isLive, matches } from '../format';
import { badge, notice } from '../widgets';

// The overview: counts by state, then every component with its status, type, version, heartbeat age and instances,
// filtered by state and type and searched by id, name or capability.

/** Rows drawn at most; the filters narrow a larger registry. */
const ROW_LIMIT = 500;

const filters = { query: '', status: '', type: '' };

export function componentsView(ctx: AppContext) {
  const { store } = ctx;
  const all = [...store.components.values()];
  const types = [...new Set(all.map((c) => c.component_type))].sort();
  const counts = new Map<string, number>();
  for (const component of all) {
    counts.set(component.status, (counts.get(component.status) ?? 0) + 1);
  }
  const shown = all.filter(
    (c) =>
      (filters.status === '' || c.status === filters.status) &&
      (filters.type === '' || c.component_type === filters.type) &&
      matches(filters.query, c.component_id, c.component_name, c.component_type, ...c.capabilities),
  );
  const update = (name: keyof typeof filters) => (event: Event) => {
    filters[name] = (event.target as HTMLInputElement | HTMLSelectElement).value;
    ctx.changed();
  };

  return html`
    <section class="view" data-view="components">
      <header class="view-header">
        <h1>Components</h1>
        <div class="summary" data-testid="state-counts">
          <span class="summary-total"><strong>${all.length}</strong> registered</span>
          ${STATES.filter((s) => counts.has(s)).map(
            (s) => html`<button class="summary-item" @click=${() => { filters.status = filters.status === s ? '' : s; ctx.changed(); }}
              aria-pressed=${filters.status === s}>${badge(s)} <strong>${counts.get(s)}</strong></button>`,
          )}
        </div>
      </header>
      <div class="toolbar">
        <input type="search" placeholder="Search id, name, type, capability" aria-label="Search components"
          data-testid="component-search" .value=${filters.query} @input=${update('query')} />
        <select aria-label="Filter by state" data-testid="status-filter" .value=${filters.status} @change=${update('status')}>
          <option value="">All states</option>
          ${STATES.map((s) => html`<option value=${s} ?selected=${filters.status === s}>${s}</option>`)}
        </select>
        <select aria-label="Filter by type" data-testid="type-filter" .value=${filters.type} @change=${update('type')}>
          <option value="">All types</option>
          ${types.map((t) => html`<option value=${t} ?selected=${filters.type === t}>${t}</option>`)}
        </select>
      </div>
      ${notice('error', store.componentsError)}
      ${!store.componentsLoaded && !store.componentsError ? html`<p class="muted">Loading…</p>` : nothing}
      ${store.componentsLoaded && all.length === 0
        ? html`<div class="empty">No components are registered yet. Components register with
            <code>POST /api/tekton/components</code>, an SDK, or <code>tekton register</code>.</div>`
        : nothing}
      ${shown.length > 0
        ? html`<div class="table-wrap">
            <table class="data components-table" data-testid="components-table">
              <thead>
                <tr><th>Component</th><th>Status</th><th class="hide-narrow">Type</th><th class="hide-narrow">Version</th>
                  <th>Heartbeat</th><th>Instances</th><th class="hide-narrow">Address</th><th class="hide-narrow">Capabilities</th></tr>
              </thead>
              <tbody>
                ${repeat(shown.slice(0, ROW_LIMIT), (c) => c.component_id, (c) => row(ctx, c))}
              </tbody>
            </table>
          </div>`
        : nothing}
      ${shown.length > ROW_LIMIT ? html`<p class="muted">Showing ${ROW_LIMIT} of ${shown.length}; narrow the search to see the rest.</p>` : nothing}
      ${all.length > 0 && shown.length === 0 ? html`<p class="muted">No component matches these filters.</p>` : nothing}
    </section>`;
}

function row(ctx: AppContext, c: ComponentSummary) {
  const href = `#/components/${encodeURIComponent(c.component_id)}`;
  return html`<tr data-component=${c.component_id} @click=${(e: Event) => { if (!(e.target as Element).closest('a')) ctx.navigate(href); }}>
    <td><a href=${href} class="component-link"><strong>${c.component_id}</strong></a><div class="muted small">${c.component_name}</div></td>
    <td>${badge(c.status)}</td>
    <td class="hide-narrow">${c.component_type}</td>
    <td class="hide-narrow">${c.version}</td>
    <td class="heartbeat-age" title=${c.last_heartbeat ?? 'no heartbeat yet'}>${age(ctx.store.lastHeartbeat.get(c.component_id), ctx.now)}</td>
    <td class="instances">${instances(ctx, c.component_id)}</td>
    <td class="hide-narrow mono small">${c.host}${c.port ? `:${c.port}` : ''}</td>
    <td class="hide-narrow">${c.capabilities.map((cap) => html`<span class="tag">${cap}</span>`)}</td>
  </tr>`;
}

function instances(ctx: AppContext, componentId: string) {
  const details = ctx.details.get(componentId);
  if (!details) {
    return html`<span class="muted">…</span>`;
  }
  const live = details.instances.filter((i) => isLive(i.status)).length;
  return html`<span title="instances recorded (live ones: initializing, ready or degraded)">${details.instances.length}${live > 0 ? html` <span class="muted small">(${live} live)</span>` : nothing}</span>`;
}
