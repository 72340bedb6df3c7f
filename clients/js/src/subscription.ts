import { TektonApiError } from './errors.js';
import type { ResyncRequiredEvent, SubscribedAck } from './types.js';
import { messageText, resolveWebSocket, type WebSocketConstructor, type WebSocketLike } from './websocket.js';

/** How a subscription starts and what it tells its owner. Every callback is optional. */
export interface SubscriptionOptions {
  /** Replay the retained events after this sequence first, then the live ones. */
  sinceSequence?: number;
  /**
   * Tekton no longer retains the events after the sequence the subscription resumes from: some were missed, so
   * read the current state over REST. Live events follow as usual.
   */
  onResyncRequired?: (event: ResyncRequiredEvent) => void;
  /**
   * Something went wrong that the subscription cannot fix by reconnecting: the first connection failed or was
   * refused (the subscription has ended; `ready` rejects with the same error), Tekton answered a message with an
   * `error`, or the callback threw (the subscription goes on).
   */
  onError?: (error: unknown) => void;
  /** The connection was lost (or a reconnection attempt failed); the subscription reconnects by itself. */
  onDisconnected?: (error: unknown) => void;
  /** A lost connection is back and resubscribed (`since_sequence` = the last event delivered). */
  onReconnected?: (ack: SubscribedAck) => void;
  /** The longest wait between reconnection attempts in ms (default 5000; the waits grow from 100 ms, with jitter). */
  maxReconnectDelayMs?: number;
  /**
   * With the `ws` package (Node): a connection on which nothing arrived for this many ms, not even one of the pings
   * Tekton sends every 15 s, is taken for dead and replaced (default 45000; 0 turns the check off). Browsers do not
   * show pings to scripts, so there the check is off.
   */
  idleTimeoutMs?: number;
}

/** A live subscription; returned at once, before the socket is open. */
export interface Subscription {
  /** Resolves with Tekton's `subscribed` answer to the first subscription; rejects when it fails or is refused. */
  readonly ready: Promise<SubscribedAck>;
  /** The sequence of the last event delivered (or the one the subscription resumes after); `null` before any. */
  readonly lastSequence: number | null;
  /** Whether the socket is connected and subscribed now. */
  readonly connected: boolean;
  /** How often the connection was re-established. */
  readonly reconnects: number;
  /** Stops the subscription and closes its socket; resolves once it is closed. Safe to call more than once. */
  unsubscribe(): Promise<void>;
}

/** What a channel subscribes with. */
export interface ChannelSpec {
  channel: 'heartbeat' | 'state';
  /** The event the callback receives (`heartbeat` or `state_change`). */
  eventName: string;
  /** The subscribe message, resuming after `since` when it is not null. */
  subscribeMessage(since: number | null): Record<string, unknown>;
}

export interface SocketSettings {
  url: string;
  apiKey: string | null;
  WebSocket?: WebSocketConstructor;
}

const CONNECTING = 0;
const OPEN = 1;

/**
 * One subscription over a raw WebSocket channel. It reconnects when the connection drops (Tekton restarting, a
 * network failure, being dropped as a slow consumer) and resubscribes with `since_sequence` set to the last event
 * it delivered (or the `latest_sequence` of the first answer when no event came yet), so no retained event is
 * lost or delivered twice. Events are delivered one at a time, in sequence order; a callback that returns a
 * promise is awaited before the next event.
 */
