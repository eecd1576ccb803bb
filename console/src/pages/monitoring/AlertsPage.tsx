import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components, paths } from '../../api/schema';
import { useCan } from '../../auth/useSession';
import type { MessageKey } from '../../i18n/catalogue';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { ReasonModal } from '../../ui/ReasonModal';
import { StatusBadge, type Tone } from '../../ui/StatusBadge';

type Alert = components['schemas']['AlertReply'];
type Query = NonNullable<paths['/api/v1/alerts']['get']['parameters']['query']>;
const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
const KINDS = ['rule', 'spike', 'source_health'] as const;
const STATUS_TONE: Record<string, Tone> = { open: 'bad', acknowledged: 'warn', resolved: 'good' };
const SEVERITY_TONE: Record<string, Tone> = { info: 'info', warning: 'warn', high: 'bad', critical: 'bad' };

function AlertActions({ alert }: { alert: Alert }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [resolving, setResolving] = useState(false);
  const done = () => void queryClient.invalidateQueries({ queryKey: ['alerts'] });
  const path = { alert_id: alert.id };
  const acknowledge = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/alerts/{alert_id}/acknowledge', { params: { path } })),
    onSuccess: done,
  });
  const resolve = useMutation({
    mutationFn: (note: string) => unwrap(api.POST('/api/v1/alerts/{alert_id}/resolve', { params: { path }, body: note ? { note } : {} })),
    onSuccess: () => { setResolving(false); done(); },
  });
  if (alert.status === 'resolved') return null;
  return (
    <Stack gap={4}>
      <Group gap={4} wrap="nowrap">
        {alert.status === 'open' && (
          <Button size="compact-sm" variant="light" loading={acknowledge.isPending} onClick={() => acknowledge.mutate()}
            aria-label={t('alerts.actionOn', { action: t('alerts.acknowledge'), title: alert.title })}>
            {t('alerts.acknowledge')}
          </Button>
        )}
        <Button size="compact-sm" variant="outline" color="green.9" onClick={() => setResolving(true)}
          aria-label={t('alerts.actionOn', { action: t('alerts.resolve'), title: alert.title })}>
          {t('alerts.resolve')}
        </Button>
      </Group>
      {acknowledge.isError && <ErrorAlert error={acknowledge.error} />}
      <ReasonModal opened={resolving} title={t('alerts.resolveTitle')} label={t('alerts.note')} submitLabel={t('alerts.resolve')}
        pending={resolve.isPending} error={resolve.error} onSubmit={(note) => resolve.mutate(note)} onClose={() => setResolving(false)} />
    </Stack>
  );
}

/** Alerts, newest first; officers acknowledge (someone is on it) and resolve them. */
export default function AlertsPage() {
  const { t } = useI18n();
  const can = useCan();
  const [status, setStatus] = useState<string | null>('open');
  const [kind, setKind] = useState<string | null>(null);
  const list = useCursorList(['alerts', 'list', status, kind], (cursor) =>
    unwrap(api.GET('/api/v1/alerts', {
      params: { query: { cursor, limit: PAGE_SIZE, status: (status as Query['status']) ?? undefined, kind: (kind as Query['kind']) ?? undefined } },
    })),
  );
  const columns: Column<Alert>[] = [
    {
      key: 'title',
      header: t('alerts.col.title'),
      render: (alert) => (
        <Stack gap={2}>
          <Text fw={500}>{alert.title}</Text>
          {alert.reasons?.length ? <Text size="xs" c="dimmed">{alert.reasons.join('; ')}</Text> : null}
        </Stack>
      ),
    },
    { key: 'kind', header: t('alerts.kind'), narrow: true, render: (alert) => label(t, 'alert.kind', alert.kind) },
    { key: 'severity', header: t('alerts.col.severity'), narrow: true, render: (alert) => <StatusBadge label={label(t, 'severity', alert.severity)} tone={SEVERITY_TONE[alert.severity] ?? 'warn'} /> },
    { key: 'status', header: t('alerts.status'), narrow: true, render: (alert) => <StatusBadge label={t(`alert.status.${alert.status}` as MessageKey)} tone={STATUS_TONE[alert.status] ?? 'neutral'} /> },
    { key: 'raised', header: t('alerts.col.raised'), narrow: true, render: (alert) => formatDateTime(alert.raised_at) },
  ];
  if (can('alerts:write')) columns.push({ key: 'actions', header: t('common.actions'), narrow: true, render: (alert) => <AlertActions alert={alert} /> });
  return (
    <>
      <PageHeader title={t('alerts.title')} subtitle={t('alerts.subtitle')} />
      <Group mb="sm">
        <Select label={t('alerts.status')} placeholder={t('common.all')} clearable value={status} onChange={setStatus} w={200}
          data={STATUSES.map((value) => ({ value, label: t(`alert.status.${value}`) }))} />
        <Select label={t('alerts.kind')} placeholder={t('common.all')} clearable value={kind} onChange={setKind} w={200}
          data={KINDS.map((value) => ({ value, label: t(`alert.kind.${value}`) }))} />
      </Group>
      <PagedTable list={list} columns={columns} rowKey={(alert) => alert.id} label={t('alerts.table')} />
    </>
  );
}
