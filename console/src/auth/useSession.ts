import { useSyncExternalStore } from 'react';
import { hasPermission, sessionStore, type CurrentUser } from './session';

export function useSessionState() {
  return useSyncExternalStore(sessionStore.subscribe, sessionStore.get);
}

/** The signed-in user (screens render only inside RequireSession, so it is there). */
export function useCurrentUser(): CurrentUser {
  const state = useSessionState();
  if (state.status !== 'signed-in') throw new Error('useCurrentUser outside a session');
  return state.session.user;
}

/** Whether the signed-in user may do `permission`: hide every control it may not use. */
export function useCan(): (permission: string) => boolean {
  const user = useCurrentUser();
  return (permission) => hasPermission(user, permission);
}
