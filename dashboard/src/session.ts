import { TektonApiError, TektonClient, type Role } from 'tekton-client';

// Who is looking: with auth off the page acts as the local Admin; with auth on it needs an API key, kept for the
// browser tab only (sessionStorage), or across restarts when the user asks to be remembered (localStorage).

const KEY_ITEM = 'tekton.apiKey';
const ROLE_ITEM = 'tekton.role';

export interface Session {
  /** Whether Tekton asks for credentials. */
  readonly authEnabled: boolean;
  /** The key sent with every call; null with auth off. */
  readonly apiKey: string | null;
  readonly role: Role;
  readonly client: TektonClient;
}

export type SessionProbe =
  | { kind: 'ready'; session: Session }
  | { kind: 'sign-in'; reason?: string }
  | { kind: 'unreachable'; reason: string };

function newClient(apiKey: string | null): TektonClient {
  return new TektonClient({ baseUrl: `${location.origin}/`, apiKey, retry: { maxAttempts: 2 } });
}

function stored(): { apiKey: string; role: Role } | null {
  for (const storage of [sessionStorage, localStorage]) {
    const apiKey = storage.getItem(KEY_ITEM);
    const role = storage.getItem(ROLE_ITEM) as Role | null;
    if (apiKey && role) {
      return { apiKey, role };
    }
  }
  return null;
}

function forget(): void {
  for (const storage of [sessionStorage, localStorage]) {
    storage.removeItem(KEY_ITEM);
    storage.removeItem(ROLE_ITEM);
  }
}

/** Finds out whether Tekton wants credentials and whether the stored ones still work. */
export async function probeSession(): Promise<SessionProbe> {
  try {
    await newClient(null).listComponents({ type: 'dashboard-probe' });
    return { kind: 'ready', session: { authEnabled: false, apiKey: null, role: 'admin', client: newClient(null) } };
  } catch (error) {
    if (!(error instanceof TektonApiError) || error.status !== 401) {
      return { kind: 'unreachable', reason: describeError(error) };
    }
  }
  const saved = stored();
  if (!saved) {
    return { kind: 'sign-in' };
  }
  const client = newClient(saved.apiKey);
  try {
    // A User key may read only the model catalog; every role may.
    await client.listModels();
    return { kind: 'ready', session: { authEnabled: true, apiKey: saved.apiKey, role: saved.role, client } };
  } catch (error) {
    if (error instanceof TektonApiError && (error.status === 401 || error.status === 403)) {
      forget();
      return { kind: 'sign-in', reason: 'The saved key is no longer accepted. Sign in again.' };
    }
    return { kind: 'unreachable', reason: describeError(error) };
  }
}

/** Checks a key by exchanging it for a token (which reports the key's role), then keeps it. */
export async function signIn(apiKey: string, remember: boolean): Promise<Session> {
  const token = await newClient(null).issueToken(apiKey.trim());
  forget();
  const storage = remember ? localStorage : sessionStorage;
  storage.setItem(KEY_ITEM, apiKey.trim());
  storage.setItem(ROLE_ITEM, token.role);
  return { authEnabled: true, apiKey: apiKey.trim(), role: token.role, client: newClient(apiKey.trim()) };
}

export function signOut(): void {
  forget();
}

/** What the session's role may do (design §11). */
export const can = {
  readRegistry: (s: Session) => s.role !== 'user',
  operate: (s: Session) => s.role === 'admin',
  readLogs: (s: Session) => s.role === 'admin',
};

/** A one-line account of an error for the page. */
export function describeError(error: unknown): string {
  if (error instanceof TektonApiError) {
    const detail = error.detail ?? error.title ?? error.message;
    return `${detail} (HTTP ${error.status}, code ${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}
