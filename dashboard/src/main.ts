import { html, nothing, render } from 'lit-html';
import { TektonApiError } from 'tekton-client';
import './style.css';
import { resizeCharts, updateCharts, type ChartSpec } from './charts';
import type { AppContext } from './context';
import { DetailsCache } from './details';
import { LiveFeed } from './live';
import { Operations } from './operations';
import { can, describeError, probeSession, signIn, signOut, type Session } from './session';
import { Store } from './store';
import { componentsView } from './views/components';
import { closeDetail, detailView } from './views/detail';
import { eventsView } from './views/events';
import { graphView, resetGraph } from './views/graph';
import { modelsView, resetModels } from './views/models';
import { closeResources, resourcesView } from './views/resources';
import { notice } from './widgets';

// The page: finds out who is looking (sign-in when Tekton asks for a key), reads the registry, follows the live
// events, and draws the view the address names (#/components, #/components/{id}, #/graph, #/resources, #/models,
// #/events) on every change.

const root = document.getElementById('app')!;
const THEME_ITEM = 'tekton.theme';
const REFRESH_MS = 15_000;

type Route = { view: 'components' } | { view: 'detail'; id: string } | { view: 'graph' | 'resources' | 'models' | 'events' };

interface Running {
  session: Session;
  store: Store;
  operations: Operations;
  details: DetailsCache;
  feed: LiveFeed | null;
  timers: number[];
}

let running: Running | null = null;
let signInState: { reason?: string; error?: string; busy: boolean } | null = null;
let fatal: string | null = null;
let lastRoute = '';
let menuOpen = false;
let focusedConfirmation: unknown = null;

// ---- theme ------------------------------------------------------------------------------------------------

function applyTheme(theme: string | null): void {
  const chosen = theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  document.documentElement.dataset.theme = chosen;
}

function toggleTheme(): void {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  localStorage.setItem(THEME_ITEM, next);
  applyTheme(next);
  draw();
}

// ---- routing ----------------------------------------------------------------------------------------------

function route(): Route {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0]) {
    case 'components':
      return parts[1] ? { view: 'detail', id: parts[1] } : { view: 'components' };
    case 'graph':
    case 'resources':
    case 'models':
    case 'events':
      return { view: parts[0] };
    default:
      return { view: running && !can.readRegistry(running.session) ? 'models' : 'components' };
  }
}

function navigate(hash: string): void {
  if (location.hash !== hash) {
    location.hash = hash;
  } else {
    draw();
  }
}

// ---- start and stop of a session --------------------------------------------------------------------------

async function boot(): Promise<void> {
  const probe = await probeSession();
  if (probe.kind === 'unreachable') {
    fatal = `Tekton cannot be reached: ${probe.reason}`;
    draw();
    window.setTimeout(() => { fatal = null; void boot(); }, 5_000);
    return;
  }
  fatal = null;
  if (probe.kind === 'sign-in') {
    signInState = { reason: probe.reason, busy: false };
    draw();
    return;
  }
  begin(probe.session);
}

function begin(session: Session): void {
  signInState = null;
  const store = new Store();
  const details = new DetailsCache(session.client, () => store.changed(), (id) => store.components.has(id));
  const operations = new Operations(session.client, store);
  running = { session, store, operations, details, feed: null, timers: [] };
  store.subscribe(draw);
  if (can.readRegistry(session)) {
    void refreshComponents(true);
    running.feed = new LiveFeed(session, store, {
      onStateChanged: (componentId) => details.invalidate(componentId),
      onMembershipChanged: () => void refreshComponents(false),
      onResynced: () => void refreshComponents(true),
      onUnauthorized: () => void end('Tekton no longer accepts this key. Sign in again.'),
    });
    void running.feed.start();
    running.timers.push(window.setInterval(() => void refreshComponents(false), REFRESH_MS));
  }
  // Heartbeat ages move with the clock.
  running.timers.push(window.setInterval(draw, 1_000));
  draw();
}

async function end(reason?: string): Promise<void> {
  const ending = running;
  running = null;
  closeDetail();
  closeResources();
  // The next person to sign in sees nothing this session read.
  resetGraph();
  resetModels();
  if (ending) {
    ending.timers.forEach((t) => window.clearInterval(t));
    await ending.feed?.stop();
  }
  signOut();
  signInState = { reason, busy: false };
  draw();
}

let refreshing: Promise<void> | null = null;
let refreshAgain: boolean | null = null;

/**
 * Reads the list again; after a gap in the live feed also the instance counts (`everything`). A request that comes
 * while a read is under way runs once more after it, so a registration during a read is not missed.
 */
