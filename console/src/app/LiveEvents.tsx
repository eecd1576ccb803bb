import { useQueryClient, type Query, type QueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { followEvents, type ServerEvent } from '../api/sse';
import { sessionStore } from '../auth/session';
import { useCurrentUser } from '../auth/useSession';

type Listener = (event: ServerEvent) => void;

interface Live {
  state: 'off' | 'live' | 'reconnecting';
  subscribe: (listener: Listener) => () => void;
}

const LiveContext = createContext<Live>({ state: 'off', subscribe: () => () => undefined });

/** Which cached lists an event makes stale, by the event type's first word. */
const STALE_AFTER: Record<string, string[]> = {
  plan: ['plans', 'progress'],
  task: ['tasks', 'progress', 'my-tasks'],
  report: ['reports', 'progress', 'my-tasks'],
  notification: ['inbox', 'notices'],
  translation: ['translations', 'notices'],
  monitoring: ['alerts', 'items', 'coverage'],
};

/** A cursor list the person has scrolled past its first page (an infinite query's pages). */
function scrolledPastFirstPage(query: Query): boolean {
  const data = query.state.data as { pages?: unknown[] } | undefined;
  return (data?.pages?.length ?? 0) > 1;
}

/**
 * Marks what an event changed as stale and asks again for what is on screen, except a long
 * list already scrolled: asking again means every loaded page in turn, which under a stream
 * of events kept reloading hundreds of rows under the reader; it refreshes when reopened.
 */
function refreshAfterEvent(queryClient: QueryClient, key: string): void {
  void queryClient.invalidateQueries({ queryKey: [key], refetchType: 'none' });
  void queryClient.refetchQueries({ queryKey: [key], type: 'active', predicate: (query) => !scrolledPastFirstPage(query) });
}

/**
 * One event stream per signed-in user (when the role may read events): lists refresh when
 * something they show changes, and screens may subscribe to the raw events.
 */
export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  const queryClient = useQueryClient();
  const [state, setState] = useState<Live['state']>('off');
  const listeners = useRef(new Set<Listener>());
  const enabled = user.permissions.includes('events:read');

  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const pending = new Set<string>();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      pending.forEach((key) => refreshAfterEvent(queryClient, key));
      pending.clear();
    };
    void followEvents({
      token: () => sessionStore.token(),
      signal: controller.signal,
      onState: setState,
      onRefused: (status) => {
        if (status === 401) sessionStore.expire();
      },
      onEvent: (event) => {
        listeners.current.forEach((listener) => listener(event));
        // Batched: a burst of events refreshes each list once a second at most.
        STALE_AFTER[event.type.split('.')[0] ?? '']?.forEach((key) => pending.add(key));
        timer ??= setTimeout(flush, 1000);
      },
    });
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo<Live>(() => ({ state: enabled ? state : 'off', subscribe }), [enabled, state, subscribe]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Calls `handler` for every live event whose type starts with one of `prefixes`. */
export function useLiveEvent(prefixes: string[], handler: Listener): void {
  const { subscribe } = useLive();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  const key = prefixes.join(',');
  useEffect(
    () =>
      subscribe((event) => {
        if (key.split(',').some((prefix) => event.type.startsWith(prefix))) latest.current(event);
      }),
    [subscribe, key],
  );
}
