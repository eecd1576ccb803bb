import { Button, Card, Group, Select, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components, paths } from '../../api/schema';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge } from '../../ui/StatusBadge';
import { DELIVERY_TONE, LANGUAGE_KEYS } from './labels';

type Notice = components['schemas']['NoticeView'];
type Delivery = components['schemas']['DeliveryView'];
type DeliveryStatus = NonNullable<NonNullable<paths['/api/v1/notices/{notice_id}/deliveries']['get']['parameters']['query']>['status']>;
const STATUSES: DeliveryStatus[] = ['held', 'pending', 'retrying', 'sending', 'sent', 'delivered', 'failed', 'expired'];
/** A delivery still in the sender's hands (or held for a translation) cannot be resent. */
const NOT_RESENDABLE = new Set(['held', 'pending', 'retrying', 'sending']);

function ResendButton({ delivery, unit }: { delivery: Delivery; unit: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const resend = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/notices/{notice_id}/deliveries/{delivery_id}/resend', {
        params: { path: { notice_id: delivery.notice_id, delivery_id: delivery.id } },
      })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['notices', delivery.notice_id] }),
  });
  const channel = label(t, 'deliveryChannel', delivery.channel);
  return (
    <Stack gap={2} align="flex-start">
      <Button size="compact-sm" variant="light" loading={resend.isPending} onClick={() => resend.mutate()}
        aria-label={t('notice.resendTo', { unit, channel })}>
        {t('notice.resend')}
      </Button>
      {resend.isSuccess && <Text size="xs" c="green.9" role="status">{t('notice.resent', { unit })}</Text>}
      {resend.isError && <ErrorAlert error={resend.error} />}
    </Stack>
  );
}

/**
 * Each recipient's deliveries (one per unit, channel and language): sent, delivered, read,
 * acknowledged. Refreshed live by notification events; an officer resends one delivery.
 */
export function RecipientStatus({ notice, nameOf }: { notice: Notice; nameOf: (id: string) => string }) {
  const { t } = useI18n();
  const can = useCan();
  const [status, setStatus] = useState<string | null>(null);
  const list = useCursorList(['notices', notice.id, 'deliveries', status], (cursor) =>
    unwrap(api.GET('/api/v1/notices/{notice_id}/deliveries', {
      params: { path: { notice_id: notice.id }, query: { cursor, limit: PAGE_SIZE, status: (status as DeliveryStatus | null) ?? undefined } },
    })),
  );
  const unitName = (delivery: Delivery) => delivery.unit_name || nameOf(delivery.unit_id);
  const columns: Column<Delivery>[] = [
    { key: 'unit', header: t('notice.col.unit'), render: (delivery) => unitName(delivery) },
    {
      key: 'deliveryChannel',
      header: t('notice.col.channel'),
      narrow: true,
      render: (delivery) => (
        <Tooltip label={delivery.address} disabled={!delivery.address}>
          <span>{label(t, 'deliveryChannel', delivery.channel)}</span>
        </Tooltip>
      ),
    },
    { key: 'language', header: t('notice.col.language'), narrow: true, render: (delivery) => t(LANGUAGE_KEYS[delivery.language] ?? 'language.vi') },
    {
      key: 'delivery',
      header: t('notice.col.delivery'),
      narrow: true,
      render: (delivery) => (
        <Stack gap={2}>
          <StatusBadge label={label(t, 'delivery', delivery.status)} tone={DELIVERY_TONE[delivery.status] ?? 'neutral'} />
          {delivery.last_error && delivery.status !== 'delivered' && <Text size="xs" c="red.9" maw={220}>{delivery.last_error}</Text>}
          {(delivery.resends ?? 0) > 0 && <Text size="xs" c="dimmed">{t('notice.resends', { count: delivery.resends ?? 0 })}</Text>}
        </Stack>
      ),
    },
    {
      key: 'read',
      header: t('notice.col.read'),
      narrow: true,
      render: (delivery) => (delivery.read_at ? formatDateTime(delivery.read_at) : <Text size="sm" c="dimmed">{t('notice.notRead')}</Text>),
    },
    {
      key: 'ack',
      header: t('notice.col.ack'),
      narrow: true,
      render: (delivery) => delivery.acknowledged_at
        ? <StatusBadge label={t('notice.acknowledgedAt', { at: formatDateTime(delivery.acknowledged_at) })} tone="good" testId={`ack-${delivery.unit_id}`} />
        : <StatusBadge label={t('notice.notAcknowledged')} tone="neutral" testId={`ack-${delivery.unit_id}`} />,
    },
  ];
  if (can('notices:write')) {
    columns.push({
      key: 'actions',
      header: t('common.actions'),
      narrow: true,
      render: (delivery) => (NOT_RESENDABLE.has(delivery.status) ? null : <ResendButton delivery={delivery} unit={unitName(delivery)} />),
    });
  }
  return (
    <Card withBorder>
      <Group justify="space-between" align="flex-end" mb="xs">
        <Title order={2} size="h4">{t('notice.recipients')}</Title>
        <Select size="xs" label={t('notice.col.delivery')} placeholder={t('common.all')} clearable w={200} value={status} onChange={setStatus}
          data={STATUSES.map((value) => ({ value, label: t(`delivery.${value}`) }))} />
      </Group>
      <PagedTable list={list} columns={columns} rowKey={(delivery) => delivery.id} label={t('notice.recipientsTable')}
        rowProps={(delivery) => ({ 'data-unit': delivery.unit_id })} />
    </Card>
  );
}