async function refreshComponents(everything: boolean): Promise<void> {
  if (refreshing) {
    refreshAgain = (refreshAgain ?? false) || everything;
    return refreshing;
  }
  refreshing = readComponents(everything).finally(() => {
    refreshing = null;
    const again = refreshAgain;
    refreshAgain = null;
    if (again !== null) {
      void refreshComponents(again);
    }
  });
  return refreshing;
}

async function readComponents(everything: boolean): Promise<void> {
  if (!running) {
    return;
  }
  const { session, store, details } = running;
  try {
    const list = await session.client.listComponents();
    if (running?.store !== store) {
      return;
    }
    store.setComponents(list.components);
    if (everything) {
      for (const component of list.components) {
        details.invalidate(component.component_id);
      }
    }
  } catch (error) {
    if (error instanceof TektonApiError && error.status === 401 && session.authEnabled) {
      void end('Tekton no longer accepts this key. Sign in again.');
      return;
    }
    store.componentsError = `The component list could not be read: ${describeError(error)}`;
    store.changed();
  }
}

// ---- drawing ----------------------------------------------------------------------------------------------

function draw(): void {
  if (fatal) {
    render(html`<div class="center-page"><div class="card narrow"><h1>Tekton</h1>${notice('error', fatal)}<p class="muted">Retrying…</p></div></div>`, root);
    return;
  }
  if (signInState || !running) {
    render(signInPage(), root);
    return;
  }
  const r = route();
  const key = r.view === 'detail' ? `detail:${r.id}` : r.view;
  if (key !== lastRoute) {
    // Views that poll stop when left (the detail view replaces its own state when it opens another component).
    if (r.view !== 'detail') closeDetail();
    if (r.view !== 'resources') closeResources();
    lastRoute = key;
    menuOpen = false;
  }
  const { session, store, operations, details } = running;
  const ctx: AppContext = { session, store, operations, details, now: Date.now(), changed: () => store.changed(), navigate };
  const specs = new Map<string, ChartSpec>();
  render(shell(ctx, r, viewFor(ctx, r, specs)), root);
  updateCharts(root, specs);
  followLogs();
}

function viewFor(ctx: AppContext, r: Route, specs: Map<string, ChartSpec>) {
  const needsRegistry = r.view !== 'models';
  if (needsRegistry && !can.readRegistry(ctx.session)) {
    return html`<section class="view"><div class="empty">The ${ctx.session.role} role may use the model catalog and routing only.
      <a href="#/models">Open models</a>.</div></section>`;
  }
  switch (r.view) {
    case 'components':
      return componentsView(ctx);
    case 'detail':
      return detailView(ctx, r.id);
    case 'graph':
      return graphView(ctx);
    case 'resources':
      return resourcesView(ctx, specs);
    case 'models':
      return modelsView(ctx);
    case 'events':
      return eventsView(ctx);
  }
}

const NAV: { view: Route['view']; hash: string; label: string }[] = [
  { view: 'components', hash: '#/components', label: 'Components' },
  { view: 'graph', hash: '#/graph', label: 'Graph' },
  { view: 'resources', hash: '#/resources', label: 'Resources' },
  { view: 'models', hash: '#/models', label: 'Models' },
  { view: 'events', hash: '#/events', label: 'Events' },
];

function shell(ctx: AppContext, r: Route, view: unknown) {
  const active = r.view === 'detail' ? 'components' : r.view;
  const live = ctx.store.live;
  return html`
    <header class="topbar">
      <a class="brand" href="#/components"><span class="logo" aria-hidden="true">T</span>Tekton</a>
      <button class="menu-toggle" aria-label="Menu" aria-expanded=${menuOpen} @click=${() => { menuOpen = !menuOpen; draw(); }}>☰</button>
      <nav class=${menuOpen ? 'open' : ''} aria-label="Views">
        ${NAV.map((n) => html`<a href=${n.hash} class=${active === n.view ? 'active' : ''} aria-current=${active === n.view ? 'page' : 'false'}>${n.label}</a>`)}
      </nav>
      <div class="topbar-right">
        ${can.readRegistry(ctx.session)
          ? html`<span class="live live-${live}" data-testid="live-state" title="Live events over SignalR: ${live}"><span class="dot"></span>${live}</span>`
          : nothing}
        <span class="who" data-testid="who">${ctx.session.authEnabled ? ctx.session.role : 'local admin'}</span>
        <button class="icon-button" aria-label="Switch light and dark" title="Switch light and dark" @click=${toggleTheme}>◐</button>
        ${ctx.session.authEnabled ? html`<button class="button small" data-action="sign-out" @click=${() => void end()}>Sign out</button>` : nothing}
      </div>
    </header>
    <main>${view}</main>
    ${confirmDialog(ctx)}`;
}

