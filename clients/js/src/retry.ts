import type { TektonApiError } from './errors.js';

/**
 * Retries with full jitter: retry `n` waits a random time up to `min(maxDelayMs, baseDelayMs × 2ⁿ⁻¹)`, or the
 * server's `Retry-After` when it gives one no longer than `maxRetryAfterMs`. Only calls that are safe to repeat
 * are retried, and only after a connection failure, a timeout, or a 429, 502, 503 or 504 that does not carry a
 * definite answer (503 with code 1010: no model available; 504 with code 1006: a stop that timed out).
 */
export interface RetryOptions {
  /** Attempts in all, the first included (default 4; 1 turns retries off). */
  maxAttempts: number;
  /** The first back-off ceiling in milliseconds (default 200). */
  baseDelayMs: number;
  /** The largest back-off ceiling in milliseconds (default 5000). */
  maxDelayMs: number;
  /** The longest `Retry-After` honoured, in milliseconds; a longer one ends the retries (default 10000). */
  maxRetryAfterMs: number;
}

export const defaultRetryOptions: Readonly<RetryOptions> = Object.freeze({
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  maxRetryAfterMs: 10000,
});

/** The delay before retry number `retry` (1 for the first retry), in milliseconds. */
export function delayBefore(options: RetryOptions, retry: number, retryAfterSeconds: number | null, random: () => number = Math.random): number {
  if (retryAfterSeconds !== null && retryAfterSeconds * 1000 <= options.maxRetryAfterMs) {
    return Math.max(0, retryAfterSeconds * 1000);
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return random() * ceiling;
}

/** Whether an error answer is worth another attempt of an idempotent call. */
export function isTransient(error: TektonApiError): boolean {
  switch (error.status) {
    case 429:
    case 502:
      return true;
    case 503:
      return error.code !== 1010;
    case 504:
      return error.code !== 1006;
    default:
      return false;
  }
}

/** Parses a `Retry-After` header (delta seconds or an HTTP date) into seconds; `null` when absent or invalid. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) {
    return null;
  }
  const text = value.trim();
  if (/^\d+$/.test(text)) {
    return Number(text);
  }
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
