export { TektonClient, URL_VARIABLE, API_KEY_VARIABLE } from './client.js';
export type {
  TektonClientOptions,
  RequestOptions,
  RawRequest,
  ListComponentsOptions,
  RegisterOptions,
  StartOptions,
  LogsOptions,
  ListModelsOptions,
  AuditOptions,
  StateChangeFilter,
} from './client.js';
export { TektonApiError, TektonConnectionError, TektonTimeoutError } from './errors.js';
export type { Problem } from './errors.js';
export { defaultRetryOptions } from './retry.js';
export type { RetryOptions } from './retry.js';
export { HeartbeatLoop } from './heartbeat.js';
export type { HeartbeatOptions } from './heartbeat.js';
export type { Subscription, SubscriptionOptions } from './subscription.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket.js';
export type * from './types.js';
