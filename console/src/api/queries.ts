import { useQuery } from '@tanstack/react-query';
import { useCallback, useMemo } from 'react';
import { api, unwrap } from './client';
import { fetchAll } from './pagination';
import type { TaskDetail, Unit } from './types';

/**
 * Every organisation unit by id (a short list: the province's units), for names and pickers;
 * with `asOf` (yyyy-mm-dd) the organisation on that date (units valid then, named as then).
 */
export function useUnits(asOf?: string) {
  const query = useQuery({
    queryKey: ['units', 'all', asOf ?? 'today'],
    queryFn: () =>
      fetchAll<Unit>((cursor) =>
        unwrap(api.GET('/api/v1/units', { params: { query: { cursor, limit: 200, ...(asOf ? { as_of: asOf } : {}) } } }))),
    staleTime: 10 * 60_000,
  });
  const byId = useMemo(() => new Map((query.data ?? []).map((unit) => [unit.id, unit])), [query.data]);
  const name = useCallback((id: string | null | undefined) => (id ? byId.get(id)?.short_name || byId.get(id)?.name || id : ''), [byId]);
  return { ...query, byId, name };
}

export function usePlan(planId: string) {
  return useQuery({
    queryKey: ['plans', planId],
    queryFn: () => unwrap(api.GET('/api/v1/plans/{plan_id}', { params: { path: { plan_id: planId } } })),
  });
}

export function useProgress(planId: string, enabled = true) {
  return useQuery({
    queryKey: ['progress', planId],
    queryFn: () => unwrap(api.GET('/api/v1/plans/{plan_id}/progress', { params: { path: { plan_id: planId } } })),
    enabled,
  });
}

/** A plan's tasks the caller may see (an editor: its unit's), all pages. */
export function usePlanTasks(planId: string, enabled = true) {
  return useQuery({
    queryKey: ['tasks', planId, 'all'],
    queryFn: () =>
      fetchAll<TaskDetail>((cursor) =>
        unwrap(api.GET('/api/v1/plans/{plan_id}/tasks', { params: { path: { plan_id: planId }, query: { cursor, limit: 200 } } })),
      ),
    enabled,
  });
}

export function useTask(planId: string, taskId: string) {
  return useQuery({
    queryKey: ['tasks', planId, taskId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/plans/{plan_id}/tasks/{task_id}', { params: { path: { plan_id: planId, task_id: taskId } } })),
  });
}

export function useTaskReports(planId: string, taskId: string) {
  return useQuery({
    queryKey: ['reports', planId, taskId],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/plans/{plan_id}/tasks/{task_id}/reports', {
          params: { path: { plan_id: planId, task_id: taskId }, query: { limit: 200 } },
        }),
      ),
  });
}
