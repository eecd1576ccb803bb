import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { fetchAll } from '../../api/pagination';
import { useCan } from '../../auth/useSession';

/** Topics (id and Vietnamese label) for filters and names, when the role may read them. */
export function useTopics() {
  const can = useCan();
  const query = useQuery({
    queryKey: ['topics', 'all'],
    queryFn: () => fetchAll((cursor) => unwrap(api.GET('/api/v1/topics', { params: { query: { cursor, limit: 200 } } }))),
    enabled: can('topics:read'),
    staleTime: 5 * 60_000,
  });
  const labels = useMemo(() => new Map((query.data ?? []).map((topic) => [topic.id, topic.label])), [query.data]);
  // The same function while the topics are unchanged, so list rows drawn with it stay memoised.
  const labelOf = useCallback((id: string) => labels.get(id) ?? id, [labels]);
  return { ...query, topics: query.data ?? [], labelOf };
}

/** Watched sources for filters, when the role may read them. */
export function useSources() {
  const can = useCan();
  const query = useQuery({
    queryKey: ['sources', 'all'],
    queryFn: () => fetchAll((cursor) => unwrap(api.GET('/api/v1/sources', { params: { query: { cursor, limit: 200 } } })), 10),
    enabled: can('sources:read'),
    staleTime: 60_000,
  });
  return { ...query, sources: query.data ?? [] };
}

/** A 0-1 score as a whole percentage. */
export function percent(value: number | null | undefined): number {
  return Math.round((value ?? 0) * 100);
}