function confirmDialog(ctx: AppContext) {
  const c = ctx.operations.confirmation;
  if (!c) {
    return nothing;
  }
  if (focusedConfirmation !== c) {
    // Once per dialog: the page redraws every second, and the reader may be ticking an option meanwhile.
    focusedConfirmation = c;
    queueMicrotask(() => document.querySelector<HTMLButtonElement>('.modal [data-confirm]')?.focus());
  }
  return html`<div class="modal-backdrop" @click=${(e: Event) => { if (e.target === e.currentTarget) c.resolve(false); }}
      @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') c.resolve(false); }}>
    <div class="modal card" role="dialog" aria-modal="true" aria-labelledby="modal-title" data-testid="confirm">
      <h2 id="modal-title">${c.title}</h2>
      <p>${c.body}</p>
      ${c.offerForce
        ? html`<label class="inline"><input type="checkbox" data-option="force" .checked=${c.force}
            @change=${(e: Event) => { c.force = (e.target as HTMLInputElement).checked; }} /> Force: kill at once, without a graceful shutdown</label>`
        : nothing}
      ${c.dependents.length > 0
        ? html`<p class="notice notice-warning">Running components need it: ${c.dependents.join(', ')}. Tekton refuses to stop it under
              them unless they are stopped first.</p>
            <label class="inline"><input type="checkbox" data-option="cascade" .checked=${c.cascade}
              @change=${(e: Event) => { c.cascade = (e.target as HTMLInputElement).checked; }} /> Cascade: stop them first</label>`
        : nothing}
      <div class="modal-actions">
        <button class="button" data-cancel @click=${() => c.resolve(false)}>Cancel</button>
        <button class=${`button ${c.danger ? 'danger' : 'primary'}`} data-confirm @click=${() => c.resolve(true)}>${c.confirmLabel}</button>
      </div>
    </div>
  </div>`;
}

function signInPage() {
  const s = signInState ?? { busy: false };
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const data = new FormData(form);
    const key = String(data.get('api_key') ?? '').trim();
    if (!key) {
      return;
    }
    signInState = { ...s, busy: true, error: undefined };
    draw();
    try {
      const session = await signIn(key, data.get('remember') === 'on');
      begin(session);
    } catch (error) {
      signInState = {
        busy: false,
        error: error instanceof TektonApiError && error.status === 401 ? 'Tekton does not accept this key.' : describeError(error),
      };
      draw();
    }
  };
  return html`<div class="center-page">
    <form class="card narrow sign-in" data-testid="sign-in" @submit=${submit}>
      <h1><span class="logo" aria-hidden="true">T</span> Tekton</h1>
      <p class="muted">Tekton asks for an API key. An Admin can create one with <code>tekton keys create</code>; the first one is
        in the data folder (<code>bootstrap-admin.key</code>).</p>
      ${notice('info', s.reason)}
      ${notice('error', s.error)}
      <label>API key <input name="api_key" type="password" autocomplete="current-password" required autofocus placeholder="tk_…" /></label>
      <label class="inline"><input name="remember" type="checkbox" /> Keep me signed in on this browser</label>
      <button class="button primary" type="submit" ?disabled=${s.busy}>${s.busy ? 'Signing in…' : 'Sign in'}</button>
      <button class="icon-button theme-corner" type="button" aria-label="Switch light and dark" @click=${toggleTheme}>◐</button>
    </form>
  </div>`;
}

/** Keeps a log tail scrolled to its end unless the reader scrolled up. */
function followLogs(): void {
  for (const log of root.querySelectorAll<HTMLPreElement>('pre.log')) {
    if (!log.dataset.bound) {
      log.dataset.bound = '1';
      log.addEventListener('scroll', () => {
        log.dataset.follow = log.scrollTop + log.clientHeight >= log.scrollHeight - 8 ? '1' : '0';
      });
    }
    if (log.dataset.follow !== '0') {
      log.scrollTop = log.scrollHeight;
    }
  }
}

applyTheme(localStorage.getItem(THEME_ITEM));
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  if (!localStorage.getItem(THEME_ITEM)) {
    applyTheme(null);
    draw();
  }
});
window.addEventListener('hashchange', draw);
window.addEventListener('resize', () => resizeCharts());
void boot();
