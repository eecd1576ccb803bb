import { Anchor, Button, Card, Center, Group, SegmentedControl, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { screenPath } from '../../app/screens';
import { formatDateTime } from '../../i18n/format';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { LANGUAGE_KEYS } from '../notices/labels';
import { TRANSLATION_LANGUAGES, TRANSLATION_TONE } from './status';

type Translation = components['schemas']['TranslationView'];
type Status = 'requested' | 'rejected' | 'submitted' | 'approved';
const TABS: { status: Status; label: MessageKey; action: MessageKey }[] = [
  { status: 'requested', label: 'translations.todo', action: 'translations.translate' },
  { status: 'rejected', label: 'translations.returned', action: 'translations.fix' },
  { status: 'submitted', label: 'translations.waiting', action: 'translations.view' },
  { status: 'approved', label: 'translations.approved', action: 'translations.view' },
];

function TranslationCard({ translation, action }: { translation: Translation; action: MessageKey }) {
  const { t } = useI18n();
  const subject = translation.source_subject || translation.notice_id;
  const to = screenPath('translation', { noticeId: translation.notice_id, language: translation.language }) ?? '#';
  return (
    <Card withBorder padding="sm" component="li" data-testid="translation-row">
      <Stack gap={4}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Anchor component={Link} to={to} fw={500}>{subject}</Anchor>
          <StatusBadge label={t(LANGUAGE_KEYS[translation.language] ?? 'language.vi')} tone="info" />
        </Group>
        <Text size="sm" c="dimmed">
          {t('translations.requestedAt', { at: formatDateTime(translation.requested_at) })}
          {translation.translation_deadline ? ` · ${t('editor.deadline', { at: formatDateTime(translation.translation_deadline) })}` : ''}
        </Text>
        {translation.status === 'rejected' && translation.rejection_reason && (
          <Text size="sm" c="red.9" data-testid="rejection-reason">{t('translation.reasonWas', { reason: translation.rejection_reason })}</Text>
        )}
        <Group justify="space-between">
          <StatusBadge label={t(`translation.status.${translation.status}` as MessageKey)} tone={TRANSLATION_TONE[translation.status] ?? 'neutral'} />
          <Button component={Link} to={to} size="xs" variant={translation.status === 'approved' ? 'default' : 'filled'}
            aria-label={`${t(action)}: ${subject}`}>
            {t(action)}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

function TranslationTab({ status, label, action, language }: { status: Status; label: MessageKey; action: MessageKey; language: string }) {
  const { t } = useI18n();
  const list = useCursorList(['translations', 'queue', status, language], (cursor) =>
    unwrap(api.GET('/api/v1/translations', {
      params: { query: { cursor, limit: PAGE_SIZE, status, ...(language === 'all' ? {} : { language }) } },
    })),
  );
  if (list.isLoading) return <Loading />;
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.items.length) return <Text c="dimmed">{t('common.empty')}</Text>;
  return (
    <>
      <Stack component="ul" gap="xs" p={0} m={0} style={{ listStyle: 'none' }} aria-label={t('translations.list', { status: t(label) })}>
        {list.items.map((translation) => <TranslationCard key={translation.id} translation={translation} action={action} />)}
      </Stack>
      <Center mt="sm">
        <Text size="sm" c="dimmed" aria-live="polite">{t('translations.showing', { count: list.items.length })}</Text>
        {list.hasNextPage && (
          <Button ml="sm" size="compact-sm" variant="subtle" loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        )}
      </Center>
    </>
  );
}

/** The translator's queue: what to translate, what came back with a reason, what is done. */
export default function TranslationsPage() {
  const { t } = useI18n();
  const [language, setLanguage] = useState<string>('all');
  const [tab, setTab] = useState<Status>('requested');
  return (
    <>
      <PageHeader title={t('translations.title')} subtitle={t('translations.subtitle')} />
      <Group mb="sm">
        <SegmentedControl aria-label={t('translations.language')} value={language} onChange={setLanguage}
          data={[{ value: 'all', label: t('common.all') }, ...TRANSLATION_LANGUAGES.map((code) => ({ value: code, label: t(LANGUAGE_KEYS[code]!) }))]} />
      </Group>
      <Tabs value={tab} onChange={(value) => setTab((value as Status) ?? 'requested')} keepMounted={false}>
        <Tabs.List>
          {TABS.map(({ status, label }) => <Tabs.Tab key={status} value={status}>{t(label)}</Tabs.Tab>)}
        </Tabs.List>
        {TABS.map((one) => (
          <Tabs.Panel key={one.status} value={one.status} pt="sm">
            <TranslationTab {...one} language={language} />
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  );
}
