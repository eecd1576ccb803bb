import type { InfiniteData } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Page } from '../../api/pagination';
import { bearer, fetchProgress } from '../../api/queries';
import type { PlanSummary } from '../../api/types';
import { queryClient } from '../../app/queryClient';

/** The overview's list of plans (its cards), shared by the screen and the sign-in prefetch. */
export const PLANS_LIST_KEY = ['plans', 'list'];

export function fetchPlansPage(cursor: string | undefined, token?: string): Promise<Page<PlanSummary>> {
  return unwrap(api.GET('/api/v1/plans', { params: { query: { cursor, limit: 50 } }, headers: bearer(token) }));
}

/** A plan card shows progress unless the plan is a draft (which has none yet). */
export function hasProgress(plan: PlanSummary): boolean {
  return plan.status !== 'draft';
}

/**
 * The overview's calls, started at sign-in with the new token: the plans, then every card's
 * progress at once, so the screen draws from the cache instead of starting them on mount.
 */
export function prefetchOverview(token: string): void {
  void queryClient
    .prefetchInfiniteQuery({
      queryKey: PLANS_LIST_KEY,
      queryFn: ({ pageParam }: { pageParam: string | undefined }) => fetchPlansPage(pageParam, token),
      initialPageParam: undefined as string | undefined,
      getNextPageParam: (last: Page<PlanSummary>) => last.next_cursor ?? undefined,
    })
    .then(() => {
      const data = queryClient.getQueryData<InfiniteData<Page<PlanSummary>>>(PLANS_LIST_KEY);
      for (const plan of data?.pages[0]?.items ?? []) {
        if (!hasProgress(plan)) continue;
        void queryClient.prefetchQuery({ queryKey: ['progress', plan.id], queryFn: () => fetchProgress(plan.id, token) });
      }
    });
}
