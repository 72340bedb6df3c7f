import { TektonApiError, TektonConnectionError, TektonTimeoutError, type Problem } from './errors.js';
import { HeartbeatLoop, type HeartbeatOptions } from './heartbeat.js';
import { defaultRetryOptions, delayBefore, isTransient, parseRetryAfter, sleep, type RetryOptions } from './retry.js';
import { TektonSubscription, type Subscription, type SubscriptionOptions } from './subscription.js';
import type {
  AccessToken,
  ApiKeyList,
  AuditPage,
  CapabilityList,
  ComponentDependencies,
  ComponentDetails,
  ComponentList,
  ComponentLogs,
  ComponentRegistration,
  ComponentResources,
  ComponentState,
  ComponentStatus,
  ComponentSummary,
  ControlSignal,
  CreatedApiKey,
  DependencyGraph,
  Heartbeat,
  HeartbeatEvent,
  HeartbeatResult,
  ModelInfo,
  ModelList,
  NewApiKey,
  OperationResult,
  RegistrationResult,
  ResourceHistory,
  ResourceUsage,
  RouteRequest,
  RouteResult,
  StartResult,
  StateChangeEvent,
  StateChangeResult,
  StopOptions,
  SystemResources,
  VersionInfo,
} from './types.js';
import type { WebSocketConstructor } from './websocket.js';

/** The variable that holds Tekton's address (set for every process Tekton launches). */
export const URL_VARIABLE = 'TEKTON_URL';
/** The variable that holds the API key (set for processes Tekton launches when auth is on). */
export const API_KEY_VARIABLE = 'TEKTON_API_KEY';

/** How a `TektonClient` reaches Tekton and how hard it tries. Everything is optional. */
export interface TektonClientOptions {
  /** Tekton's host (default `localhost`). */
  host?: string;
  /** Tekton's port (default 8010). */
  port?: number;
  /**
   * Tekton's base URL, e.g. `https://tekton.example.com/`; wins over `host`/`port`. When none of the three is
   * given: `TEKTON_URL` (Node), else `http://localhost:8010`.
   */
  baseUrl?: string | URL;
  /**
   * An API key or a JWT, sent as `Authorization: Bearer` (and as `?access_token=` on the event sockets of a
   * platform WebSocket). Default: `TEKTON_API_KEY` (Node). `null` sends none.
   */
  apiKey?: string | null;
  /** Retries of idempotent calls (see `RetryOptions`). */
  retry?: Partial<RetryOptions>;
  /** The `fetch` to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** How long one attempt of a request may take, in ms (default 30000). Long polls and waited starts add their own wait. */
  timeoutMs?: number;
  /**
   * The WebSocket constructor for subscriptions (WHATWG API; the key then goes in `?access_token=`). Default:
   * `globalThis.WebSocket` when there is one, else the `ws` package (the key in an `Authorization` header).
   */
  WebSocket?: WebSocketConstructor;
}

/** Options every call takes. */
export interface RequestOptions {
  /** Aborts the call (and its retries); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A call through `TektonClient.request`. */
export interface RawRequest extends RequestOptions {
  /** Query parameters; `undefined` and `null` are left out. */
  query?: Record<string, string | number | boolean | null | undefined>;
  /** A JSON body. */
  body?: unknown;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Whether the call may be repeated after a transient failure (default: true). */
  idempotent?: boolean;
  /** Time the call may take on top of `timeoutMs`, in ms (long polls, waited starts). */
  extraTimeMs?: number;
  /** `json` (default; `null` for an empty body) or `text`. */
  responseType?: 'json' | 'text';
}

export interface ListComponentsOptions extends RequestOptions {
  status?: ComponentState;
  type?: string;
  capability?: string;
}

export interface RegisterOptions extends RequestOptions {
  /** The `Idempotency-Key` header; default: a new random key per call (the same for each of its retries). */
  idempotencyKey?: string;
}

export interface StartOptions extends RequestOptions {
  /** Answer when the component is ready (or with the error that kept it from becoming ready). */
  wait?: boolean;
  /** Seconds (0–3600) to wait for each dependency that has no launch spec. */
  dependencyTimeout?: number;
}

export interface LogsOptions extends RequestOptions {
  /** Lines, 1–10000 (server default 200). */
  tail?: number;
  /** Which instance (default: the current one). */
  instanceUuid?: string;
}

export interface ListModelsOptions extends RequestOptions {
  capability?: string;
  provider?: string;
  status?: 'available' | 'unavailable';
}

export interface AuditOptions extends RequestOptions {
  limit?: number;
  beforeId?: number;
  outcome?: 'allowed' | 'denied';
}

/** Filters of a state-change subscription. */
export interface StateChangeFilter {
  /** `['all']` (default) or component types. */
  componentTypes?: string[];
  /** Only these components (and only of the listed types). */
  componentIds?: string[];
}

const COMPONENTS = 'api/tekton/components';

/**
 * The JavaScript client of the Tekton API: every endpoint (answers are the API's JSON, snake_case as the
 * reference shows), retries of idempotent calls, heartbeats, and live event subscriptions.
 *
 * ```js
 * const client = new TektonClient({ host: 'localhost', port: 8010 });
 * const result = await client.registerComponent({ component_id: 'my_frontend', … });
 * console.log(result.instance_uuid);
 * ```
 */
export class TektonClient {
  /** Tekton's base URL, ending with `/`. */
  readonly baseUrl: string;
  /** The API key or token this client sends; `null` when none. */
  readonly apiKey: string | null;
  /** The retry settings in force. */
  readonly retry: Readonly<RetryOptions>;
  /** How long one attempt may take, in ms. */
  readonly timeoutMs: number;
  readonly #fetch: typeof globalThis.fetch | undefined;
  readonly #WebSocket: WebSocketConstructor | undefined;

