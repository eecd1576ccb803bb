import { Badge, Group, SimpleGrid, Text } from '@mantine/core';
import type { TaskDetail } from '../../api/types';
import { useUnits } from '../../api/queries';
import { formatDate } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';

function Fact({ name, children }: { name: string; children: React.ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">{name}</Text>
      <Text size="sm" component="div">{children || '—'}</Text>
    </div>
  );
}

/** What a task asks: units, person, result, deadline, topics, channels, KPIs (the "5 rõ"). */
export function TaskFacts({ task }: { task: TaskDetail }) {
  const { t } = useI18n();
  const units = useUnits();
  const recurrence = task.recurrence;
  const deadline = task.due_date
    ? formatDate(task.due_date)
    : recurrence
      ? recurrence.kind === 'regular'
        ? t('task.recurrence.regular')
        : t(`task.recurrence.${recurrence.kind}`, { days: recurrence.deadline_offset_days ?? 0 })
      : '';
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
      <Fact name={t('task.lead')}>{units.name(task.lead_unit_id)}</Fact>
      <Fact name={t('task.coordinating')}>{(task.coordinating_unit_ids ?? []).map((id) => units.name(id)).join(', ')}</Fact>
      <Fact name={t('task.responsible')}>{task.responsible_person}</Fact>
      <Fact name={t('task.expected')}>{task.expected_result}</Fact>
      <Fact name={t('task.deadline')}>{deadline}</Fact>
      <Fact name={t('task.topics')}>
        <Group gap={4}>{(task.topics ?? []).map((topic) => <Badge key={topic} variant="outline" color="gray.8" style={{ textTransform: 'none' }}>{label(t, 'topic', topic)}</Badge>)}</Group>
      </Fact>
      <Fact name={t('task.channels')}>{(task.channels ?? []).map((channel) => label(t, 'channel', channel)).join(', ')}</Fact>
      <Fact name={t('task.kpis')}>
        {(task.kpis ?? []).map((kpi) => (
          <div key={kpi.id}>
            {t('task.kpiTarget', { target: kpi.target, metric: label(t, 'metric', kpi.metric).toLowerCase(), period: t(`task.kpiPeriod.${kpi.period}`) })}
            {kpi.topic ? ` (${label(t, 'topic', kpi.topic)})` : ''}
          </div>
        ))}
      </Fact>
    </SimpleGrid>
  );
}
