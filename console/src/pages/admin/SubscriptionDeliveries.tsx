import { Button, Drawer, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge, type Tone } from '../../ui/StatusBadge';

type Subscription = components['schemas']['Subscription'];
type Delivery = components['schemas']['Delivery'];
const TONE: Record<string, Tone> = { pending: 'info', delivered: 'good', failed: 'bad' };

function ReplayButton({ delivery }: { delivery: Delivery }) {
  const { t } = useI18n();
  const replay = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/events/replay', { body: { subscription_id: delivery.subscription_id, delivery_ids: [delivery.id] } })),
  });
  return (
    <>
      <Button size="compact-sm" variant="light" loading={replay.isPending} onClick={() => replay.mutate()}>{t('subs.replay')}</Button>
      {replay.isSuccess && <Text size="xs" role="status">{t('subs.replayed', { count: replay.data.scheduled })}</Text>}
      {replay.isError && <ErrorAlert error={replay.error} />}
    </>
  );
}

/** A subscription's delivery log, newest page first; one delivery can be sent again. */
export function SubscriptionDeliveries({ subscription, onClose }: { subscription: Subscription; onClose: () => void }) {
  const { t } = useI18n();
  const list = useCursorList(['subscriptions', subscription.id, 'deliveries'], (cursor) =>
    unwrap(api.GET('/api/v1/subscriptions/{subscription_id}/deliveries', {
      params: { path: { subscription_id: subscription.id }, query: { cursor, limit: PAGE_SIZE } },
    })),
  );
  const columns: Column<Delivery>[] = [
    { key: 'event', header: t('subs.col.event'), render: (delivery) => <code>{delivery.event_type}</code> },
    {
      key: 'status',
      header: t('subs.col.status'),
      narrow: true,
      render: (delivery) => (
        <>
          <StatusBadge label={label(t, 'subs.status', delivery.status)} tone={TONE[delivery.status] ?? 'neutral'} />
          {delivery.last_error && <Text size="xs" c="red.9">{delivery.last_status_code ? `HTTP ${delivery.last_status_code}: ` : ''}{delivery.last_error}</Text>}
        </>
      ),
    },
    { key: 'attempts', header: t('subs.col.attempts'), narrow: true, render: (delivery) => delivery.attempts },
    { key: 'time', header: t('subs.col.time'), narrow: true, render: (delivery) => formatDateTime(delivery.delivered_at ?? delivery.created_at) },
    { key: 'replay', header: t('common.actions'), narrow: true, render: (delivery) => <ReplayButton delivery={delivery} /> },
  ];
  return (
    <Drawer opened onClose={onClose} position="right" size="xl" title={t('subs.deliveriesOf', { url: subscription.url })}
      closeButtonProps={{ 'aria-label': t('common.close') }}>
      <PagedTable list={list} columns={columns} rowKey={(delivery) => delivery.id} label={t('subs.deliveries')} />
    </Drawer>
  );
}
