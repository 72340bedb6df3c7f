import { html, nothing } from 'lit-html';
import type { AppContext } from '../context';
import { matches, time } from '../format';
import { badge } from '../widgets';

// Every state change as it happens (and those Tekton still held when the page connected), newest first.

const SHOWN = 300;
const filters = { query: '' };

export function eventsView(ctx: AppContext) {
  const { store } = ctx;
  const shown = [];
  for (let i = store.events.length - 1; i >= 0 && shown.length < SHOWN; i--) {
    const e = store.events[i];
    const type = store.components.get(e.component_id)?.component_type;
    if (matches(filters.query, e.component_id, type, e.new_state, e.previous_state, String(e.metadata.reason ?? ''))) {
      shown.push(e);
    }
  }
  return html`<section class="view" data-view="events">
    <header class="view-header"><h1>Live events</h1><span class="muted small">${store.events.length} state changes held · ${store.live}</span></header>
    <div class="toolbar">
      <input type="search" placeholder="Filter by component, type, state or reason" aria-label="Filter events"
        .value=${filters.query} @input=${(e: Event) => { filters.query = (e.target as HTMLInputElement).value; ctx.changed(); }} />
    </div>
    ${shown.length === 0
      ? html`<div class="empty">No state changes yet. They appear here as components register, start, stop and fail.</div>`
      : html`<div class="table-wrap"><table class="data" data-testid="event-log">
          <thead><tr><th>Time</th><th>Component</th><th>Change</th><th class="hide-narrow">Details</th><th class="hide-narrow">#</th></tr></thead>
          <tbody>${shown.map(
            (e) => html`<tr data-sequence=${e.sequence} data-component=${e.component_id}>
              <td class="mono small">${time(e.timestamp)}</td>
              <td><a href="#/components/${encodeURIComponent(e.component_id)}">${e.component_id}</a></td>
              <td>${badge(e.previous_state)} → ${badge(e.new_state)}</td>
              <td class="hide-narrow small">${details(e.metadata)}</td>
              <td class="hide-narrow muted small">${e.sequence}</td>
            </tr>`,
          )}</tbody>
        </table></div>`}
  </section>`;
}

function details(metadata: Record<string, unknown>) {
  const parts: string[] = [];
  if (metadata.reason) parts.push(String(metadata.reason));
  if (metadata.exit_code != null) parts.push(`exit code ${metadata.exit_code}`);
  if (metadata.restart_count) parts.push(`restart ${metadata.restart_count}`);
  if (metadata.startup_duration != null) parts.push(`ready after ${Number(metadata.startup_duration).toFixed(1)} s`);
  return parts.length ? parts.join(' · ') : nothing;
}
