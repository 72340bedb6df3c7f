import { HubConnectionBuilder, HubConnectionState, LogLevel, type HubConnection } from '@microsoft/signalr';
import type { HeartbeatEvent, ResyncRequiredEvent, StateChangeEvent } from 'tekton-client';
import type { Session } from './session';
import type { Store } from './store';

// The page's live feed: Tekton's SignalR hub (/hubs/tekton), the same events and payloads as the raw sockets.
// State changes are subscribed with a replay point, so a reconnect misses nothing; heartbeats only live.

export interface LiveFeedHooks {
  /** A state change arrived (after the store took it). */
  onStateChanged(componentId: string): void;
  /** A component appeared or disappeared: the list (and the graph) should be read again. */
  onMembershipChanged(): void;
  /** The feed (re)connected after a gap: whatever was missed should be read again over REST. */
  onResynced(): void;
  /** Tekton refused the credentials (key revoked, token expired). */
  onUnauthorized(): void;
}

export class LiveFeed {
  readonly #connection: HubConnection;
  readonly #store: Store;
  readonly #hooks: LiveFeedHooks;
  #stopped = false;
  #retryTimer: number | undefined;

  constructor(session: Session, store: Store, hooks: LiveFeedHooks) {
    this.#store = store;
    this.#hooks = hooks;
    const apiKey = session.apiKey;
    this.#connection = new HubConnectionBuilder()
      .withUrl(`${location.origin}/hubs/tekton`, apiKey ? { accessTokenFactory: () => apiKey } : {})
      .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => Math.min(10_000, 500 * 2 ** context.previousRetryCount) })
      .configureLogging(LogLevel.None)
      .build();
    this.#connection.on('heartbeat', (event: HeartbeatEvent) => store.applyHeartbeat(event));
    this.#connection.on('state_change', (event: StateChangeEvent) => {
      const membership = store.applyStateChange(event);
      hooks.onStateChanged(event.component_id);
      if (membership) {
        hooks.onMembershipChanged();
      }
    });
    this.#connection.on('resync_required', (_: ResyncRequiredEvent) => hooks.onResynced());
    this.#connection.onreconnecting(() => store.setLive('reconnecting'));
    this.#connection.onreconnected(() => void this.#subscribe(true));
    this.#connection.onclose(() => {
      store.setLive('offline');
      this.#scheduleStart();
    });
  }

  get connected(): boolean {
    return this.#connection.state === HubConnectionState.Connected;
  }

  async start(): Promise<void> {
    if (this.#stopped) {
      return;
    }
    this.#store.setLive(this.#store.live === 'offline' ? 'reconnecting' : this.#store.live);
    try {
      await this.#connection.start();
    } catch (error) {
      if (isUnauthorized(error)) {
        this.#hooks.onUnauthorized();
        return;
      }
      this.#store.setLive('offline');
      this.#scheduleStart();
      return;
    }
    await this.#subscribe(this.#store.lastStateSequence !== null);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    window.clearTimeout(this.#retryTimer);
    await this.#connection.stop();
  }

  async #subscribe(afterGap: boolean): Promise<void> {
    try {
      // Replays the retained state changes (from the first one on a first connect), then goes live.
      await this.#connection.invoke('SubscribeStateChangesFor', ['all'], null, this.#store.lastStateSequence ?? 0);
      await this.#connection.invoke('SubscribeHeartbeats', 'all');
      this.#store.setLive('live');
      if (afterGap) {
        this.#hooks.onResynced();
      }
    } catch {
      // The hub refused (e.g. the role may not read events): stay without live data rather than fail the page.
      this.#store.setLive('offline');
    }
  }

  #scheduleStart(): void {
    if (this.#stopped) {
      return;
    }
    window.clearTimeout(this.#retryTimer);
    this.#retryTimer = window.setTimeout(() => void this.start(), 3_000);
  }
}

function isUnauthorized(error: unknown): boolean {
  return error instanceof Error && /\b401\b|Unauthorized/.test(error.message);
}