  constructor(options: TektonClientOptions = {}) {
    this.baseUrl = resolveBaseUrl(options);
    this.apiKey = options.apiKey === undefined ? env(API_KEY_VARIABLE) ?? null : options.apiKey || null;
    this.retry = Object.freeze({ ...defaultRetryOptions, ...definedOnly(options.retry ?? {}) });
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#fetch = options.fetch;
    this.#WebSocket = options.WebSocket;
  }

  // ---- Components ---------------------------------------------------------------------------------------

  /**
   * Registers a component (`POST /api/tekton/components`). The request carries an `Idempotency-Key` (a new one
   * unless `idempotencyKey` is given), so a retry after a lost answer gets the first answer and creates no second
   * instance.
   */
  registerComponent(registration: ComponentRegistration, options: RegisterOptions = {}): Promise<RegistrationResult> {
    return this.request<RegistrationResult>('POST', COMPONENTS, {
      body: registration,
      headers: { 'Idempotency-Key': options.idempotencyKey ?? newKey() },
      signal: options.signal,
    });
  }

  /** Lists components in registration order; each filter given must match exactly. */
  listComponents(options: ListComponentsOptions = {}): Promise<ComponentList> {
    return this.request<ComponentList>('GET', COMPONENTS, {
      query: { status: options.status, type: options.type, capability: options.capability },
      signal: options.signal,
    });
  }

  /** The components that offer `capability` (the `components` array of the filtered list). */
  async findComponentsByCapability(capability: string, options: RequestOptions = {}): Promise<ComponentSummary[]> {
    return (await this.listComponents({ capability, signal: options.signal })).components;
  }

  /** One component with its instances (404/1001 when it is not registered). */
  getComponent(componentId: string, options: RequestOptions = {}): Promise<ComponentDetails> {
    return this.request<ComponentDetails>('GET', `${COMPONENTS}/${segment(componentId)}`, options);
  }

  /** The status of the component's current instance, with its health. */
  getComponentStatus(componentId: string, options: RequestOptions = {}): Promise<ComponentStatus> {
    return this.request<ComponentStatus>('GET', `${COMPONENTS}/${segment(componentId)}/status`, options);
  }

  /** Deregisters a component, stopping what Tekton runs for it. */
  deregisterComponent(componentId: string, options: RequestOptions = {}): Promise<OperationResult> {
    return this.request<OperationResult>('DELETE', `${COMPONENTS}/${segment(componentId)}`, options);
  }

  // ---- Lifecycle ----------------------------------------------------------------------------------------

  /** Sends one heartbeat (every field optional: `instance_uuid`, `status`, `metrics`, `health`). */
  sendHeartbeat(componentId: string, heartbeat: Heartbeat = {}, options: RequestOptions = {}): Promise<HeartbeatResult> {
    return this.request<HeartbeatResult>('POST', `${COMPONENTS}/${segment(componentId)}/heartbeat`, {
      body: heartbeat,
      signal: options.signal,
    });
  }

