// The JSON shapes of the Tekton API, exactly as the server sends and accepts them (snake_case).
// See docs/api.md for the meaning of every field.

/** The seven states of an instance. */
export type ComponentState = 'registered' | 'initializing' | 'ready' | 'degraded' | 'stopping' | 'stopped' | 'failed';

/** An RFC 3339 UTC timestamp such as `2025-04-30T15:20:30Z` (any number of fractional digits). */
export type Timestamp = string;

/** Any JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

// ---- Components -----------------------------------------------------------------------------------------

/** How Tekton starts a component as a supervised process. */
export interface LaunchSpec {
  command: string;
  args?: string[];
  working_directory?: string | null;
  env?: Record<string, string>;
  restart?: 'no' | 'on-failure' | 'always';
  max_restarts?: number;
  restart_window?: number;
  startup_timeout?: number;
  stop_timeout?: number;
}

/** What must be free before a component starts (GiB, or a GPU count). */
export interface Requirements {
  min_memory_gb?: number | null;
  min_disk_gb?: number | null;
  gpu_count?: number | null;
  min_gpu_memory_gb?: number | null;
}

/** The body of `POST /api/tekton/components`. */
export interface ComponentRegistration {
  component_id: string;
  component_name: string;
  component_type: string;
  version: string;
  capabilities?: string[];
  dependencies?: string[];
  host?: string;
  port?: number | null;
  health_check?: string | null;
  metadata?: Record<string, JsonValue>;
  /** Seconds. */
  heartbeat_interval?: number | null;
  /** Seconds. */
  heartbeat_timeout?: number | null;
  launch?: LaunchSpec | null;
  autostart?: boolean | null;
  requirements?: Requirements | null;
  instance_uuid?: string | null;
}

/** The answer to a registration. */
export interface RegistrationResult {
  success: boolean;
  message: string;
  instance_uuid: string;
  /** Present only when there is something to warn about (a cycle, dependencies not registered). */
  warnings?: string[];
}

/** A component as the list shows it. */
export interface ComponentSummary {
  component_id: string;
  component_name: string;
  component_type: string;
  version: string;
  status: ComponentState;
  host: string;
  port: number | null;
  capabilities: string[];
  last_heartbeat: Timestamp | null;
}

/** `GET /api/tekton/components`. */
export interface ComponentList {
  components: ComponentSummary[];
}

/** One instance of a component. */
export interface InstanceInfo {
  instance_uuid: string;
  status: ComponentState;
  created_at: Timestamp;
  startup_time: Timestamp | null;
  last_heartbeat: Timestamp | null;
  reason: string | null;
  pid: number | null;
  restart_count: number;
  exit_code: number | null;
  launched_at: Timestamp | null;
  status_changed_at: Timestamp;
}

/** `GET /api/tekton/components/{id}`. */
export interface ComponentDetails extends ComponentSummary {
  dependencies: string[];
  health_check: string | null;
  startup_time: Timestamp | null;
  /** `[d.]hh:mm:ss`. */
  uptime: string | null;
  metadata: Record<string, JsonValue>;
  heartbeat_interval: number;
  heartbeat_timeout: number;
  registered_at: Timestamp;
  launch: Required<LaunchSpec> | null;
  autostart: boolean;
  requirements?: Requirements | null;
  instances: InstanceInfo[];
}

/** `GET /api/tekton/components/{id}/status`. */
export interface ComponentStatus {
  component_id: string;
  status: ComponentState;
  last_heartbeat: Timestamp | null;
  uptime: string | null;
  instance_uuid: string | null;
  health_status: { overall: string; [name: string]: string };
}

/** `{success, message}` answers (deregister, stop, resource reports, key revocation, model deletion). */
export interface OperationResult {
  success: boolean;
  message: string;
}

// ---- Lifecycle ------------------------------------------------------------------------------------------

/** The body of `POST …/heartbeat`; every field optional. */
export interface Heartbeat {
  instance_uuid?: string | null;
  status?: ComponentState | null;
  metrics?: Record<string, number | boolean | string | null>;
  health?: Record<string, string>;
}

/** The answer to a heartbeat. */
export interface HeartbeatResult {
  success: boolean;
  message: string;
  instance_uuid: string;
  status: ComponentState;
}

