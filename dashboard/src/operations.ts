import type { ComponentState, TektonClient } from 'tekton-client';
import { describeError } from './session';
import type { Store } from './store';

// Start, stop and restart from the page: each asks for confirmation first, then runs and reports its progress,
// for a start step by step through the dependencies Tekton starts first (read live from the state changes).

export type OperationKind = 'start' | 'stop' | 'restart';

export interface PlanStep {
  componentId: string;
  /** The component's state now, as the page knows it. */
  state: ComponentState | 'unregistered' | 'unknown';
  /** Whether a state change of it arrived since the operation began. */
  moved: boolean;
}

export interface Operation {
  readonly id: number;
  readonly kind: OperationKind;
  readonly componentId: string;
  /** A start's order: the dependencies Tekton starts first, then the component. */
  plan: string[];
  phase: 'confirming' | 'running' | 'done' | 'failed';
  message: string;
  /** The last state-change sequence before the operation, so that older states are not taken as progress. */
  readonly fromSequence: number;
  readonly startedAt: number;
}

export interface Confirmation {
  readonly title: string;
  readonly body: string;
  readonly confirmLabel: string;
  readonly danger: boolean;
  /** A stop's option: kill at once instead of asking the component to shut down. */
  readonly offerForce: boolean;
  force: boolean;
  /** The running components that depend on it: a stop must stop them too (cascade) or Tekton refuses it. */
  readonly dependents: string[];
  cascade: boolean;
  resolve(confirmed: boolean): void;
}

const KEPT = 5;

export class Operations {
  readonly #client: TektonClient;
  readonly #store: Store;
  #nextId = 1;
  /** Newest first. */
  readonly list: Operation[] = [];
  confirmation: Confirmation | null = null;

