import { useEffect, type ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { sessionStore } from './session';
import { useSessionState } from './useSession';

/** Signed out (or the session expired): to sign-in, remembering where the person was. */
export function RequireSession({ children }: { children: ReactNode }) {
  const state = useSessionState();
  const location = useLocation();
  const expiresAt = state.status === 'signed-in' ? state.session.expiresAt : 0;
  useEffect(() => {
    if (!expiresAt) return;
    // The token's own clock: leave before the gateway starts refusing requests.
    const timer = setTimeout(() => sessionStore.expire(), Math.max(0, expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [expiresAt]);
  if (state.status === 'signed-in') return <>{children}</>;
  const next = location.pathname + location.search;
  const params = new URLSearchParams();
  if (next !== '/') params.set('next', next);
  if (state.reason === 'expired') params.set('expired', '1');
  const query = params.toString();
  return <Navigate to={`/sign-in${query ? `?${query}` : ''}`} replace />;
}
