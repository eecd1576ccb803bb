import { Button, Group, MultiSelect, Stack, Text, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormModal, useFormProblems } from '../../ui/FormModal';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { SecretOnce } from '../../ui/SecretOnce';
import { StatusBadge } from '../../ui/StatusBadge';
import { useFormMutation } from '../../ui/useFormMutation';
import { SubscriptionDeliveries } from './SubscriptionDeliveries';

type Subscription = components['schemas']['Subscription'];
type EventType = components['schemas']['SubscriptionCreate']['event_types'][number];
const EVENT_TYPES: EventType[] = ['*', 'plan.created', 'plan.issued', 'plan.amended', 'plan.closed', 'task.assigned', 'task.status_changed',
  'task.due_soon', 'task.overdue', 'report.submitted', 'report.reviewed', 'kpi.progressed', 'notification.sent', 'notification.delivered',
  'notification.failed', 'notification.acknowledged', 'notification.escalated', 'translation.requested', 'translation.approved',
  'monitoring.item_classified', 'monitoring.alert_raised', 'monitoring.coverage_matched'];

function CreateSubscription({ onCreated, onClose }: { onCreated: (secret: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const [problems, check] = useFormProblems();
  const { mutation: create, fieldError } = useFormMutation(
    () => unwrap(api.POST('/api/v1/subscriptions', { body: { url: url.trim(), event_types: types as EventType[], description: description.trim() || null } })),
    ['subscriptions'], (created) => onCreated(created.secret));
  function submit() {
    const found: Record<string, string> = {};
    if (!/^https?:\/\//i.test(url.trim())) found.url = t('sources.urlScheme');
    if (!types.length) found.types = t('compose.required');
    if (check(found)) create.mutate();
  }
  return (
    <FormModal title={t('subs.create')} submitLabel={t('subs.create')} size="lg" onSubmit={submit} onClose={onClose}
      pending={create.isPending} error={create.error}>
      <TextInput label={t('subs.url')} type="url" required data-autofocus value={url} onChange={(event) => setUrl(event.currentTarget.value)}
        error={problems.url ?? fieldError('url')} />
      <MultiSelect label={t('subs.eventTypes')} description={t('subs.eventTypesHint')} required searchable data={EVENT_TYPES} value={types}
        onChange={setTypes} error={problems.types ?? fieldError('event_types')} />
      <TextInput label={t('subs.description')} value={description} onChange={(event) => setDescription(event.currentTarget.value)} />
    </FormModal>
  );
}

function SubscriptionActions({ subscription, onSecret, onDeliveries }: { subscription: Subscription; onSecret: (secret: string) => void; onDeliveries: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const path = { subscription_id: subscription.id };
  const rotate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/subscriptions/{subscription_id}/rotate-secret', { params: { path } })),
    onSuccess: (rotated) => onSecret(rotated.secret),
  });
  const enable = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/subscriptions/{subscription_id}', { params: { path }, body: { active: true } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['subscriptions'] }),
  });
  return (
    <Stack gap={4}>
      <Group gap={4} wrap="nowrap">
        <Button size="compact-sm" variant="light" onClick={onDeliveries}>{t('subs.deliveries')}</Button>
        <Button size="compact-sm" variant="light" loading={rotate.isPending} onClick={() => rotate.mutate()} title={t('subs.rotateNote')}>{t('subs.rotate')}</Button>
        {!subscription.active && <Button size="compact-sm" variant="outline" color="green.9" loading={enable.isPending} onClick={() => enable.mutate()}>{t('subs.enable')}</Button>}
      </Group>
      {(rotate.error || enable.error) && <ErrorAlert error={rotate.error ?? enable.error} />}
    </Stack>
  );
}

/** Webhook subscriptions: the secret shown once, the delivery log, replay, a new secret. */
export default function SubscriptionsPage() {
  const { t } = useI18n();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [log, setLog] = useState<Subscription | null>(null);
  const list = useCursorList(['subscriptions', 'list'], (cursor) => unwrap(api.GET('/api/v1/subscriptions', { params: { query: { cursor, limit: PAGE_SIZE } } })));
  const columns: Column<Subscription>[] = [
    { key: 'url', header: t('subs.url'), render: (sub) => <Stack gap={0}><Text style={{ wordBreak: 'break-all' }}>{sub.url}</Text>{sub.description && <Text size="xs" c="dimmed">{sub.description}</Text>}</Stack> },
    { key: 'types', header: t('subs.eventTypes'), render: (sub) => sub.event_types.join(', ') },
    {
      key: 'state',
      header: t('keys.state'),
      narrow: true,
      render: (sub) => <StatusBadge label={sub.active ? t('subs.active') : t('subs.disabled', { reason: sub.disabled_reason ?? '' })} tone={sub.active ? 'good' : 'bad'} />,
    },
    { key: 'actions', header: t('common.actions'), narrow: true, render: (sub) => <SubscriptionActions subscription={sub} onSecret={setSecret} onDeliveries={() => setLog(sub)} /> },
  ];
  return (
    <>
      <PageHeader title={t('subs.title')} subtitle={t('subs.subtitle')} actions={<Button onClick={() => { setSecret(null); setCreating(true); }}>{t('subs.create')}</Button>} />
      {secret && <Stack mb="md"><SecretOnce title={t('subs.secret')} secret={secret} onDone={() => setSecret(null)} /></Stack>}
      <PagedTable list={list} columns={columns} rowKey={(sub) => sub.id} label={t('subs.table')} />
      {creating && <CreateSubscription onClose={() => setCreating(false)} onCreated={(created) => { setCreating(false); setSecret(created); }} />}
      {log && <SubscriptionDeliveries subscription={log} onClose={() => setLog(null)} />}
    </>
  );
}
