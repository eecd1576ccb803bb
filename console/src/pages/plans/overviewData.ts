import { api, unwrap } from '../../api/client';
import type { Page } from '../../api/pagination';
import type { PlanListItem } from '../../api/types';
import { queryClient } from '../../app/queryClient';

/** The overview's plans with their progress; under 'progress' so report and task events refresh it. */
export const OVERVIEW_KEY = ['progress', 'overview'];

export function fetchOverviewPage(cursor: string | undefined): Promise<Page<PlanListItem>> {
  return unwrap(api.GET('/api/v1/plans', { params: { query: { cursor, limit: 50, include: 'progress' } } }));
}

/**
 * The overview's one request, started as soon as the session holds the token: it runs while
 * the screen's code and frame render instead of after them. Fire and forget: sign-in never
 * waits for it, and a failure is left for the screen to ask again.
 */
export function prefetchOverview(): void {
  void queryClient.prefetchInfiniteQuery({
    queryKey: OVERVIEW_KEY,
    queryFn: ({ pageParam }: { pageParam: string | undefined }) => fetchOverviewPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<PlanListItem>) => last.next_cursor ?? undefined,
  });
}
