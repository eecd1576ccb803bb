import type { components } from '../api/schema';

export type CurrentUser = components['schemas']['CurrentUser'];
export type Permission = string;

export interface Session {
  token: string;
  /** Epoch milliseconds after which the gateway refuses the token. */
  expiresAt: number;
  user: CurrentUser;
}

type State =
  | { status: 'signed-out'; reason: 'none' | 'expired' | 'signed-out' }
  | { status: 'signed-in'; session: Session };

const STORAGE_KEY = 'console.session';
let state: State = load();
const listeners = new Set<() => void>();

function load(): State {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw) {
      const session = JSON.parse(raw) as Session;
      if (session.expiresAt > Date.now()) return { status: 'signed-in', session };
      return { status: 'signed-out', reason: 'expired' };
    }
  } catch {
    // Unreadable storage: start signed out.
  }
  return { status: 'signed-out', reason: 'none' };
}

function set(next: State): void {
  state = next;
  try {
    if (next.status === 'signed-in') sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next.session));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused: the session lasts for this page only.
  }
  listeners.forEach((listener) => listener());
}

/** The session store, readable outside React (the API client) and inside (useSession). */
export const sessionStore = {
  get: (): State => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  token(): string | null {
    return state.status === 'signed-in' ? state.session.token : null;
  },
  signIn(session: Session): void {
    set({ status: 'signed-in', session });
  },
  /** The gateway answered 401 (or the token's time ran out): back to sign-in. */
  expire(): void {
    if (state.status === 'signed-in') set({ status: 'signed-out', reason: 'expired' });
  },
  signOut(): void {
    set({ status: 'signed-out', reason: 'signed-out' });
  },
};

export function hasPermission(user: CurrentUser | undefined, permission: Permission): boolean {
  return !!user && user.permissions.includes(permission);
}

/** The `exp` claim of a JWT in epoch ms (the payload is read, never trusted for access). */
export function tokenExpiry(token: string, fallbackSeconds: number, now = Date.now()): number {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    if (typeof json.exp === 'number') return json.exp * 1000;
  } catch {
    // Not a JWT we can read: trust the server's expires_in.
  }
  return now + fallbackSeconds * 1000;
}
