import { Alert, Anchor, Button, Card, Group, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { screenPath } from '../../app/screens';
import { formatDateTime } from '../../i18n/format';
import type { MessageKey } from '../../i18n/catalogue';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { StatusBadge } from '../../ui/StatusBadge';
import { useFieldError } from '../../ui/useFieldError';
import { TRANSLATION_TONE } from './status';

type Translation = components['schemas']['TranslationView'];

function TranslationForm({ translation, languageName }: { translation: Translation; languageName: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [subject, setSubject] = useState(translation.subject ?? '');
  const [body, setBody] = useState(translation.body ?? '');
  const [missing, setMissing] = useState(false);
  const submit = useMutation({
    mutationFn: () =>
      unwrap(api.PUT('/api/v1/notices/{notice_id}/translations/{language}', {
        params: { path: { notice_id: translation.notice_id, language: translation.language } },
        body: { subject: subject.trim(), body: body.trim() },
      })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['translations'] }),
  });
  const fieldError = useFieldError(submit.error);

  function send(event: FormEvent) {
    event.preventDefault();
    const empty = !subject.trim() || !body.trim();
    setMissing(empty);
    if (!empty) submit.mutate();
  }

  if (translation.status === 'approved') {
    return (
      <Stack gap="xs" lang={translation.language}>
        <Alert color="green" variant="light">{t('editor.approvedNote')}</Alert>
        <Text fw={500}>{translation.subject}</Text>
        <Text style={{ whiteSpace: 'pre-wrap' }}>{translation.body}</Text>
      </Stack>
    );
  }
  return (
    <form onSubmit={send} noValidate aria-label={t('editor.target', { language: languageName })}>
      <Stack gap="sm">
        {submit.isSuccess && <Alert color="green" variant="light" role="status">{t('editor.submitted')}</Alert>}
        {submit.isError && <ErrorAlert error={submit.error} />}
        <TextInput label={t('editor.subject', { language: languageName })} lang={translation.language} required maxLength={1000}
          value={subject} onChange={(event) => setSubject(event.currentTarget.value)}
          error={(missing && !subject.trim() ? t('editor.required') : undefined) ?? fieldError('subject')} />
        <Textarea label={t('editor.body', { language: languageName })} lang={translation.language} required autosize minRows={10}
          maxLength={50_000} value={body} onChange={(event) => setBody(event.currentTarget.value)}
          error={(missing && !body.trim() ? t('editor.required') : undefined) ?? fieldError('body')} />
        <Group>
          <Button type="submit" loading={submit.isPending}>{t('editor.submit')}</Button>
        </Group>
      </Stack>
    </form>
  );
}

/**
 * The side-by-side editor: the Vietnamese original on the left, the translation on the right
 * (one above the other on a phone). A returned translation shows the officer's reason.
 */
export default function TranslationEditorPage() {
  const { noticeId = '', language = '' } = useParams();
  const { t } = useI18n();
  const languageName = label(t, 'languageName', language);
  const translation = useQuery({
    queryKey: ['translations', 'one', noticeId, language],
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/translations', { params: { query: { notice_id: noticeId, language, limit: 10 } } }));
      return page.items[0] ?? null;
    },
  });
  const back = <Anchor component={Link} to={screenPath('translations') ?? '/'} size="sm">{t('editor.back')}</Anchor>;
  if (translation.isPending) return <Loading />;
  if (translation.error) return <Stack>{back}<ErrorAlert error={translation.error} onRetry={() => void translation.refetch()} /></Stack>;
  const current = translation.data;
  if (!current) return <Stack>{back}<Text c="dimmed">{t('common.empty')}</Text></Stack>;
  return (
    <Stack>
      {back}
      <PageHeader title={t('editor.title', { language: languageName })} subtitle={current.translation_deadline ? t('editor.deadline', { at: formatDateTime(current.translation_deadline) }) : undefined}
        actions={<StatusBadge label={t(`translation.status.${current.status}` as MessageKey)} tone={TRANSLATION_TONE[current.status] ?? 'neutral'} />} />
      {current.status === 'rejected' && current.rejection_reason && (
        <Alert color="red" variant="light" title={t('editor.returned')} data-testid="rejection-reason">
          {t('translation.reasonWas', { reason: current.rejection_reason })}
        </Alert>
      )}
      {current.status === 'submitted' && <Alert color="blue" variant="light">{t('editor.waitingNote')}</Alert>}
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md">
        <Card withBorder component="section" aria-labelledby="source-heading">
          <Title order={2} size="h4" mb="xs" id="source-heading">{t('editor.source')}</Title>
          <Stack gap="xs" lang="vi">
            <Text fw={600}>{current.source_subject}</Text>
            <Text style={{ whiteSpace: 'pre-wrap' }}>{current.source_body}</Text>
          </Stack>
        </Card>
        <Card withBorder component="section" aria-labelledby="target-heading">
          <Title order={2} size="h4" mb="xs" id="target-heading">{t('editor.target', { language: languageName })}</Title>
          <TranslationForm key={current.id} translation={current} languageName={languageName} />
        </Card>
      </SimpleGrid>
    </Stack>
  );
}
