import { Box, Button, Group, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useParams } from 'react-router';
import { api, download, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList, type Page } from '../../api/pagination';
import { usePlan } from '../../api/queries';
import type { AuditEntry } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { VirtualList } from '../../ui/VirtualList';

interface Change {
  field?: string;
  before?: unknown;
  after?: unknown;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function Entry({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  const changes = (entry.changes ?? []) as Change[];
  return (
    <Box p="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
      <Group justify="space-between" wrap="wrap" gap={4}>
        <Text size="sm" fw={600}>{entry.action} · {entry.entity_kind} {entry.entity_id}</Text>
        <Text size="xs" c="dimmed">{formatDateTime(entry.at)} · {t('audit.by', { actor: entry.actor })}</Text>
      </Group>
      {changes.slice(0, 6).map((change, index) => (
        <Text key={index} size="xs" style={{ wordBreak: 'break-word' }}>
          <code>{change.field}</code>: {show(change.before)} → {show(change.after)}
        </Text>
      ))}
      {entry.note && <Text size="xs" fs="italic">{entry.note}</Text>}
    </Box>
  );
}

/** Who changed what in a plan and when, newest pages on demand, virtualised. */
export default function AuditPage() {
  const { planId = '' } = useParams();
  const { t } = useI18n();
  const plan = usePlan(planId);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  // The route answers JSON or CSV (`format`), so its reply type is a union: JSON is asked for.
  const journal = useCursorList<AuditEntry>(['audit', planId], (cursor) =>
    unwrap(api.GET('/api/v1/plans/{plan_id}/audit', { params: { path: { plan_id: planId }, query: { cursor, limit: PAGE_SIZE } } })) as Promise<Page<AuditEntry>>,
  );
  const number = plan.data?.number ?? '';
  return (
    <Stack>
      <PageHeader
        title={t('audit.title', { number })}
        subtitle={t('audit.subtitle')}
        actions={
          <Button variant="default" onClick={() => download(`/api/v1/plans/${encodeURIComponent(planId)}/audit.csv`, `nhat-ky-${number.replace(/[^A-Za-z0-9-]+/g, '-')}.csv`).catch(setDownloadError)}>
            {t('audit.csv')}
          </Button>
        }
      />
      {downloadError !== null && <ErrorAlert error={downloadError} />}
      <QueryState query={journal} />
      {journal.isSuccess && (
        <VirtualList items={journal.items} rowKey={(entry) => entry.id} estimateSize={64} label={t('audit.list')}
          hasMore={!!journal.hasNextPage} loadingMore={journal.isFetchingNextPage} onLoadMore={() => void journal.fetchNextPage()}
          renderRow={(entry) => <Entry entry={entry} />} />
      )}
    </Stack>
  );
}