  /** Reports a state change of an instance (`PUT …/instances/{uuid}/state`). */
  changeInstanceState(
    componentId: string,
    instanceUuid: string,
    state: ComponentState,
    reason?: string | null,
    options: RequestOptions = {},
  ): Promise<StateChangeResult> {
    const body: Record<string, unknown> = { state };
    if (reason != null) {
      body.reason = reason;
    }
    return this.request<StateChangeResult>('PUT', `${COMPONENTS}/${segment(componentId)}/instances/${segment(instanceUuid)}/state`, {
      body,
      signal: options.signal,
    });
  }

  /**
   * Starts a component and every dependency it needs. With `wait` the call resolves when the component is ready,
   * or rejects with the error that kept it from becoming ready (bound it with `signal`).
   */
  startComponent(componentId: string, options: StartOptions = {}): Promise<StartResult> {
    return this.request<StartResult>('POST', `${COMPONENTS}/${segment(componentId)}/start`, {
      query: { wait: options.wait ? true : undefined, dependency_timeout: options.dependencyTimeout },
      extraTimeMs: options.wait ? 2 * 3600_000 : 0,
      signal: options.signal,
    });
  }

  /** Stops a component's instances (`{instance_uuid, force, timeout, cascade}`); resolves once they are stopped. */
  stopComponent(componentId: string, options: StopOptions & RequestOptions = {}): Promise<OperationResult> {
    const body = definedOnly({
      instance_uuid: options.instance_uuid ?? options.instanceUuid,
      force: options.force,
      timeout: options.timeout,
      cascade: options.cascade,
    });
    return this.request<OperationResult>('POST', `${COMPONENTS}/${segment(componentId)}/stop`, {
      body,
      extraTimeMs: ((options.timeout ?? 3600) + 5) * 1000,
      signal: options.signal,
    });
  }

  /** The last lines of an instance's output (default: the current instance, 200 lines). */
  getComponentLogs(componentId: string, options: LogsOptions = {}): Promise<ComponentLogs> {
    return this.request<ComponentLogs>('GET', `${COMPONENTS}/${segment(componentId)}/logs`, {
      query: { tail: options.tail, instance_uuid: options.instanceUuid },
      signal: options.signal,
    });
  }

  /**
   * Long-polls the control signals of an instance for up to `waitSeconds` (0–60, default 30); resolves with the
   * signal, or `null` when none came (204).
   */
  waitForSignal(componentId: string, instanceUuid: string, waitSeconds = 30, options: RequestOptions = {}): Promise<ControlSignal | null> {
    const seconds = Math.min(60, Math.max(0, Math.ceil(waitSeconds)));
    return this.request<ControlSignal | null>(
      'GET',
      `${COMPONENTS}/${segment(componentId)}/instances/${segment(instanceUuid)}/signals`,
      { query: { wait: seconds }, extraTimeMs: seconds * 1000, signal: options.signal },
    );
  }

  // ---- Dependencies -------------------------------------------------------------------------------------

  /** The whole dependency graph with the startup order, cycles and missing dependencies. */
  getDependencyGraph(options: RequestOptions = {}): Promise<DependencyGraph> {
    return this.request<DependencyGraph>('GET', 'api/tekton/dependencies', options);
  }

  /** What a component depends on and what depends on it. */
  getComponentDependencies(componentId: string, options: RequestOptions = {}): Promise<ComponentDependencies> {
    return this.request<ComponentDependencies>('GET', `${COMPONENTS}/${segment(componentId)}/dependencies`, options);
  }

  // ---- Resources ----------------------------------------------------------------------------------------

  /** CPU, memory, disk and GPUs of Tekton's machine. */
  getSystemResources(options: RequestOptions = {}): Promise<SystemResources> {
    return this.request<SystemResources>('GET', 'api/tekton/resources', options);
  }

  /** The retained resource samples, oldest first (the last `minutes`, or all that is kept). */
  getResourceHistory(minutes?: number, options: RequestOptions = {}): Promise<ResourceHistory> {
    return this.request<ResourceHistory>('GET', 'api/tekton/resources/history', { query: { minutes }, signal: options.signal });
  }

  /** A component's resource usage, measured and reported. */
  getComponentResources(componentId: string, options: RequestOptions = {}): Promise<ComponentResources> {
    return this.request<ComponentResources>('GET', `${COMPONENTS}/${segment(componentId)}/resources`, options);
  }

  /** Reports a component's own resource usage (what a resource reporter sends). */
  reportResources(componentId: string, usage: ResourceUsage, options: RequestOptions = {}): Promise<OperationResult> {
    return this.request<OperationResult>('POST', `${COMPONENTS}/${segment(componentId)}/resources`, { body: usage, signal: options.signal });
  }

