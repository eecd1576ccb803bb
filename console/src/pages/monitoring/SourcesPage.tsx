import { Anchor, Button, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { useUnits } from '../../api/queries';
import { useCan } from '../../auth/useSession';
import type { MessageKey } from '../../i18n/catalogue';
import { formatDateTime } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge } from '../../ui/StatusBadge';
import { SourceForm } from './SourceForm';

type Source = components['schemas']['SourceReply'];

/** The watched sources and their health; officers register new ones. */
export default function SourcesPage() {
  const { t } = useI18n();
  const can = useCan();
  const units = useUnits();
  const [registering, setRegistering] = useState(false);
  const list = useCursorList(['sources', 'list'], (cursor) =>
    unwrap(api.GET('/api/v1/sources', { params: { query: { cursor, limit: PAGE_SIZE } } })),
  );
  const columns: Column<Source>[] = [
    {
      key: 'name',
      header: t('sources.col.name'),
      render: (source) => (
        <Stack gap={0}>
          <Text fw={500}>{source.name}</Text>
          {source.url && <Anchor href={source.url} size="xs" target="_blank" rel="noreferrer noopener" style={{ wordBreak: 'break-all' }}>{source.url}</Anchor>}
          {source.outlet_unit_id && <Text size="xs" c="dimmed">{units.name(source.outlet_unit_id)}</Text>}
        </Stack>
      ),
    },
    { key: 'kind', header: t('sources.col.kind'), narrow: true, render: (source) => t(`sources.kind.${source.kind}` as MessageKey) },
    {
      key: 'health',
      header: t('sources.col.health'),
      narrow: true,
      render: (source) => (
        <Stack gap={2}>
          <StatusBadge label={t(source.healthy ? 'sources.healthy' : 'sources.unhealthy')} tone={source.healthy ? 'good' : 'bad'} />
          {!source.healthy && (source.health_reason || source.last_outcome) && <Text size="xs" c="red.9">{source.health_reason || source.last_outcome}</Text>}
        </Stack>
      ),
    },
    { key: 'items', header: t('sources.col.items'), narrow: true, render: (source) => source.items_total ?? 0 },
    { key: 'polled', header: t('sources.col.lastPolled'), narrow: true, render: (source) => formatDateTime(source.last_polled_at) || '—' },
  ];
  return (
    <>
      <PageHeader title={t('sources.title')} subtitle={t('sources.subtitle')}
        actions={can('sources:write') ? <Button onClick={() => setRegistering(true)}>{t('sources.register')}</Button> : null} />
      <PagedTable list={list} columns={columns} rowKey={(source) => source.id} label={t('sources.table')} />
      {can('sources:write') && <SourceForm opened={registering} onClose={() => setRegistering(false)} />}
    </>
  );
}