/** The answer to `PUT …/instances/{uuid}/state`. */
export interface StateChangeResult {
  success: boolean;
  message: string;
  component_id: string;
  instance_uuid: string;
  previous_state: ComponentState;
  new_state: ComponentState;
}

/** The answer to `POST …/start`. */
export interface StartResult {
  success: boolean;
  message: string;
  instance_uuid: string;
}

/** The body of `POST …/stop`; every field optional. */
export interface StopOptions {
  instance_uuid?: string;
  /** Same as `instance_uuid`. */
  instanceUuid?: string;
  force?: boolean;
  /** Seconds (0–3600). */
  timeout?: number;
  cascade?: boolean;
}

/** `GET …/logs`. */
export interface ComponentLogs {
  component_id: string;
  instance_uuid: string | null;
  lines: string[];
}

/** A control signal (`GET …/instances/{uuid}/signals`). */
export interface ControlSignal {
  signal: 'shutdown' | string;
  force: boolean;
  timeout: number;
  requested_at: Timestamp;
}

// ---- Dependencies ---------------------------------------------------------------------------------------

/** `GET /api/tekton/dependencies`. */
export interface DependencyGraph {
  dependencies: Record<string, string[]>;
  startup_order: string[];
  circular_dependencies: string[][];
  missing_dependencies: Record<string, string[]>;
}

/** `GET /api/tekton/components/{id}/dependencies`. */
export interface ComponentDependencies {
  component_id: string;
  depends_on: string[];
  dependent_components: string[];
}

// ---- Resources ------------------------------------------------------------------------------------------

export interface CpuFigures {
  overall_percent: number | null;
  per_core: (number | null)[] | null;
  cores: number;
  load_average: number[] | null;
}

export interface MemoryFigures {
  total: number | null;
  used: number | null;
  free: number | null;
  percent: number | null;
  swap_total: number | null;
  swap_used: number | null;
  swap_free: number | null;
}

export interface DiskFigures {
  total: number | null;
  used: number | null;
  free: number | null;
  percent: number | null;
}

export interface GpuFigures {
  id: number;
  name: string | null;
  util: number | null;
  memory_total: number | null;
  memory_used: number | null;
  memory_free: number | null;
  temperature: number | null;
}

/** `GET /api/tekton/resources`. */
export interface SystemResources {
  cpu: CpuFigures;
  memory: MemoryFigures;
  disk: DiskFigures;
  gpu: GpuFigures[];
  timestamp: Timestamp;
}

/** `GET /api/tekton/resources/history`. */
export interface ResourceHistory {
  minutes: number;
  /** Seconds between samples. */
  interval: number;
  samples: SystemResources[];
}

/** A component's resource usage: what `POST …/resources` sends, and `resource_usage` in the answer of `GET`. */
export interface ResourceUsage {
  instance_uuid?: string | null;
  /** Percent of one core. */
  cpu_percent?: number | null;
  /** MiB, MiB, percent. */
  memory?: { rss?: number | null; vms?: number | null; percent?: number | null } | null;
  /** `memory_used` in GiB. */
  gpu?: { id?: number | null; memory_used?: number | null } | null;
  /** Bytes. */
  network?: { bytes_sent?: number | null; bytes_recv?: number | null } | null;
  /** Bytes. */
  disk_io?: { read_bytes?: number | null; write_bytes?: number | null } | null;
}

/** `GET /api/tekton/components/{id}/resources`. */
export interface ComponentResources {
  component_id: string;
  resource_usage: Omit<ResourceUsage, 'instance_uuid'>;
  timestamp: Timestamp;
  sources: Record<string, 'measured' | 'reported'>;
  measured_at: Timestamp | null;
  reported_at: Timestamp | null;
  instances: { instance_uuid: string; pid: number; processes: number }[];
}

// ---- Models and routing ---------------------------------------------------------------------------------

/** A model of the catalog (the body of `POST`/`PUT /api/tekton/models`, and what the catalog shows). */
export interface ModelInfo {
  id: string;
  provider: string;
  capabilities: string[];
  tier: 1 | 2 | 3 | number;
  context_window: number;
  status?: 'available' | 'unavailable';
  endpoint?: string | null;
  priority?: number | null;
  cost_per_1k_tokens?: number | null;
  /** In answers: `api`, `configuration`, `component` or `ollama`. */
  source?: string;
  /** In answers, for a model a component serves. */
  component_id?: string | null;
}