  // ---- Models and routing -------------------------------------------------------------------------------

  /** The model catalog, ordered by id; each filter given must hold. */
  listModels(options: ListModelsOptions = {}): Promise<ModelList> {
    return this.request<ModelList>('GET', 'api/tekton/models', {
      query: { capability: options.capability, provider: options.provider, status: options.status },
      signal: options.signal,
    });
  }

  /** One model. */
  getModel(modelId: string, options: RequestOptions = {}): Promise<ModelInfo> {
    return this.request<ModelInfo>('GET', `api/tekton/models/${segment(modelId)}`, options);
  }

  /** Adds a model to the catalog, or replaces one added through the API; resolves with the model as the catalog shows it. */
  addModel(model: ModelInfo, options: RequestOptions = {}): Promise<ModelInfo> {
    return this.request<ModelInfo>('POST', 'api/tekton/models', { body: model, signal: options.signal });
  }

  /** Creates or replaces the model `modelId` (a body `id` must match). */
  putModel(modelId: string, model: Omit<ModelInfo, 'id'> & { id?: string }, options: RequestOptions = {}): Promise<ModelInfo> {
    return this.request<ModelInfo>('PUT', `api/tekton/models/${segment(modelId)}`, { body: model, signal: options.signal });
  }

  /** Removes a model added through the API. */
  deleteModel(modelId: string, options: RequestOptions = {}): Promise<OperationResult> {
    return this.request<OperationResult>('DELETE', `api/tekton/models/${segment(modelId)}`, options);
  }

  /** Chooses the model for a task (404/1009 when none fits, 503/1010 when none is available). */
  routeTask(request: RouteRequest, options: RequestOptions = {}): Promise<RouteResult> {
    return this.request<RouteResult>('POST', 'api/tekton/route', { body: request, signal: options.signal });
  }

  /** Every capability with the models that declare it. */
  getCapabilities(options: RequestOptions = {}): Promise<CapabilityList> {
    return this.request<CapabilityList>('GET', 'api/tekton/capabilities', options);
  }

  // ---- Service ------------------------------------------------------------------------------------------

  /** Tekton's version and the API version. */
  getVersion(options: RequestOptions = {}): Promise<VersionInfo> {
    return this.request<VersionInfo>('GET', 'api/tekton/version', options);
  }

  /** Whether Tekton is ready to serve (`GET /health/ready`); `false` when it cannot be reached or is not ready. */
  async isReady(options: RequestOptions = {}): Promise<boolean> {
    try {
      await this.request('GET', 'health/ready', { signal: options.signal, idempotent: false });
      return true;
    } catch (error) {
      if (error instanceof TektonApiError || error instanceof TektonConnectionError) {
        return false;
      }
      throw error;
    }
  }

  /** The Prometheus text of `GET /metrics`. */
  getMetrics(options: RequestOptions = {}): Promise<string> {
    return this.request<string>('GET', 'metrics', { responseType: 'text', signal: options.signal });
  }

  // ---- Security -----------------------------------------------------------------------------------------

  /** Creates an API key (Admin). The secret (`api_key`) is in this answer only. Not retried: a retry would create a second key. */
  createApiKey(key: NewApiKey, options: RequestOptions = {}): Promise<CreatedApiKey> {
    return this.request<CreatedApiKey>('POST', 'api/tekton/auth/keys', { body: key, idempotent: false, signal: options.signal });
  }

  /** Every API key, without secrets (Admin). */
  listApiKeys(options: RequestOptions = {}): Promise<ApiKeyList> {
    return this.request<ApiKeyList>('GET', 'api/tekton/auth/keys', options);
  }

  /** Revokes an API key and its tokens (Admin). */
  revokeApiKey(keyId: string, options: RequestOptions = {}): Promise<OperationResult> {
    return this.request<OperationResult>('DELETE', `api/tekton/auth/keys/${segment(keyId)}`, options);
  }

  /** Exchanges an API key (default: this client's) for a JWT access token. */
  issueToken(apiKey?: string, options: RequestOptions = {}): Promise<AccessToken> {
    const key = apiKey ?? this.apiKey;
    if (!key) {
      return Promise.reject(new TypeError('No API key: pass one, or create the client with one.'));
    }
    return this.request<AccessToken>('POST', 'api/tekton/auth/token', { body: { api_key: key }, signal: options.signal });
  }

