import { Alert, Anchor, Badge, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useUnits } from '../../api/queries';
import { useLiveEvent } from '../../app/LiveEvents';
import { screenPath } from '../../app/screens';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Fact } from '../../ui/Fact';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { PRIORITY_TONE } from './labels';
import { RecipientStatus } from './RecipientStatus';
import { TranslationReview } from './TranslationReview';

type Notice = components['schemas']['NoticeView'];

function PlanName({ planId }: { planId: string }) {
  const plan = useQuery({
    queryKey: ['plans', planId],
    queryFn: () => unwrap(api.GET('/api/v1/plans/{plan_id}', { params: { path: { plan_id: planId } } })),
    staleTime: 5 * 60_000,
  });
  return <>{plan.data ? `${plan.data.number} (${plan.data.year})` : planId}</>;
}

function Summary({ notice }: { notice: Notice }) {
  const { t } = useI18n();
  const done = notice.acknowledged_units?.length ?? 0;
  const total = notice.recipients.length;
  const policy = notice.translation_policy === 'wait' ? 'compose.policy.wait' : 'compose.policy.vi_first';
  const counts = Object.entries(notice.deliveries ?? {}).filter(([, count]) => count > 0);
  return (
    <Card withBorder>
      <Stack>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <Fact label={t('notice.sentAt')} value={formatDateTime(notice.created_at)} />
          <Fact label={t('notice.kind')} value={label(t, 'kind', notice.kind)} />
          <Fact label={t('notice.priority')} value={<StatusBadge label={label(t, 'priority', notice.priority)} tone={PRIORITY_TONE[notice.priority] ?? 'neutral'} />} />
          <Fact label={t('notice.deadline')} value={formatDateTime(notice.ack_deadline) || t('notice.noDeadline')} />
          <Fact label={t('notice.policy')} value={t(policy)} />
          {notice.plan_id && <Fact label={t('notice.plan')} value={<PlanName planId={notice.plan_id} />} />}
        </SimpleGrid>
        <div>
          <Text fw={500} mb={4} data-testid="ack-progress">{t('notice.progress', { done, total })}</Text>
          <Progress value={total ? (100 * done) / total : 0} color="green.8" aria-hidden="true" />
        </div>
        {counts.length > 0 && (
          <Group gap="xs" aria-label={t('notice.deliveryCounts')} role="group">
            <Text size="sm" c="dimmed">{t('notice.deliveryCounts')}:</Text>
            {counts.map(([status, count]) => (
              <Badge key={status} variant="outline" color="gray.8" tt="none">{`${label(t, 'delivery', status)}: ${count}`}</Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Card>
  );
}

function Unreachable({ notice, nameOf }: { notice: Notice; nameOf: (id: string) => string }) {
  const { t } = useI18n();
  if (!notice.unreachable?.length) return null;
  return (
    <Alert color="orange" variant="light" title={t('notice.unreachable')} styles={{ title: { color: '#7a3300' } }}>
      <Stack gap={2}>
        {notice.unreachable.map((entry) => (
          <Text size="sm" key={entry.unit_id}>
            {nameOf(entry.unit_id)}: {label(t, 'notice.unreachable', entry.reason)}
          </Text>
        ))}
      </Stack>
    </Alert>
  );
}

/**
 * One notice: its text, who received, read and acknowledged it (live: an acknowledgement
 * shows up without reloading), resending to one recipient, and its translations' review.
 */
export default function NoticePage() {
  const { noticeId = '' } = useParams();
  const { t } = useI18n();
  const can = useCan();
  const queryClient = useQueryClient();
  const units = useUnits();
  const [announcement, setAnnouncement] = useState('');
  const notice = useQuery({
    queryKey: ['notices', noticeId],
    queryFn: () => unwrap(api.GET('/api/v1/notices/{notice_id}', { params: { path: { notice_id: noticeId } } })),
  });
  useLiveEvent(['notification.acknowledged'], (event) => {
    const data = (JSON.parse(event.data) as { data?: { notice_id?: string; unit_id?: string } }).data;
    if (data?.notice_id !== noticeId) return;
    setAnnouncement(t('notice.liveAck', { unit: units.name(data.unit_id) }));
    void queryClient.invalidateQueries({ queryKey: ['notices', noticeId] });
  });

  const back = (
    <Anchor component={Link} to={screenPath('notices') ?? '/'} size="sm">{t('notice.back')}</Anchor>
  );
  if (notice.isPending) return <Loading />;
  if (notice.error) return <Stack>{back}<ErrorAlert error={notice.error} onRetry={() => void notice.refetch()} /></Stack>;
  const data = notice.data;
  return (
    <Stack>
      {back}
      <PageHeader title={data.subject} />
      <div role="status" aria-live="polite">
        {announcement && <Alert color="green" variant="light" data-testid="live-ack">{announcement}</Alert>}
      </div>
      <Summary notice={data} />
      <Unreachable notice={data} nameOf={units.name} />
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">{t('notice.body')}</Title>
        <Text style={{ whiteSpace: 'pre-wrap' }}>{data.body}</Text>
      </Card>
      <RecipientStatus notice={data} nameOf={units.name} />
      {can('translations:read') && <TranslationReview noticeId={data.id} />}
    </Stack>
  );
}