/** `GET /api/tekton/models`. */
export interface ModelList {
  models: ModelInfo[];
}

/** The body of `POST /api/tekton/route`. */
export interface RouteRequest {
  task_type: string;
  complexity?: 'low' | 'medium' | 'high';
  context_length?: number;
  requirements?: { capabilities?: string[]; min_tier?: number } | null;
  fallback?: boolean;
}

/** The answer of `POST /api/tekton/route`. */
export interface RouteResult {
  selected_model: string;
  provider: string;
  endpoint: string | null;
  selection_criteria: {
    complexity_match: boolean;
    context_window_sufficient: boolean;
    capability_match: boolean;
    tier_match: boolean;
  };
  fallback_models: string[];
}

/** One entry of `GET /api/tekton/capabilities`. */
export interface CapabilityInfo {
  id: string;
  description: string | null;
  supported_models: string[];
}

/** `GET /api/tekton/capabilities`. */
export interface CapabilityList {
  capabilities: CapabilityInfo[];
}

/** `GET /api/tekton/version`. */
export interface VersionInfo {
  version: string;
  build_date: string;
  git_commit: string;
  api_version: string;
}

// ---- Security -------------------------------------------------------------------------------------------

export type Role = 'admin' | 'component' | 'monitor' | 'user';

/** The body of `POST /api/tekton/auth/keys`. */
export interface NewApiKey {
  name: string;
  role: Role;
  /** Required for `component`, refused for the other roles. */
  component_id?: string | null;
}

/** An API key without its secret. */
export interface ApiKeyInfo {
  id: string;
  name: string;
  role: Role;
  component_id: string | null;
  /** The key's first 11 characters. */
  prefix: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
}

/** The answer of `POST /api/tekton/auth/keys`: the only time `api_key` is shown. */
export interface CreatedApiKey {
  id: string;
  name: string;
  role: Role;
  component_id: string | null;
  api_key: string;
  created_at: Timestamp;
}

/** `GET /api/tekton/auth/keys`. */
export interface ApiKeyList {
  keys: ApiKeyInfo[];
}

/** `POST /api/tekton/auth/token`. */
export interface AccessToken {
  access_token: string;
  token_type: 'Bearer' | string;
  /** Seconds. */
  expires_in: number;
  role: Role;
  component_id: string | null;
}

export interface AuditEntry {
  id: number;
  at: Timestamp;
  actor: string | null;
  key_id: string | null;
  role: string | null;
  action: string;
  method: string | null;
  path: string | null;
  target: string | null;
  outcome: 'allowed' | 'denied';
  status: number;
  client_address: string | null;
  detail: string | null;
}

/** `GET /api/tekton/audit`. */
export interface AuditPage {
  entries: AuditEntry[];
  next_before_id: number | null;
}

// ---- Live events ----------------------------------------------------------------------------------------

/** A `heartbeat` event of `/ws/tekton/heartbeat`. */
export interface HeartbeatEvent {
  event: 'heartbeat';
  sequence: number;
  component_id: string;
  instance_uuid: string;
  timestamp: Timestamp;
  status: ComponentState;
  metrics: Record<string, number | boolean | string | null>;
}

/** A `state_change` event of `/ws/tekton/state`. `previous_state`/`new_state` may be `unregistered`. */
export interface StateChangeEvent {
  event: 'state_change';
  sequence: number;
  component_id: string;
  previous_state: ComponentState | 'unregistered';
  new_state: ComponentState | 'unregistered';
  timestamp: Timestamp;
  metadata: {
    instance_uuid?: string;
    reason?: string;
    exit_code?: number;
    restart_count?: number;
    startup_duration?: number;
    [name: string]: JsonValue | undefined;
  };
}

/** The `subscribed` answer to a subscription. */
export interface SubscribedAck {
  event: 'subscribed';
  latest_sequence: number;
  replayed?: number;
  resync_required?: boolean;
  component_id?: string;
  component_types?: string[];
  component_ids?: string[] | null;
  [name: string]: JsonValue | undefined;
}

/** Sent when the events after `since_sequence` are no longer retained: read the current state over REST. */
export interface ResyncRequiredEvent {
  event: 'resync_required';
  channel: 'heartbeat' | 'state';
  since_sequence: number;
  oldest_sequence: number | null;
  latest_sequence: number;
  message: string;
}