  /** A page of the audit trail, newest first (Admin). */
  getAuditTrail(options: AuditOptions = {}): Promise<AuditPage> {
    return this.request<AuditPage>('GET', 'api/tekton/audit', {
      query: { limit: options.limit, before_id: options.beforeId, outcome: options.outcome },
      signal: options.signal,
    });
  }

  // ---- Heartbeats and live events -----------------------------------------------------------------------

  /**
   * Starts sending heartbeats for `componentId` every `interval` seconds (default 10), the first at once. Stop
   * them with `await loop.stop()`. `options` may also be the interval itself.
   */
  startHeartbeat(componentId: string, options: HeartbeatOptions | number = {}): HeartbeatLoop {
    const settings = typeof options === 'number' ? { interval: options } : options;
    return new HeartbeatLoop((id, heartbeat, request) => this.sendHeartbeat(id, heartbeat, request), componentId, settings);
  }

  /**
   * Subscribes to the heartbeats of `componentId` (or `'all'`) on `/ws/tekton/heartbeat`. Returns at once; the
   * socket opens in the background (`subscription.ready` resolves when Tekton confirms). Reconnects and resumes
   * by `sequence` by itself.
   */
  subscribeToHeartbeats(
    componentId: string,
    callback: (event: HeartbeatEvent) => unknown,
    options: SubscriptionOptions = {},
  ): Subscription {
    return new TektonSubscription<HeartbeatEvent>(
      this.#socketSettings('heartbeat'),
      {
        channel: 'heartbeat',
        eventName: 'heartbeat',
        subscribeMessage: (since) => withSince({ action: 'subscribe', component_id: componentId }, since),
      },
      callback,
      options,
    );
  }

  /**
   * Subscribes to state changes on `/ws/tekton/state`: of every component (`subscribeToStateChanges(callback)`),
   * or of `componentTypes` (default `['all']`), optionally only `componentIds`. Returns at once, like
   * `subscribeToHeartbeats`.
   */
  subscribeToStateChanges(callback: (event: StateChangeEvent) => unknown, options?: SubscriptionOptions): Subscription;
  subscribeToStateChanges(
    filter: StateChangeFilter,
    callback: (event: StateChangeEvent) => unknown,
    options?: SubscriptionOptions,
  ): Subscription;
  subscribeToStateChanges(
    filterOrCallback: StateChangeFilter | ((event: StateChangeEvent) => unknown),
    callbackOrOptions?: ((event: StateChangeEvent) => unknown) | SubscriptionOptions,
    maybeOptions?: SubscriptionOptions,
  ): Subscription {
    let filter: StateChangeFilter;
    let callback: (event: StateChangeEvent) => unknown;
    let options: SubscriptionOptions;
    if (typeof filterOrCallback === 'function') {
      filter = {};
      callback = filterOrCallback;
      options = (callbackOrOptions as SubscriptionOptions | undefined) ?? {};
    } else {
      filter = filterOrCallback ?? {};
      callback = callbackOrOptions as (event: StateChangeEvent) => unknown;
      options = maybeOptions ?? {};
    }
    const types = filter.componentTypes ?? ['all'];
    const ids = filter.componentIds;
    return new TektonSubscription<StateChangeEvent>(
      this.#socketSettings('state'),
      {
        channel: 'state',
        eventName: 'state_change',
        subscribeMessage: (since) => {
          const message: Record<string, unknown> = { action: 'subscribe', component_types: [...types] };
          if (ids) {
            message.component_ids = [...ids];
          }
          return withSince(message, since);
        },
      },
      callback,
      options,
    );
  }

  #socketSettings(channel: 'heartbeat' | 'state') {
    const url = new URL(`ws/tekton/${channel}`, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return { url: url.toString(), apiKey: this.apiKey, WebSocket: this.#WebSocket };
  }

  // ---- The HTTP core ------------------------------------------------------------------------------------

  /**
   * Sends one call to `path` (relative to the base URL, e.g. `api/tekton/version`), retrying it when it is
   * idempotent and the failure is transient. Resolves with the parsed JSON body (`null` for an empty one);
   * rejects with `TektonApiError` (an error answer), `TektonConnectionError`/`TektonTimeoutError`, or the
   * signal's reason when aborted.
   */
  async request<T = unknown>(method: string, path: string, call: RawRequest = {}): Promise<T> {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== null) {
        url.searchParams.set(name, String(value));
      }
    }
    const headers: Record<string, string> = { Accept: 'application/json, application/problem+json', ...call.headers };
    if (this.apiKey) {
      headers.Authorization = `Bearer ${this.apiKey}`;
    }
    let body: string | undefined;
    if (call.body !== undefined) {
      body = JSON.stringify(call.body);
      headers['Content-Type'] = 'application/json';
    }
    const attempts = call.idempotent === false ? 1 : Math.max(1, Math.floor(this.retry.maxAttempts));
    const limitMs = this.timeoutMs + (call.extraTimeMs ?? 0);
    const userSignal = call.signal;
    const fetchImpl = this.#fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') {
      throw new TypeError('No fetch: this platform has none; pass the fetch option.');
    }

