import { Button, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { ReasonModal } from '../../ui/ReasonModal';
import { StatusBadge } from '../../ui/StatusBadge';
import { LANGUAGE_KEYS } from './labels';
import { TRANSLATION_TONE } from '../translations/status';

type Translation = components['schemas']['TranslationView'];

function OneTranslation({ translation }: { translation: Translation }) {
  const { t } = useI18n();
  const can = useCan();
  const queryClient = useQueryClient();
  const [rejecting, setRejecting] = useState(false);
  const path = { notice_id: translation.notice_id, language: translation.language };
  const done = () => void queryClient.invalidateQueries({ queryKey: ['translations'] });
  const approve = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/notices/{notice_id}/translations/{language}/approve', { params: { path } })),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: (reason: string) =>
      unwrap(api.POST('/api/v1/notices/{notice_id}/translations/{language}/reject', { params: { path }, body: { reason } })),
    onSuccess: () => {
      setRejecting(false);
      done();
    },
  });
  const language = t(LANGUAGE_KEYS[translation.language] ?? 'language.vi');
  const reviewable = translation.status === 'submitted' && can('notices:write');
  return (
    <Card withBorder padding="sm" data-testid={`translation-${translation.language}`}>
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={3} size="h5">{language}</Title>
          <StatusBadge label={label(t, 'translation.status', translation.status)}
            tone={TRANSLATION_TONE[translation.status] ?? 'neutral'} />
        </Group>
        {translation.rejection_reason && translation.status === 'rejected' && (
          <Text size="sm">{t('translation.reasonWas', { reason: translation.rejection_reason })}</Text>
        )}
        {translation.body && (
          <div lang={translation.language}>
            <Text fw={500}>{translation.subject}</Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{translation.body}</Text>
            <Text size="xs" c="dimmed">{t('translation.updatedAt', { at: formatDateTime(translation.updated_at ?? translation.requested_at) })}</Text>
          </div>
        )}
        {approve.isError && <ErrorAlert error={approve.error} />}
        {reviewable && (
          <Group gap="xs">
            <Button size="xs" color="green.8" loading={approve.isPending} onClick={() => approve.mutate()}>
              {t('translation.approve')}
            </Button>
            <Button size="xs" variant="outline" color="red.8" onClick={() => setRejecting(true)}>
              {t('translation.reject')}
            </Button>
          </Group>
        )}
      </Stack>
      <ReasonModal opened={rejecting} title={t('translation.rejectTitle', { language: label(t, 'languageName', translation.language) })} label={t('translation.rejectReason')}
        submitLabel={t('translation.reject')} required pending={reject.isPending} error={reject.error}
        onSubmit={(reason) => reject.mutate(reason)} onClose={() => setRejecting(false)} />
    </Card>
  );
}

/** The notice's Jrai and Bahnar translations; an officer approves or returns them with a reason. */
export function TranslationReview({ noticeId }: { noticeId: string }) {
  const { t } = useI18n();
  const translations = useQuery({
    queryKey: ['translations', 'notice', noticeId],
    queryFn: () => unwrap(api.GET('/api/v1/translations', { params: { query: { notice_id: noticeId, limit: 50 } } })),
  });
  if (translations.error) return <ErrorAlert error={translations.error} onRetry={() => void translations.refetch()} />;
  const items = translations.data?.items ?? [];
  if (!items.length) return null;
  return (
    <Card withBorder>
      <Title order={2} size="h4" mb="xs">{t('translation.sectionTitle')}</Title>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {items.map((translation) => <OneTranslation key={translation.id} translation={translation} />)}
      </SimpleGrid>
    </Card>
  );
}
