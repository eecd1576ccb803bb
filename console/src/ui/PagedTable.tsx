import { Button, Center, Table, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorAlert } from './ErrorAlert';
import { Loading } from './Loading';
import { keyboardScrollable } from './keyboardScroll';

export interface Column<T> {
  /** A stable name of the column (also its React key). */
  key: string;
  header: string;
  render: (row: T) => ReactNode;
  /** Keep the column narrow (numbers, badges, buttons). */
  narrow?: boolean;
}

interface Props<T> {
  /** What useCursorList answers (or any list with the same fields). */
  list: {
    items: T[];
    isLoading: boolean;
    error: unknown;
    refetch: () => unknown;
    hasNextPage?: boolean;
    isFetchingNextPage?: boolean;
    fetchNextPage?: () => unknown;
  };
  columns: Column<T>[];
  rowKey: (row: T) => string;
  /** The table's accessible name. */
  label: string;
  /** Props of a row (highlight, test id). */
  rowProps?: (row: T) => Record<string, unknown>;
  empty?: string;
}

/**
 * A short or medium list as a table, one cursor page at a time ("Tải thêm" asks for the next):
 * notices, deliveries, alerts, sources, users, keys. Long feeds use VirtualList instead. On a
 * narrow screen the table scrolls sideways inside its own box.
 */
export function PagedTable<T>({ list, columns, rowKey, label, rowProps, empty }: Props<T>) {
  const { t } = useI18n();
  if (list.isLoading) return <Loading />;
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.items.length) return <Text c="dimmed" py="md">{empty ?? t('common.empty')}</Text>;
  return (
    <>
      <Table.ScrollContainer scrollAreaProps={keyboardScrollable} minWidth={640}>
        <Table striped highlightOnHover verticalSpacing="xs" aria-label={label}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column.key} style={column.narrow ? { whiteSpace: 'nowrap' } : undefined}>
                  {column.header}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.items.map((row) => (
              <Table.Tr key={rowKey(row)} {...rowProps?.(row)}>
                {columns.map((column) => (
                  <Table.Td key={column.key} style={column.narrow ? { whiteSpace: 'nowrap' } : undefined}>
                    {column.render(row)}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Center mt="xs">
        <Text size="sm" c="dimmed" aria-live="polite">
          {t('common.showing', { count: list.items.length })}
          {list.hasNextPage ? ` (${t('common.moreAvailable')})` : ''}
        </Text>
        {list.hasNextPage && list.fetchNextPage && (
          <Button ml="sm" size="compact-sm" variant="subtle" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage?.()}>
            {t('common.loadMore')}
          </Button>
        )}
      </Center>
    </>
  );
}
