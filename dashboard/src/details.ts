import type { ComponentDetails, TektonClient } from 'tekton-client';

// Component details (instances above all) for the rows on screen, fetched a few at a time and read again when a
// state change of that component arrives. The list answer has no instances; this keeps the table honest without
// reading every component of a large registry.

const CONCURRENCY = 4;

export class DetailsCache {
  readonly #client: TektonClient;
  readonly #onChange: () => void;
  readonly #registered: (componentId: string) => boolean;
  readonly #entries = new Map<string, ComponentDetails>();
  readonly #stale = new Set<string>();
  readonly #queue: string[] = [];
  readonly #inFlight = new Set<string>();
  /** When a fetch last failed (ms), so that a component that vanished is not asked for on every frame. */
  readonly #failedAt = new Map<string, number>();

  /** `registered` says whether a component is still in the list: one that left is not asked for (it would be a 404). */
  constructor(client: TektonClient, onChange: () => void, registered: (componentId: string) => boolean) {
    this.#client = client;
    this.#onChange = onChange;
    this.#registered = registered;
  }

  /** The details known for a component (maybe stale), and a fetch queued when there are none or they are stale. */
  get(componentId: string): ComponentDetails | undefined {
    const entry = this.#entries.get(componentId);
    if ((!entry || this.#stale.has(componentId)) && Date.now() - (this.#failedAt.get(componentId) ?? 0) > 10_000) {
      this.#enqueue(componentId);
    }
    return entry;
  }

  /** Marks a component's details as out of date (a state change arrived). */
  invalidate(componentId: string): void {
    if (this.#entries.has(componentId)) {
      this.#stale.add(componentId);
    }
  }

  forget(componentId: string): void {
    this.#entries.delete(componentId);
    this.#failedAt.delete(componentId);
    this.#stale.delete(componentId);
  }

  put(details: ComponentDetails): void {
    this.#entries.set(details.component_id, details);
    this.#failedAt.delete(details.component_id);
    this.#stale.delete(details.component_id);
  }

  #enqueue(componentId: string): void {
    if (this.#inFlight.has(componentId) || this.#queue.includes(componentId)) {
      return;
    }
    this.#queue.push(componentId);
    this.#pump();
  }

  #pump(): void {
    while (this.#inFlight.size < CONCURRENCY && this.#queue.length > 0) {
      const id = this.#queue.shift()!;
      if (!this.#registered(id)) {
        this.forget(id);
        continue;
      }
      this.#inFlight.add(id);
      this.#stale.delete(id);
      this.#client
        .getComponent(id)
        .then(
          (details) => {
            this.#entries.set(id, details);
            this.#failedAt.delete(id);
            this.#onChange();
          },
          () => this.#failedAt.set(id, Date.now()),
        )
        .finally(() => {
          this.#inFlight.delete(id);
          this.#pump();
        });
    }
  }
}
