import type { ComponentState } from 'tekton-client';

// Small formatting helpers shared by the views.

export const STATES: ComponentState[] = ['registered', 'initializing', 'ready', 'degraded', 'stopping', 'stopped', 'failed'];

/** Whether an instance in this state is up or coming up (a `registered` one may never have been started). */
export function isLive(state: string): boolean {
  return state === 'initializing' || state === 'ready' || state === 'degraded';
}

/**
 * Whether an instance is running, as far as stopping it goes: live or stopping, or registered by a process of its
 * own (it has a pid, or Tekton does not launch it, so something registered it).
 */
export function isRunning(instance: { status: string; pid: number | null }, launchedByTekton: boolean): boolean {
  return isLive(instance.status) || instance.status === 'stopping' || (instance.status === 'registered' && (instance.pid !== null || !launchedByTekton));
}

/** "4 s", "3 min", "2 h", "5 d" since a time in ms; "never" without one. */
export function age(at: number | undefined, now: number): string {
  if (at === undefined) {
    return 'never';
  }
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min`;
  }
  if (seconds < 86_400) {
    return `${Math.floor(seconds / 3600)} h`;
  }
  return `${Math.floor(seconds / 86_400)} d`;
}

export function time(timestamp: string | null | undefined): string {
  if (!timestamp) {
    return '—';
  }
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toLocaleTimeString([], { hour12: false });
}

export function dateTime(timestamp: string | null | undefined): string {
  if (!timestamp) {
    return '—';
  }
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toLocaleString([], { hour12: false });
}

export function fixed(value: number | null | undefined, digits = 1, unit = ''): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)}${unit}`;
}

/** Case-insensitive "does any of these contain the query". */
export function matches(query: string, ...fields: (string | null | undefined)[]): boolean {
  const q = query.trim().toLowerCase();
  return q === '' || fields.some((f) => f?.toLowerCase().includes(q));
}
