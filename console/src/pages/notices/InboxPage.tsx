import { Alert, Badge, Button, Card, Center, Group, Stack, Switch, Text, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { useUnits } from '../../api/queries';
import { useCurrentUser } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { LANGUAGE_KEYS, PRIORITY_TONE } from './labels';

type InboxItem = components['schemas']['InboxItem'];

/**
 * Records once that the unit read the notice when its card has been on screen for a moment
 * (the officer sees "read" next to "delivered" and "acknowledged").
 */
function useMarkRead(item: InboxItem, unitId: string) {
  const card = useRef<HTMLElement>(null);
  const queryClient = useQueryClient();
  const unread = !item.read_at && !item.acknowledged_at;
  const markRead = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/notices/{notice_id}/read', { params: { path: { notice_id: item.notice_id } }, body: { unit_id: unitId } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['inbox'] }),
  });
  const { mutate, isIdle } = markRead;
  useEffect(() => {
    const element = card.current;
    if (!unread || !isIdle || !element || typeof IntersectionObserver === 'undefined') return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new IntersectionObserver(([entry]) => {
      clearTimeout(timer);
      if (entry?.isIntersecting) timer = setTimeout(() => mutate(), 1500);
    }, { threshold: 0.5 });
    observer.observe(element);
    return () => {
      clearTimeout(timer);
      observer.disconnect();
    };
  }, [unread, isIdle, mutate]);
  return card;
}

function InboxCard({ item, unitId, now }: { item: InboxItem; unitId: string; now: number }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [expanded, setExpanded] = useState(false);
  const card = useMarkRead(item, unitId);
  const acknowledge = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/notices/{notice_id}/ack', { params: { path: { notice_id: item.notice_id } }, body: { unit_id: unitId } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['inbox'] }),
  });
  const acknowledgedAt = item.acknowledged_at ?? acknowledge.data?.acknowledged_at ?? null;
  const overdue = !acknowledgedAt && !!item.ack_deadline && new Date(item.ack_deadline).getTime() < now;
  const headingId = `inbox-${item.notice_id}`;
  const long = item.text.length > 280;
  return (
    <Card ref={card} withBorder component="article" aria-labelledby={headingId} padding="md" data-testid="inbox-item"
      style={acknowledgedAt ? undefined : { borderLeft: '4px solid var(--mantine-color-blue-8)' }}>
      <Stack gap="xs">
        <Group gap="xs" wrap="wrap">
          {!acknowledgedAt && <Badge color="blue.8" variant="filled" tt="none">{t('inbox.new')}</Badge>}
          <StatusBadge label={label(t, 'priority', item.priority)} tone={PRIORITY_TONE[item.priority] ?? 'neutral'} />
          <StatusBadge label={label(t, 'kind', item.kind)} tone="neutral" />
          {item.language !== 'vi' && <StatusBadge label={t(LANGUAGE_KEYS[item.language] ?? 'language.vi')} tone="info" />}
        </Group>
        <Title order={2} size="h4" id={headingId} lang={item.language}>{item.subject}</Title>
        <Text size="sm" c="dimmed">{t('inbox.receivedAt', { at: formatDateTime(item.created_at) })}</Text>
        <Text lang={item.language} style={{ whiteSpace: 'pre-wrap' }} lineClamp={expanded || !long ? undefined : 4}>{item.text}</Text>
        {long && (
          <Group>
            <Button variant="subtle" size="compact-sm" px={0} onClick={() => setExpanded((value) => !value)} aria-expanded={expanded}>
              {t(expanded ? 'inbox.showLess' : 'inbox.showMore')}
            </Button>
          </Group>
        )}
        {item.ack_deadline && !acknowledgedAt && (
          <Text size="sm" fw={500} c={overdue ? 'red.9' : undefined}>
            {overdue ? `${t('inbox.overdue')} — ` : ''}{t('inbox.dueBy', { at: formatDateTime(item.ack_deadline) })}
          </Text>
        )}
        {acknowledge.isError && <ErrorAlert error={acknowledge.error} />}
        {acknowledgedAt ? (
          <Text size="sm" c="green.9" fw={500} data-testid="acknowledged">{t('inbox.acknowledgedAt', { at: formatDateTime(acknowledgedAt) })}</Text>
        ) : (
          <Button fullWidth size="md" loading={acknowledge.isPending} onClick={() => acknowledge.mutate()}
            aria-label={t('inbox.acknowledgeNamed', { subject: item.subject })}>
            {t('inbox.acknowledge')}
          </Button>
        )}
      </Stack>
    </Card>
  );
}

/** The notices sent to my unit, in my unit's language, each acknowledged with one press. */
export default function InboxPage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const units = useUnits();
  const [unreadOnly, setUnreadOnly] = useState(false);
  // When the page opened: deadlines passed since then show after the next refresh.
  const [now] = useState(() => Date.now());
  const unitId = user.unit_id ?? '';
  const list = useCursorList(['inbox', 'list', unitId, unreadOnly], (cursor) =>
    unwrap(api.GET('/api/v1/inbox', { params: { query: { unit_id: unitId, cursor, limit: PAGE_SIZE, unacknowledged_only: unreadOnly } } })),
    !!unitId,
  );
  if (!unitId) {
    return (
      <>
        <PageHeader title={t('inbox.title')} />
        <Alert color="orange" variant="light">{t('inbox.noUnit')}</Alert>
      </>
    );
  }
  return (
    <>
      <PageHeader title={t('inbox.title')} subtitle={t('inbox.subtitle', { unit: units.name(unitId) })} />
      <Switch mb="md" label={t('inbox.unreadOnly')} checked={unreadOnly} onChange={(event) => setUnreadOnly(event.currentTarget.checked)} />
      {list.isLoading && <Loading />}
      {list.error && <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && !list.items.length && <Text c="dimmed">{t(unreadOnly ? 'inbox.empty' : 'common.empty')}</Text>}
      <Stack gap="sm" maw={760} aria-label={t('inbox.list')} role="feed">
        {list.items.map((item) => <InboxCard key={item.notice_id} item={item} unitId={unitId} now={now} />)}
      </Stack>
      {list.hasNextPage && (
        <Center mt="md">
          <Button variant="default" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('common.loadMore')}</Button>
        </Center>
      )}
    </>
  );
}
