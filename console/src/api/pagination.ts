import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { useMemo } from 'react';

/** Every gateway list: `{items, next_cursor}`, asked for with `cursor` and `limit`. */
export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export const PAGE_SIZE = 100;

/**
 * A cursor-paginated list as one growing array: `fetchNextPage` asks for the next page with
 * the previous `next_cursor`. Pair it with VirtualList so 100,000 rows stay fast.
 */
export function useCursorList<T>(
  queryKey: QueryKey,
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  enabled = true,
) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last: Page<T>) => last.next_cursor ?? undefined,
    enabled,
  });
  const items = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  return { ...query, items };
}

/** Every page of a short list (units, a plan's tasks) fetched and joined, up to `maxPages`. */
export async function fetchAll<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
  maxPages = 50,
): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page += 1) {
    const reply = await fetchPage(cursor);
    all.push(...reply.items);
    if (!reply.next_cursor) break;
    cursor = reply.next_cursor;
  }
  return all;
}