export class TektonSubscription<E> implements Subscription {
  readonly ready: Promise<SubscribedAck>;
  #resolveReady!: (ack: SubscribedAck) => void;
  #rejectReady!: (error: unknown) => void;
  readonly #settings: SocketSettings;
  readonly #spec: ChannelSpec;
  readonly #callback: (event: E) => unknown;
  readonly #options: SubscriptionOptions;
  #lastSequence: number | null;
  #socket: WebSocketLike | null = null;
  #stopped = false;
  #everSubscribed = false;
  #connected = false;
  #failures = 0;
  #reconnects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(settings: SocketSettings, spec: ChannelSpec, callback: (event: E) => unknown, options: SubscriptionOptions = {}) {
    if (typeof callback !== 'function') {
      throw new TypeError('A subscription needs a callback function.');
    }
    this.#settings = settings;
    this.#spec = spec;
    this.#callback = callback;
    this.#options = options;
    this.#lastSequence = typeof options.sinceSequence === 'number' ? options.sinceSequence : null;
    this.ready = new Promise<SubscribedAck>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    // Fire-and-forget use (the reference's example) must not turn a failure into an unhandled rejection;
    // whoever awaits `ready` still sees it.
    this.ready.catch(() => {});
    this.#closed = new Promise<void>((resolve) => (this.#resolveClosed = resolve));
    void this.#connect();
  }

  get lastSequence(): number | null {
    return this.#lastSequence;
  }

  get connected(): boolean {
    return this.#connected;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  unsubscribe(): Promise<void> {
    if (this.#stopped) {
      return this.#closed;
    }
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#everSubscribed) {
      const error = new Error('The subscription was unsubscribed before Tekton confirmed it.');
      error.name = 'AbortError';
      this.#rejectReady(error);
    }
    const socket = this.#socket;
    if (socket && (socket.readyState === CONNECTING || socket.readyState === OPEN)) {
      try {
        socket.close(1000, 'unsubscribed');
      } catch {
        this.#finishClose();
      }
      // A peer that never answers the close must not hold the caller.
      const guard = setTimeout(() => this.#finishClose(), 2000);
      (guard as { unref?: () => void }).unref?.();
    } else {
      this.#finishClose();
    }
    return this.#closed;
  }

  #finishClose(): void {
    this.#socket = null;
    this.#connected = false;
    this.#resolveClosed();
  }

  async #connect(): Promise<void> {
    if (this.#stopped) {
      return;
    }
    let socket: WebSocketLike;
    try {
      const implementation = await resolveWebSocket(this.#settings.WebSocket);
      if (this.#stopped) {
        this.#finishClose();
        return;
      }
      socket = implementation.create(this.#settings.url, this.#settings.apiKey);
    } catch (error) {
      this.#enqueue(() => this.#lost(null, error));
      return;
    }
    this.#socket = socket;
    let failure: unknown = null;
    const watchdog = this.#watch(socket, (error) => {
      failure ??= error;
    });
    socket.addEventListener('open', () => {
      try {
        socket.send(JSON.stringify(this.#spec.subscribeMessage(this.#lastSequence)));
      } catch (error) {
        failure = error;
      }
    });
    socket.addEventListener('message', (event: { data: unknown }) => {
      watchdog.touch();
      const text = messageText(event.data);
      if (text !== null) {
        this.#enqueue(() => this.#handle(socket, text));
      }
    });
    socket.addEventListener('error', (event: { error?: unknown; message?: string }) => {
      failure ??= socketError(event);
    });
    socket.addEventListener('close', (event: { code?: number; reason?: string }) => {
      watchdog.stop();
      this.#enqueue(() => this.#lost(socket, failure ?? closeError(event)));
    });
  }

  /**
   * Replaces a connection on which nothing (no message, no ping) arrived for `idleTimeoutMs`: a peer that vanished
   * without closing (a network partition) would otherwise hold the subscription until TCP gives up.
   */
  #watch(socket: WebSocketLike, onIdle: (error: Error) => void): { touch(): void; stop(): void } {
    const limit = this.#options.idleTimeoutMs ?? 45_000;
    const emitter = socket as WebSocketLike & { on?: (event: string, listener: () => void) => void; terminate?: () => void };
    if (!(limit > 0) || typeof emitter.on !== 'function') {
      return { touch() {}, stop() {} };
    }
    const timer = setTimeout(() => {
      onIdle(new Error(`Nothing arrived on the event socket for ${limit / 1000} s; reconnecting.`));
      if (typeof emitter.terminate === 'function') {
        emitter.terminate();
      } else {
        socket.close();
      }
    }, limit);
    (timer as { unref?: () => void }).unref?.();
    // Only `ws` sockets get here (Node), whose timers have refresh(); typed loosely so the source also checks under DOM types.
    const touch = () => (timer as unknown as { refresh(): void }).refresh();
    emitter.on('ping', touch);
    emitter.on('pong', touch);
    emitter.on('open', touch);
    return { touch, stop: () => clearTimeout(timer) };
  }

  /** Messages and closes are handled one at a time, in the order they came. */
  #enqueue(step: () => unknown): void {
    this.#chain = this.#chain.then(async () => {
      await step();
    }).catch((error: unknown) => this.#report(error));
  }

  async #handle(socket: WebSocketLike, text: string): Promise<void> {
    if (this.#stopped || socket !== this.#socket) {
      return;
    }
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') {
      return;
    }
    switch (message.event) {
      case 'subscribed': {
        // Without a sequence to resume from, live events start after latest_sequence: remember it, so a
        // reconnection before the first event still resumes without a gap.
        if (this.#lastSequence === null && typeof message.latest_sequence === 'number') {
          this.#lastSequence = message.latest_sequence;
        }
        this.#connected = true;
        this.#failures = 0;
        const ack = message as SubscribedAck;
        if (!this.#everSubscribed) {
          this.#everSubscribed = true;
          this.#resolveReady(ack);
        } else {
          this.#reconnects++;
          this.#options.onReconnected?.(ack);
        }
        return;
      }
      case 'unsubscribed':
        return;
      case 'error': {
        const code = typeof message.code === 'number' ? message.code : 1000;
        const text = typeof message.message === 'string' ? message.message : 'Tekton refused the subscription.';
        const error = new TektonApiError(400, code, `Tekton answered the subscription with error ${code}: ${text}`, message);
        if (!this.#everSubscribed) {
          this.#fail(error);
          socket.close(1000, 'refused');
        } else {
          this.#report(error);
        }
        return;
      }
      case 'resync_required':
        this.#options.onResyncRequired?.(message as unknown as ResyncRequiredEvent);
        return;
      default: {
        const sequence = message.sequence;
        if (typeof sequence !== 'number') {
          return;
        }
        if (this.#lastSequence !== null && sequence <= this.#lastSequence) {
          return; // delivered already (a replay after a reconnection overlaps what came before)
        }
        this.#lastSequence = sequence;
        if (message.event === this.#spec.eventName) {
          try {
            await this.#callback(message as E);
          } catch (error) {
            this.#report(error);
          }
        }
      }
    }
  }

  #lost(socket: WebSocketLike | null, error: unknown): void {
    if (socket !== null && socket !== this.#socket) {
      return;
    }
    this.#socket = null;
    this.#connected = false;
    if (this.#stopped) {
      this.#finishClose();
      return;
    }
    if (!this.#everSubscribed) {
      // The first connection failed: whoever awaits `ready` gets the error, and the subscription ends.
      this.#fail(error ?? new Error('Tekton closed the event socket before the subscription was confirmed.'));
      return;
    }
    this.#options.onDisconnected?.(error);
    this.#failures++;
    const maxDelay = this.#options.maxReconnectDelayMs ?? 5000;
    const ceiling = Math.min(maxDelay, 100 * 2 ** (Math.min(this.#failures, 16) - 1));
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    this.#timer = setTimeout(() => void this.#connect(), delay);
  }

  #fail(error: unknown): void {
    if (this.#stopped) {
      return;
    }
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#rejectReady(error);
    this.#report(error);
    if (this.#socket === null) {
      this.#finishClose();
    }
  }

  #report(error: unknown): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // an error handler that throws has nowhere left to report to
    }
  }
}

/** The error behind a socket's `error` event, with Tekton's code where the handshake answer shows one. */
function socketError(event: { error?: unknown; message?: string }): Error {
  const underlying = event.error instanceof Error ? event.error : null;
  const message = underlying?.message ?? event.message ?? 'The event socket failed.';
  const status = /Unexpected server response: (\d{3})/.exec(message);
  if (status) {
    const code = Number(status[1]);
    const tektonCode = code === 401 || code === 403 ? 1008 : code === 429 ? 1007 : 1000;
    const hint = code === 401 || code === 403 ? ': check the API key' : '';
    return new TektonApiError(code, tektonCode, `Tekton refused the event socket (${code})${hint}.`, null);
  }
  return underlying ?? new Error(message);
}

function closeError(event: { code?: number; reason?: string }): Error {
  const reason = event.reason ? `: ${event.reason}` : '';
  return new Error(`The event socket closed (${event.code ?? 'no code'}${reason}).`);
}
