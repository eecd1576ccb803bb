import { Button, Center, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useEffect, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';

interface Props<T> {
  items: T[];
  /** A stable key per row (its id); a function defined once (module level), not per render. */
  rowKey: (item: T) => string;
  /**
   * Draws one row. Keep it the same function while what rows show is unchanged (useCallback):
   * a new one redraws every row on screen.
   */
  renderRow: (item: T, index: number) => ReactNode;
  /** An estimate of a row's height in px; rows are measured once drawn. */
  estimateSize: number;
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
  /** The list's accessible name. */
  label: string;
  /** Height of the scrolling area (CSS), e.g. '70vh'. */
  height?: string;
  /**
   * Every row is exactly `estimateSize` px high (the row keeps to it): rows are then never
   * measured, so scrolling does no layout reads at all. Otherwise each row is measured once.
   */
  fixedSize?: boolean;
}

/** The next page is asked for this many rows before the end: it arrives before a fast scroll gets there. */
const LOAD_AHEAD_ROWS = 50;

interface RowProps<T> {
  item: T;
  index: number;
  start: number;
  height: number | undefined;
  measure: ((node: Element | null) => void) | undefined;
  renderRow: (item: T, index: number) => ReactNode;
}

/**
 * One drawn row. Memoised: a scroll step re-renders the list's window, and only the rows that
 * entered it (or moved) render again, not every row on screen.
 */
const Row = memo(function Row<T>({ item, index, start, height, measure, renderRow }: RowProps<T>) {
  return (
    <div
      role="listitem"
      data-index={index}
      ref={measure}
      // A fixed-size row is laid out apart from the rest (contain): drawing it lays out it alone.
      style={{ position: 'absolute', top: 0, left: 0, width: '100%', height, overflow: height ? 'hidden' : undefined, contain: height ? 'strict' : undefined, transform: `translateY(${start}px)` }}
    >
      {renderRow(item, index)}
    </div>
  );
}) as <T>(props: RowProps<T>) => ReactNode;

/**
 * A long list drawn as a window of rows (only what is on screen is in the page), asking for
 * the next cursor page as the end comes near. `data-virtual-list` is what the browser tests
 * and the console benchmark scroll.
 */
export function VirtualList<T>(props: Props<T>) {
  const { items, rowKey, renderRow, estimateSize, hasMore, loadingMore, onLoadMore, label, fixedSize = false } = props;
  const { t } = useI18n();
  const parentRef = useRef<HTMLDivElement>(null);
  // The virtualizer recomputes every row's position when this function changes: once per
  // new page, never per scroll step.
  const getItemKey = useCallback((index: number) => rowKey(items[index] as T), [items, rowKey]);
  // TanStack Virtual hands back functions React Compiler cannot memoise; that is expected.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => estimateSize,
    overscan: 8,
    getItemKey,
    // React 19 batches the scroll update into the next frame; a synchronous flush per scroll
    // event was what made frames long.
    useFlushSync: false,
  });
  const virtualRows = virtualizer.getVirtualItems();
  const lastIndex = virtualRows.length ? virtualRows[virtualRows.length - 1]!.index : -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= items.length - LOAD_AHEAD_ROWS) onLoadMore();
  }, [hasMore, loadingMore, lastIndex, items.length, onLoadMore]);

  if (!items.length && !hasMore) {
    return <Text c="dimmed" py="md">{t('common.empty')}</Text>;
  }
  return (
    <div>
      <div
        ref={parentRef}
        data-virtual-list
        role="list"
        aria-label={label}
        tabIndex={0}
        style={{ height: props.height ?? '70vh', overflowY: 'auto', contain: 'strict' }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualRows.map((row) => (
            <Row
              key={row.key}
              item={items[row.index] as T}
              index={row.index}
              start={row.start}
              height={fixedSize ? estimateSize : undefined}
              measure={fixedSize ? undefined : virtualizer.measureElement}
              renderRow={renderRow}
            />
          ))}
        </div>
      </div>
      <ListFooter count={items.length} hasMore={hasMore} loadingMore={loadingMore} onLoadMore={onLoadMore} />
    </div>
  );
}

/**
 * How many rows are loaded, and the button for the next page. Memoised: the list draws again on
 * every scroll step, this only when a page arrives or is asked for.
 */
const ListFooter = memo(function ListFooter({ count, hasMore, loadingMore, onLoadMore }: {
  count: number; hasMore: boolean; loadingMore: boolean; onLoadMore: () => void;
}) {
  const { t } = useI18n();
  return (
    <Center mt="xs">
      <Text size="sm" c="dimmed" aria-live="polite">
        {t('common.showing', { count })}
        {hasMore ? ` (${t('common.moreAvailable')})` : ''}
      </Text>
      {hasMore && (
        <Button ml="sm" size="compact-sm" variant="subtle" loading={loadingMore} onClick={onLoadMore}>
          {t('common.loadMore')}
        </Button>
      )}
    </Center>
  );
});
