import type { ComponentState, ComponentSummary, HeartbeatEvent, StateChangeEvent } from 'tekton-client';

// What the page knows, kept up to date by the REST reads and the live events; views read it and call `changed()`.

/** Points kept per sparkline. */
const SERIES_POINTS = 90;
/** State changes kept for the event log. */
const EVENTS_KEPT = 1000;

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface Series {
  /** Unix seconds. */
  t: number[];
  cpu: (number | null)[];
  memory: (number | null)[];
}

export class Store {
  readonly components = new Map<string, ComponentSummary>();
  /** When each component's last heartbeat was received (ms since the epoch), by the live stream or the list. */
  readonly lastHeartbeat = new Map<string, number>();
  readonly series = new Map<string, Series>();
  /** State changes, oldest first. */
  readonly events: StateChangeEvent[] = [];
  live: LiveState = 'connecting';
  /** The sequence of the last state change seen, for replay after a reconnect. */
  lastStateSequence: number | null = null;
  /** Bumped when components appear or disappear, so views that depend on the set (the graph) reload. */
  registryVersion = 0;
  componentsLoaded = false;
  componentsError: string | null = null;

  #listeners = new Set<() => void>();
  #scheduled = false;

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Asks for one render at the next frame, however many changes come before it. */
  changed(): void {
    if (this.#scheduled) {
      return;
    }
    this.#scheduled = true;
    requestAnimationFrame(() => {
      this.#scheduled = false;
      for (const listener of this.#listeners) {
        listener();
      }
    });
  }

  setComponents(list: ComponentSummary[]): void {
    const before = new Set(this.components.keys());
    let added = false;
    this.components.clear();
    for (const component of list) {
      this.components.set(component.component_id, component);
      this.noteHeartbeatTime(component.component_id, component.last_heartbeat);
      added ||= !before.delete(component.component_id);
    }
    if (added || before.size > 0 || !this.componentsLoaded) {
      this.registryVersion++;
    }
    for (const gone of before) {
      this.lastHeartbeat.delete(gone);
      this.series.delete(gone);
    }
    this.componentsLoaded = true;
    this.componentsError = null;
    this.changed();
  }

  /** Records a component's details, e.g. after a registration event. */
  upsertComponent(component: ComponentSummary): void {
    const known = this.components.has(component.component_id);
    this.components.set(component.component_id, component);
    this.noteHeartbeatTime(component.component_id, component.last_heartbeat);
    if (!known) {
      this.registryVersion++;
    }
    this.changed();
  }

  applyHeartbeat(event: HeartbeatEvent): void {
    const at = Date.parse(event.timestamp);
    this.lastHeartbeat.set(event.component_id, Number.isNaN(at) ? Date.now() : at);
    const component = this.components.get(event.component_id);
    if (component) {
      component.last_heartbeat = event.timestamp;
      component.status = event.status;
    }
    const cpu = numeric(event.metrics?.cpu_percent);
    const memory = numeric(event.metrics?.memory_percent);
    if (cpu !== null || memory !== null) {
      this.addSample(event.component_id, at / 1000, cpu, memory);
    }
    this.changed();
  }

  /** Adds one CPU/memory point (percent) to a component's sparklines. */
  addSample(componentId: string, unixSeconds: number, cpu: number | null, memory: number | null): void {
    let series = this.series.get(componentId);
    if (!series) {
      series = { t: [], cpu: [], memory: [] };
      this.series.set(componentId, series);
    }
    const last = series.t.at(-1);
    if (last !== undefined && unixSeconds <= last) {
      return;
    }
    series.t.push(unixSeconds);
    series.cpu.push(cpu);
    series.memory.push(memory);
    if (series.t.length > SERIES_POINTS) {
      series.t.shift();
      series.cpu.shift();
      series.memory.shift();
    }
  }

  /** Applies a state change; returns whether the registry's membership changed (a registration or removal). */
  applyStateChange(event: StateChangeEvent): boolean {
    if (this.lastStateSequence !== null && event.sequence <= this.lastStateSequence) {
      return false;
    }
    this.lastStateSequence = event.sequence;
    this.events.push(event);
    if (this.events.length > EVENTS_KEPT) {
      this.events.splice(0, this.events.length - EVENTS_KEPT);
    }
    let membership = false;
    const component = this.components.get(event.component_id);
    if (event.new_state === 'unregistered') {
      if (component) {
        this.components.delete(event.component_id);
        this.lastHeartbeat.delete(event.component_id);
        this.series.delete(event.component_id);
        this.registryVersion++;
      }
      membership = true;
    } else if (component) {
      component.status = event.new_state as ComponentState;
    } else {
      membership = true;
    }
    this.changed();
    return membership;
  }

  eventsOf(componentId: string, count: number): StateChangeEvent[] {
    const found: StateChangeEvent[] = [];
    for (let i = this.events.length - 1; i >= 0 && found.length < count; i--) {
      if (this.events[i].component_id === componentId) {
        found.push(this.events[i]);
      }
    }
    return found;
  }

  setLive(state: LiveState): void {
    if (this.live !== state) {
      this.live = state;
      this.changed();
    }
  }

  private noteHeartbeatTime(componentId: string, timestamp: string | null): void {
    if (!timestamp) {
      return;
    }
    const at = Date.parse(timestamp);
    if (!Number.isNaN(at) && at > (this.lastHeartbeat.get(componentId) ?? 0)) {
      this.lastHeartbeat.set(componentId, at);
    }
  }
}

function numeric(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