  constructor(client: TektonClient, store: Store) {
    this.#client = client;
    this.#store = store;
    store.subscribe(() => this.#advance());
  }

  /** The operations of one component, newest first. */
  of(componentId: string): Operation[] {
    return this.list.filter((o) => o.componentId === componentId);
  }

  steps(operation: Operation): PlanStep[] {
    return operation.plan.map((componentId) => {
      let moved = false;
      let state: PlanStep['state'] = this.#store.components.get(componentId)?.status ?? 'unknown';
      for (let i = this.#store.events.length - 1; i >= 0; i--) {
        const event = this.#store.events[i];
        if (event.sequence <= operation.fromSequence) {
          break;
        }
        if (event.component_id === componentId) {
          moved = true;
          state = event.new_state;
          break;
        }
      }
      return { componentId, state, moved };
    });
  }

  async start(componentId: string): Promise<void> {
    const plan = await this.#startPlan(componentId);
    const others = plan.filter((id) => id !== componentId);
    const confirmed = await this.#confirm({
      dependents: [],
      title: `Start ${componentId}?`,
      body: others.length > 0
        ? `Tekton starts its dependencies first, in this order: ${others.join(', ')}.`
        : 'It has no dependencies.',
      confirmLabel: 'Start',
      danger: false,
      offerForce: false,
    });
    if (confirmed) {
      await this.#runStart(this.#begin('start', componentId, plan));
    }
  }

  async stop(componentId: string): Promise<void> {
    const dependents = await this.#runningDependents(componentId);
    const confirmation = await this.#confirm({
      title: `Stop ${componentId}?`,
      body: 'Tekton asks the component to shut down and waits for it (its stop timeout), then kills it.',
      confirmLabel: 'Stop',
      danger: true,
      offerForce: true,
      dependents,
    });
    if (confirmation) {
      await this.#runStop(this.#begin('stop', componentId, [componentId]), this.#lastChoice);
    }
  }

  async restart(componentId: string): Promise<void> {
    const [plan, dependents] = await Promise.all([this.#startPlan(componentId), this.#runningDependents(componentId)]);
    const confirmed = await this.#confirm({
      title: `Restart ${componentId}?`,
      body: 'Tekton stops the component, then starts it again (with any dependency that is not running).',
      confirmLabel: 'Restart',
      danger: true,
      offerForce: true,
      dependents,
    });
    if (!confirmed) {
      return;
    }
    const operation = this.#begin('restart', componentId, plan);
    if (await this.#runStop(operation, this.#lastChoice, false)) {
      await this.#runStart(operation);
    }
  }

  dismiss(operation: Operation): void {
    const index = this.list.indexOf(operation);
    if (index >= 0) {
      this.list.splice(index, 1);
      this.#store.changed();
    }
  }

  /** The options of the last confirmation (force, cascade). */
  #lastChoice = { force: false, cascade: false };

  #confirm(options: Omit<Confirmation, 'resolve' | 'force' | 'cascade'>): Promise<boolean> {
    this.confirmation?.resolve(false);
    return new Promise((resolve) => {
      const confirmation: Confirmation = {
        ...options,
        force: false,
        cascade: false,
        resolve: (confirmed) => {
          if (this.confirmation === confirmation) {
            this.confirmation = null;
          }
          this.#lastChoice = { force: confirmation.force, cascade: confirmation.cascade };
          this.#store.changed();
          resolve(confirmed);
        },
      };
      this.confirmation = confirmation;
      this.#store.changed();
    });
  }

  #begin(kind: OperationKind, componentId: string, plan: string[]): Operation {
    const operation: Operation = {
      id: this.#nextId++,
      kind,
      componentId,
      plan,
      phase: 'running',
      message: kind === 'stop' ? 'Stopping…' : kind === 'restart' ? 'Stopping before the restart…' : 'Starting…',
      fromSequence: this.#store.lastStateSequence ?? 0,
      startedAt: Date.now(),
    };
    this.list.unshift(operation);
    this.list.splice(KEPT);
    this.#store.changed();
    return operation;
  }

  /** The components that need this one and are running now (as the page knows them). */
  async #runningDependents(componentId: string): Promise<string[]> {
    try {
      const dependencies = await this.#client.getComponentDependencies(componentId);
      return dependencies.dependent_components.filter((id) => {
        const state = this.#store.components.get(id)?.status;
        return state === 'initializing' || state === 'ready' || state === 'degraded';
      });
    } catch {
      return [];
    }
  }

  /** The component's dependencies (transitively) in Tekton's startup order, then the component itself. */
  async #startPlan(componentId: string): Promise<string[]> {
    try {
      const graph = await this.#client.getDependencyGraph();
      const needed = new Set<string>();
      const visit = (id: string) => {
        for (const dependency of graph.dependencies[id] ?? []) {
          if (!needed.has(dependency)) {
            needed.add(dependency);
            visit(dependency);
          }
        }
      };
      visit(componentId);
      const ordered = graph.startup_order.filter((id) => needed.has(id));
      const rest = [...needed].filter((id) => !ordered.includes(id));
      return [...ordered, ...rest, componentId];
    } catch {
      return [componentId];
    }
  }

  async #runStart(operation: Operation): Promise<void> {
    operation.phase = 'running';
    operation.message = 'Starting…';
    this.#store.changed();
    try {
      const result = await this.#client.startComponent(operation.componentId);
      operation.message = result.message;
      this.#advance();
    } catch (error) {
      this.#finish(operation, 'failed', describeError(error));
    }
  }

  async #runStop(operation: Operation, choice: { force: boolean; cascade: boolean }, finish = true): Promise<boolean> {
    try {
      const result = await this.#client.stopComponent(operation.componentId, { force: choice.force, cascade: choice.cascade || undefined });
      if (finish) {
        this.#finish(operation, 'done', result.message);
      } else {
        operation.message = `${result.message} Starting again…`;
        this.#store.changed();
      }
      return true;
    } catch (error) {
      this.#finish(operation, 'failed', describeError(error));
      return false;
    }
  }

  /** Settles running starts from the states the page now knows. */
  #advance(): void {
    for (const operation of this.list) {
      if (operation.phase !== 'running' || operation.kind === 'stop' || operation.message.startsWith('Stopping')) {
        continue;
      }
      const steps = this.steps(operation);
      const failed = steps.find((s) => s.moved && s.state === 'failed');
      const target = steps.at(-1)!;
      if (failed) {
        this.#finish(operation, 'failed', `${failed.componentId} failed while starting.`);
      } else if (target.state === 'ready' && (target.moved || /already/i.test(operation.message))) {
        this.#finish(operation, 'done', `${operation.componentId} is ready.`);
      }
    }
  }

  #finish(operation: Operation, phase: 'done' | 'failed', message: string): void {
    operation.phase = phase;
    operation.message = message;
    this.#store.changed();
  }
}
