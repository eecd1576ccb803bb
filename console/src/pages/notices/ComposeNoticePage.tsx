import { Button, Card, Group, Radio, Select, SimpleGrid, Stack, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { fetchAll } from '../../api/pagination';
import type { components } from '../../api/schema';
import { screenPath } from '../../app/screens';
import { provinceInputToIso, todayInProvince } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { useFieldError } from '../../ui/useFieldError';
import { RecipientPicker } from './RecipientPicker';

type Body = components['schemas']['CreateNoticeBody'];
type Policy = Body['translation_policy'];
const PRIORITIES = ['normal', 'high', 'critical'] as const;
/** Vietnamese now, each translation once approved (the API's default). */
const VI_FIRST: Policy = 'vi_first';

/** 128 random bits as hex (crypto.randomUUID needs HTTPS; getRandomValues does not). */
function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

interface Draft {
  subject: string;
  body: string;
  priority: Body['priority'];
  planId: string | null;
  asOf: string;
  units: string[];
  groups: string[];
  deadline: string;
  policy: Policy;
  translationDeadline: string;
}

type Problems = Partial<Record<'subject' | 'body' | 'recipients' | 'deadline', string>>;

/** An officer writes guidance to units and groups, with a deadline and a translation policy. */
export default function ComposeNoticePage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Draft>({
    subject: '', body: '', priority: 'normal', planId: null, asOf: todayInProvince(), units: [], groups: [],
    deadline: '', policy: VI_FIRST, translationDeadline: '',
  });
  const [asOfTouched, setAsOfTouched] = useState(false);
  const [recipients, setRecipients] = useState<string[]>([]);
  const [problems, setProblems] = useState<Problems>({});
  // One key per form: a retried send (a dropped reply) never sends the notice twice.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const update = (changes: Partial<Draft>) => setDraft((current) => ({ ...current, ...changes }));
  const onResolved = useCallback((ids: string[]) => setRecipients(ids), []);

  const plans = useQuery({
    queryKey: ['plans', 'all'],
    queryFn: () => fetchAll((cursor) => unwrap(api.GET('/api/v1/plans', { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 60_000,
  });

  const send = useMutation({
    mutationFn: () => {
      const body: Body = {
        kind: 'guidance',
        subject: draft.subject.trim(),
        body: draft.body.trim(),
        priority: draft.priority,
        recipients,
        plan_id: draft.planId,
        ack_deadline: provinceInputToIso(draft.deadline),
        translation_policy: draft.policy,
        idempotency_key: idempotencyKey,
      };
      const translationDeadline = draft.policy === 'wait' ? provinceInputToIso(draft.translationDeadline) : null;
      if (translationDeadline) Object.assign(body, { translation_deadline: translationDeadline });
      return unwrap(api.POST('/api/v1/notices', { body }));
    },
    onSuccess: (notice) => {
      void queryClient.invalidateQueries({ queryKey: ['notices'] });
      navigate(screenPath('notice', { noticeId: notice.id }) ?? '/');
    },
  });
  const fieldError = useFieldError(send.error);

  function choosePlan(planId: string | null) {
    const plan = plans.data?.find((found) => found.id === planId);
    update({ planId, ...(!asOfTouched && plan ? { asOf: plan.issued_on ?? `${plan.year}-01-01` } : {}) });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: Problems = {};
    if (!draft.subject.trim()) found.subject = t('compose.required');
    if (!draft.body.trim()) found.body = t('compose.required');
    if (!recipients.length) found.recipients = t('compose.noRecipients');
    const deadline = provinceInputToIso(draft.deadline);
    if (deadline && new Date(deadline).getTime() <= Date.now()) found.deadline = t('compose.deadlinePast');
    setProblems(found);
    if (!Object.keys(found).length) send.mutate();
  }

  return (
    <>
      <PageHeader title={t('compose.title')} subtitle={t('compose.subtitle')} />
      <Card withBorder maw={900}>
        <form onSubmit={submit} noValidate aria-label={t('compose.title')}>
          <Stack>
            {send.isError && <ErrorAlert error={send.error} />}
            <TextInput label={t('compose.subject')} placeholder={t('compose.subjectHint')} required maxLength={500}
              value={draft.subject} onChange={(event) => update({ subject: event.currentTarget.value })}
              error={problems.subject ?? fieldError('subject')} />
            <Textarea label={t('compose.body')} required autosize minRows={5} maxLength={20_000}
              value={draft.body} onChange={(event) => update({ body: event.currentTarget.value })}
              error={problems.body ?? fieldError('body')} />
            <SimpleGrid cols={{ base: 1, sm: 3 }}>
              <Select label={t('compose.priority')} allowDeselect={false}
                data={PRIORITIES.map((value) => ({ value, label: t(`priority.${value}`) }))}
                value={draft.priority} onChange={(value) => update({ priority: (value ?? 'normal') as Body['priority'] })} />
              <Select label={t('compose.plan')} placeholder={t('compose.noPlan')} clearable searchable
                data={(plans.data ?? []).map((plan) => ({ value: plan.id, label: `${plan.number} (${plan.year}) — ${plan.title}` }))}
                value={draft.planId} onChange={choosePlan} />
              <TextInput type="date" label={t('compose.asOf')} value={draft.asOf}
                onChange={(event) => { setAsOfTouched(true); update({ asOf: event.currentTarget.value || todayInProvince() }); }} />
            </SimpleGrid>
            <RecipientPicker asOf={draft.asOf} units={draft.units} groups={draft.groups}
              onUnits={(units) => update({ units })} onGroups={(groups) => update({ groups })}
              onResolved={onResolved} error={problems.recipients ?? fieldError('recipients')} />
            <TextInput type="datetime-local" label={t('compose.deadline')} description={t('compose.deadlineHint')}
              value={draft.deadline} onChange={(event) => update({ deadline: event.currentTarget.value })}
              error={problems.deadline ?? fieldError('ack_deadline')} />
            <Radio.Group label={t('compose.policy')} value={draft.policy} onChange={(value) => update({ policy: value as Policy })}>
              <Stack gap="xs" mt="xs">
                <Radio value={VI_FIRST} label={t('compose.policy.vi_first')} />
                <Radio value="wait" label={t('compose.policy.wait')} />
              </Stack>
            </Radio.Group>
            {draft.policy === 'wait' && (
              <TextInput type="datetime-local" label={t('compose.translationDeadline')} description={t('compose.translationDeadlineHint')}
                value={draft.translationDeadline} onChange={(event) => update({ translationDeadline: event.currentTarget.value })}
                error={fieldError('translation_deadline')} />
            )}
            <Group>
              <Button type="submit" loading={send.isPending}>{t('compose.send')}</Button>
            </Group>
          </Stack>
        </form>
      </Card>
    </>
  );
}
