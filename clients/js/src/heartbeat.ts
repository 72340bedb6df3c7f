import { sleep } from './retry.js';
import type { Heartbeat, HeartbeatResult } from './types.js';

/** What `startHeartbeat` sends, and how often. */
export interface HeartbeatOptions {
  /** Seconds between heartbeats (default 10), as the reference's `start_heartbeat(…, interval=10)`. */
  interval?: number;
  /** The instance the heartbeats are for; default: the component's current instance. */
  instanceUuid?: string;
  /** Builds each heartbeat (status, metrics, health); its `instance_uuid` defaults to `instanceUuid`. */
  build?: () => Heartbeat | Promise<Heartbeat>;
  /** Called when a heartbeat fails; the loop goes on and sends the next one on time. */
  onError?: (error: unknown) => void;
  /** Called with Tekton's answer to each accepted heartbeat. */
  onHeartbeat?: (result: HeartbeatResult) => void;
}

type Send = (componentId: string, heartbeat: Heartbeat, options: { signal: AbortSignal }) => Promise<HeartbeatResult>;

/**
 * Heartbeats sent in the background every interval, the first at once, until `stop()`. A failed heartbeat is
 * counted and reported to `onError`; the next one is sent on time. Ticks missed while a heartbeat took longer
 * than the interval are skipped, not sent in a burst.
 */
export class HeartbeatLoop {
  /** Seconds between heartbeats. */
  readonly interval: number;
  #sent = 0;
  #failed = 0;
  #lastResult: HeartbeatResult | null = null;
  #lastError: unknown = null;
  readonly #abort = new AbortController();
  readonly #loop: Promise<void>;

  constructor(send: Send, componentId: string, options: HeartbeatOptions = {}) {
    const interval = options.interval ?? 10;
    if (!(typeof interval === 'number' && interval > 0 && Number.isFinite(interval))) {
      throw new RangeError(`The heartbeat interval must be a positive number of seconds, not ${String(interval)}.`);
    }
    this.interval = interval;
    this.#loop = this.#run(send, componentId, options);
  }

  /** Heartbeats Tekton accepted. */
  get sent(): number {
    return this.#sent;
  }

  /** Heartbeats that failed. */
  get failed(): number {
    return this.#failed;
  }

  /** The answer to the latest accepted heartbeat. */
  get lastResult(): HeartbeatResult | null {
    return this.#lastResult;
  }

  /** The latest failure. */
  get lastError(): unknown {
    return this.#lastError;
  }

  /** Whether the loop has been stopped. */
  get stopped(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Stops sending (a heartbeat in flight is abandoned) and resolves once the loop has ended. */
  async stop(): Promise<void> {
    if (!this.#abort.signal.aborted) {
      const reason = new Error('The heartbeat loop was stopped.');
      reason.name = 'AbortError';
      this.#abort.abort(reason);
    }
    await this.#loop;
  }

  async #run(send: Send, componentId: string, options: HeartbeatOptions): Promise<void> {
    const signal = this.#abort.signal;
    const period = this.interval * 1000;
    await Promise.resolve(); // the constructor returns before the first heartbeat goes out
    let next = Date.now();
    while (!signal.aborted) {
      try {
        const built = (await options.build?.()) ?? {};
        const heartbeat: Heartbeat = { ...built };
        if (heartbeat.instance_uuid == null && options.instanceUuid) {
          heartbeat.instance_uuid = options.instanceUuid;
        }
        const result = await send(componentId, heartbeat, { signal });
        this.#sent++;
        this.#lastResult = result;
        options.onHeartbeat?.(result);
      } catch (error) {
        if (signal.aborted) {
          return;
        }
        this.#failed++;
        this.#lastError = error;
        try {
          options.onError?.(error);
        } catch {
          // the loop must go on
        }
      }
      next += period;
      const now = Date.now();
      if (next < now) {
        next = now + period - ((now - next) % period); // skip the ticks that were missed
      }
      try {
        await sleep(next - now, signal);
      } catch {
        return;
      }
    }
  }
}
