import type { Session } from './session';
import type { Store } from './store';
import type { Operations } from './operations';
import type { DetailsCache } from './details';

/** What every view gets: who is signed in, what the page knows, and the clock of this render. */
export interface AppContext {
  readonly session: Session;
  readonly store: Store;
  readonly operations: Operations;
  /** Component details (instances) for what is on screen. */
  readonly details: DetailsCache;
  /** ms since the epoch, the same for the whole render (heartbeat ages). */
  readonly now: number;
  /** Asks for a render at the next frame. */
  changed(): void;
  navigate(hash: string): void;
}
