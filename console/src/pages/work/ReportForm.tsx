import { ActionIcon, Alert, Button, Card, Group, NumberInput, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../../api/client';
import type { TaskDetail } from '../../api/types';
import { formatDate } from '../../i18n/format';
import { label, periodLabel } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { nextPeriod, reportingPeriods } from './periods';
import { checkDraft, hasProblems, toBody, type Channel, type DraftProblems, type FigureDraft, type LinkDraft, type LinkKind, type Metric, type Topic } from './reportDraft';

const LINK_KINDS: LinkKind[] = ['article', 'broadcast', 'post', 'photo', 'video', 'document', 'other'];
const ALL_METRICS: Metric[] = ['articles', 'broadcasts', 'mobile_van_sessions', 'loudspeaker_broadcasts', 'documents', 'meetings', 'inspections'];

function newKey(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random()}`;
}

/** The progress report of a unit for one period: figures, what was done, links to its articles. */
export function ReportForm({ task, unitId }: { task: TaskDetail; unitId: string }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const periods = reportingPeriods(task.recurrence, task.due_date);
  const channels = ((task.channels?.length ? task.channels : ['other']) as Channel[]);
  const kpiMetrics = [...new Set((task.kpis ?? []).map((kpi) => kpi.metric))] as Metric[];
  const metrics = kpiMetrics.length ? kpiMetrics : ALL_METRICS;
  const topics = (task.topics ?? []) as Topic[];
  const [periodKey, setPeriodKey] = useState(nextPeriod(periods, task.period_completions)?.key ?? periods[0]?.key ?? 'ONCE');
  const [figures, setFigures] = useState<FigureDraft[]>([{ channel: channels[0]!, metric: metrics[0]!, topic: topics[0] ?? '', count: '' }]);
  const [narrative, setNarrative] = useState('');
  const [links, setLinks] = useState<LinkDraft[]>([{ url: '', kind: 'article' }]);
  const [problems, setProblems] = useState<DraftProblems | null>(null);
  const [idempotencyKey, setIdempotencyKey] = useState(newKey);
  const submit = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/plans/{plan_id}/tasks/{task_id}/reports', {
        params: { path: { plan_id: task.plan_id, task_id: task.task_id } },
        body: toBody({ periodKey, figures, narrative, links }, unitId, idempotencyKey),
      })),
    onSuccess: () => {
      setFigures([]);
      setNarrative('');
      setLinks([{ url: '', kind: 'article' }]);
      setIdempotencyKey(newKey());
      void queryClient.invalidateQueries({ queryKey: ['reports'] });
      void queryClient.invalidateQueries({ queryKey: ['tasks'] });
    },
  });

  function send(event: FormEvent) {
    event.preventDefault();
    const found = checkDraft({ periodKey, figures, narrative, links });
    setProblems(found);
    if (!hasProblems(found)) submit.mutate();
  }

  const setFigure = (index: number, change: Partial<FigureDraft>) =>
    setFigures((rows) => rows.map((row, at) => (at === index ? { ...row, ...change } : row)));
  const setLink = (index: number, change: Partial<LinkDraft>) =>
    setLinks((rows) => rows.map((row, at) => (at === index ? { ...row, ...change } : row)));

  return (
    <Card withBorder>
      <form onSubmit={send} noValidate>
        <Stack>
          <Select label={t('reportForm.period')} value={periodKey} onChange={(value) => value && setPeriodKey(value)} allowDeselect={false}
            data={periods.map((period) => ({
              value: period.key,
              label: period.deadline ? `${periodLabel(t, period.key)} (${formatDate(period.deadline)})` : periodLabel(t, period.key),
            }))} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
            <Title order={2} size="h5" component="legend" mb="xs">{t('reportForm.figures')}</Title>
            <Stack gap="xs">
              {figures.map((figure, index) => (
                <Group key={index} align="flex-end" gap="xs" wrap="wrap">
                  <Select label={t('report.channel')} value={figure.channel} allowDeselect={false} w={170}
                    onChange={(value) => value && setFigure(index, { channel: value as Channel })}
                    data={channels.map((channel) => ({ value: channel, label: label(t, 'channel', channel) }))} />
                  <Select label={t('report.metric')} value={figure.metric} allowDeselect={false} w={190}
                    onChange={(value) => value && setFigure(index, { metric: value as Metric })}
                    data={metrics.map((metric) => ({ value: metric, label: label(t, 'metric', metric) }))} />
                  {topics.length > 0 && (
                    <Select label={t('report.topic')} value={figure.topic} w={190}
                      onChange={(value) => setFigure(index, { topic: (value ?? '') as Topic | '' })}
                      data={[{ value: '', label: t('reportForm.anyTopic') }, ...topics.map((topic) => ({ value: topic, label: label(t, 'topic', topic) }))]} />
                  )}
                  <NumberInput label={t('report.count')} value={figure.count} min={0} allowDecimal={false} allowNegative={false} w={110}
                    onChange={(value) => setFigure(index, { count: String(value) })}
                    error={problems?.figures[index] ? t(problems.figures[index]) : undefined} />
                  <ActionIcon variant="subtle" color="red.8" size="lg" aria-label={t('reportForm.removeFigure', { index: index + 1 })}
                    onClick={() => setFigures((rows) => rows.filter((_, at) => at !== index))}>×</ActionIcon>
                </Group>
              ))}
              <Group>
                <Button variant="light" size="xs" onClick={() => setFigures((rows) => [...rows, { channel: channels[0]!, metric: metrics[0]!, topic: '', count: '' }])}>
                  {t('reportForm.addFigure')}
                </Button>
              </Group>
            </Stack>
          </fieldset>
          <Textarea label={t('reportForm.narrative')} description={t('reportForm.narrativeHint')} autosize minRows={3}
            value={narrative} onChange={(event) => setNarrative(event.currentTarget.value)} />
          <fieldset style={{ border: 0, padding: 0, margin: 0 }}>
            <Title order={2} size="h5" component="legend" mb="xs">{t('reportForm.links')}</Title>
            <Stack gap="xs">
              {links.map((link, index) => (
                <Group key={index} align="flex-end" gap="xs" wrap="wrap">
                  <TextInput label={t('reportForm.linkUrl', { index: index + 1 })} type="url" inputMode="url" placeholder="https://"
                    value={link.url} onChange={(event) => setLink(index, { url: event.currentTarget.value })} style={{ flex: '1 1 240px' }}
                    error={problems?.links[index] ? t(problems.links[index]) : undefined} />
                  <Select label={t('reportForm.linkKind')} value={link.kind} allowDeselect={false} w={140}
                    onChange={(value) => value && setLink(index, { kind: value as LinkKind })}
                    data={LINK_KINDS.map((kind) => ({ value: kind, label: label(t, 'evidence', kind) }))} />
                  <ActionIcon variant="subtle" color="red.8" size="lg" aria-label={t('reportForm.removeLink', { index: index + 1 })}
                    onClick={() => setLinks((rows) => rows.filter((_, at) => at !== index))}>×</ActionIcon>
                </Group>
              ))}
              <Group>
                <Button variant="light" size="xs" onClick={() => setLinks((rows) => [...rows, { url: '', kind: 'article' }])}>{t('reportForm.addLink')}</Button>
              </Group>
            </Stack>
          </fieldset>
          {problems?.empty && <Text c="red.8" size="sm" role="alert">{t('reportForm.empty')}</Text>}
          {submit.isError && <ErrorAlert error={submit.error} />}
          {submit.isSuccess && <Alert color="green" role="status">{t('reportForm.sent', { period: periodLabel(t, submit.data.period_key) })}</Alert>}
          <Group><Button type="submit" loading={submit.isPending}>{t('reportForm.submit')}</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}