    for (let attempt = 1; ; attempt++) {
      userSignal?.throwIfAborted();
      let retryAfter: number | null = null;
      const attemptAbort = new AbortController();
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        attemptAbort.abort(new Error('timeout'));
      }, Math.min(limitMs, 2_147_483_647));
      const onUserAbort = () => attemptAbort.abort(userSignal!.reason);
      userSignal?.addEventListener('abort', onUserAbort, { once: true });
      try {
        const response = await fetchImpl(url, { method, headers, body, signal: attemptAbort.signal });
        const text = await response.text();
        if (response.ok) {
          if (call.responseType === 'text') {
            return text as T;
          }
          return (text.length === 0 ? null : JSON.parse(text)) as T;
        }
        const error = toApiError(method, url, response, text);
        if (attempt >= attempts || !isTransient(error)) {
          throw error;
        }
        if (error.retryAfter !== null && error.retryAfter * 1000 > this.retry.maxRetryAfterMs) {
          throw error;
        }
        retryAfter = error.retryAfter;
      } catch (error) {
        if (error instanceof TektonApiError || error instanceof SyntaxError) {
          throw error;
        }
        if (userSignal?.aborted) {
          throw userSignal.reason;
        }
        if (attempt >= attempts) {
          const where = `${method} ${url.pathname}${url.search}`;
          if (timedOut) {
            throw new TektonTimeoutError(`Tekton did not answer ${where} within ${limitMs / 1000} s.`, { cause: error });
          }
          throw new TektonConnectionError(`Tekton could not be reached (${where}): ${describe(error)}`, { cause: error });
        }
      } finally {
        clearTimeout(timer);
        userSignal?.removeEventListener('abort', onUserAbort);
      }
      await sleep(delayBefore(this.retry, attempt, retryAfter), userSignal);
    }
  }
}

function toApiError(method: string, url: URL, response: Response, text: string): TektonApiError {
  let problem: Problem | null = null;
  if (text.length > 0) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        problem = parsed as Problem;
      }
    } catch {
      // not JSON: the message quotes the text
    }
  }
  const code = typeof problem?.code === 'number' && Number.isInteger(problem.code) ? problem.code : 1000;
  const detail =
    (typeof problem?.detail === 'string' ? problem.detail : undefined) ??
    (typeof problem?.title === 'string' ? problem.title : undefined) ??
    (text.length > 0 ? text.slice(0, 500) : response.statusText);
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  return new TektonApiError(
    response.status,
    code,
    `Tekton answered ${response.status} (code ${code}) to ${method} ${url.pathname}: ${detail}`,
    problem,
    retryAfter,
  );
}

function resolveBaseUrl(options: TektonClientOptions): string {
  let base: string;
  if (options.baseUrl !== undefined) {
    base = String(options.baseUrl);
  } else if (options.host !== undefined || options.port !== undefined) {
    const host = options.host ?? 'localhost';
    const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
    base = `http://${bracketed}:${options.port ?? 8010}`;
  } else {
    base = env(URL_VARIABLE) ?? 'http://localhost:8010';
  }
  const url = new URL(base);
  if (!url.pathname.endsWith('/')) {
    url.pathname += '/';
  }
  url.search = '';
  url.hash = '';
  return url.toString();
}

function env(name: string): string | undefined {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value ? value : undefined;
}

function segment(value: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`An id is required, not ${JSON.stringify(value)}.`);
  }
  return encodeURIComponent(value);
}

function withSince(message: Record<string, unknown>, since: number | null): Record<string, unknown> {
  if (since !== null) {
    message.since_sequence = since;
  }
  return message;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A new idempotency key: 32 hex digits. */
function newKey(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') {
    return crypto.randomUUID().replaceAll('-', '');
  }
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') {
    crypto.getRandomValues(bytes);
  } else {
    for (let i = 0; i < bytes.length; i++) {
      bytes[i] = Math.floor(Math.random() * 256);
    }
  }
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof Error && cause.message) {
      return `${error.message} (${cause.message})`;
    }
    return error.message;
  }
  return String(error);
}
