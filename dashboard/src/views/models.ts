import { html, nothing } from 'lit-html';
import type { CapabilityList, ModelList, RouteRequest, RouteResult } from 'tekton-client';
import type { AppContext } from '../context';
import { describeError } from '../session';
import { check, notice } from '../widgets';

// The model catalog and a route tester: fill in a task as a component would send it and see which model Tekton
// picks, why, and what it would fall back to.

const state: {
  models?: ModelList;
  capabilities?: CapabilityList;
  error?: string;
  loading: boolean;
  loadedAt: number;
  form: { task_type: string; complexity: '' | 'low' | 'medium' | 'high'; context_length: string; capabilities: string; min_tier: string; fallback: boolean };
  routing: boolean;
  result?: RouteResult;
  request?: RouteRequest;
  routeError?: string;
} = {
  loading: false,
  loadedAt: 0,
  form: { task_type: 'text_generation', complexity: 'medium', context_length: '', capabilities: '', min_tier: '', fallback: true },
  routing: false,
};

/** Forgets what an earlier session read and asked (sign-out). */
export function resetModels(): void {
  Object.assign(state, { models: undefined, capabilities: undefined, error: undefined, loadedAt: 0, result: undefined, request: undefined, routeError: undefined });
}

async function load(ctx: AppContext): Promise<void> {
  state.loading = true;
  try {
    [state.models, state.capabilities] = await Promise.all([ctx.session.client.listModels(), ctx.session.client.getCapabilities()]);
    state.error = undefined;
  } catch (error) {
    state.error = describeError(error);
  } finally {
    state.loading = false;
    state.loadedAt = Date.now();
    ctx.changed();
  }
}

async function route(ctx: AppContext, event: Event): Promise<void> {
  event.preventDefault();
  const f = state.form;
  const capabilities = f.capabilities.split(',').map((c) => c.trim()).filter(Boolean);
  const request: RouteRequest = { task_type: f.task_type.trim(), fallback: f.fallback };
  if (f.complexity) {
    request.complexity = f.complexity;
  }
  if (f.context_length.trim() !== '') {
    request.context_length = Number(f.context_length);
  }
  if (capabilities.length > 0 || f.min_tier !== '') {
    request.requirements = {
      ...(capabilities.length > 0 ? { capabilities } : {}),
      ...(f.min_tier !== '' ? { min_tier: Number(f.min_tier) } : {}),
    };
  }
  state.routing = true;
  state.request = request;
  ctx.changed();
  try {
    state.result = await ctx.session.client.routeTask(request);
    state.routeError = undefined;
  } catch (error) {
    state.result = undefined;
    state.routeError = describeError(error);
  } finally {
    state.routing = false;
    ctx.changed();
  }
}

export function modelsView(ctx: AppContext) {
  if (!state.loading && Date.now() - state.loadedAt > 10_000) {
    void load(ctx);
  }
  const models = state.models?.models ?? [];
  const capabilityIds = state.capabilities?.capabilities.map((c) => c.id) ?? [];
  const f = state.form;
  const set = (name: keyof typeof f) => (event: Event) => {
    const target = event.target as HTMLInputElement;
    (f as Record<string, unknown>)[name] = target.type === 'checkbox' ? target.checked : target.value;
  };
  return html`<section class="view" data-view="models">
    <header class="view-header"><h1>Models and routing</h1></header>
    ${notice('error', state.error)}
    <div class="detail-grid">
      <div class="card wide">
        <h2>Catalog <span class="muted small">(${models.length})</span></h2>
        ${models.length === 0 && state.models
          ? html`<p class="muted">No models are known. Add them with <code>POST /api/tekton/models</code>, in configuration, or run Ollama.</p>`
          : html`<div class="table-wrap"><table class="data" data-testid="models-table">
              <thead><tr><th>Model</th><th>Provider</th><th>Tier</th><th>Context</th><th>Status</th><th class="hide-narrow">Capabilities</th><th class="hide-narrow">Source</th></tr></thead>
              <tbody>${models.map(
                (m) => html`<tr data-model=${m.id}>
                  <td class="mono">${m.id}</td><td>${m.provider}</td><td>${m.tier}</td><td>${m.context_window.toLocaleString()}</td>
                  <td><span class="badge ${m.status === 'available' ? 'state-ready' : 'state-stopped'}">${m.status ?? '—'}</span></td>
                  <td class="hide-narrow">${m.capabilities.map((c) => html`<span class="tag">${c}</span>`)}</td>
                  <td class="hide-narrow muted">${m.source ?? ''}</td>
                </tr>`,
              )}</tbody>
            </table></div>`}
      </div>
      <form class="card route-form" data-testid="route-form" @submit=${(e: Event) => void route(ctx, e)}>
        <h2>Route tester</h2>
        <label>Task type
          <input name="task_type" required list="capability-list" .value=${f.task_type} @input=${set('task_type')} />
        </label>
        <datalist id="capability-list">${capabilityIds.map((c) => html`<option value=${c}></option>`)}</datalist>
        <label>Complexity
          <select name="complexity" .value=${f.complexity} @change=${set('complexity')}>
            ${(['', 'low', 'medium', 'high'] as const).map((c) => html`<option value=${c} ?selected=${f.complexity === c}>${c || 'not given'}</option>`)}
          </select>
        </label>
        <label>Context length (tokens)
          <input name="context_length" type="number" min="0" step="1" .value=${f.context_length} @input=${set('context_length')} />
        </label>
        <label><span>Required capabilities <span class="muted small">(comma-separated)</span></span>
          <input name="capabilities" .value=${f.capabilities} @input=${set('capabilities')} placeholder="code_generation, code_analysis" />
        </label>
        <label>Minimum tier
          <select name="min_tier" .value=${f.min_tier} @change=${set('min_tier')}>
            ${['', '1', '2', '3'].map((t) => html`<option value=${t} ?selected=${f.min_tier === t}>${t || 'any'}</option>`)}
          </select>
        </label>
        <label class="inline"><input name="fallback" type="checkbox" .checked=${f.fallback} @change=${set('fallback')} /> Fall back when no model matches every criterion</label>
        <button class="button primary" type="submit" ?disabled=${state.routing}>${state.routing ? 'Routing…' : 'Route'}</button>
      </form>
      <div class="card" data-testid="route-result">
        <h2>Selection</h2>
        ${notice('error', state.routeError)}
        ${state.result
          ? html`<dl class="facts">
                <dt>Model</dt><dd class="mono" data-testid="selected-model"><strong>${state.result.selected_model}</strong></dd>
                <dt>Provider</dt><dd>${state.result.provider}</dd>
                <dt>Endpoint</dt><dd class="mono small">${state.result.endpoint ?? '—'}</dd>
              </dl>
              <h3>Criteria</h3>
              <ul class="criteria">${Object.entries(state.result.selection_criteria).map(
                ([name, ok]) => html`<li data-criterion=${name}>${check(ok)} ${name.replaceAll('_', ' ')}</li>`,
              )}</ul>
              <h3>Fallbacks</h3>
              ${state.result.fallback_models.length
                ? html`<ol class="fallbacks">${state.result.fallback_models.map((m) => html`<li class="mono">${m}</li>`)}</ol>`
                : html`<p class="muted">None.</p>`}
              <details><summary class="muted small">Request sent</summary><pre class="mono small">${JSON.stringify(state.request, null, 2)}</pre></details>`
          : !state.routeError ? html`<p class="muted">Fill in the task and press Route.</p>` : nothing}
      </div>
    </div>
  </section>`;
}
