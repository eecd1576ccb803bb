import { Progress, Stack, Table, Text } from '@mantine/core';
import type { ProgressSummary, TaskDetail } from '../../api/types';
import { formatNumber } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { StatusBadge } from '../../ui/StatusBadge';
import { keyboardScrollable } from '../../ui/keyboardScroll';

/** Progress per unit: the official buckets and KPIs, one row per unit (scrolls on a phone). */
export function UnitProgressTable({ progress, unitName }: { progress: ProgressSummary; unitName: (id: string) => string }) {
  const { t, language } = useI18n();
  return (
    <Table.ScrollContainer scrollAreaProps={keyboardScrollable} minWidth={720}>
      <Table striped highlightOnHover aria-label={t('dashboard.byUnit')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('dashboard.unit')}</Table.Th>
            <Table.Th ta="right">{t('dashboard.total')}</Table.Th>
            <Table.Th ta="right">{t('bucket.completed_on_time')}</Table.Th>
            <Table.Th ta="right">{t('bucket.completed_late')}</Table.Th>
            <Table.Th ta="right">{t('bucket.not_completed_within_deadline')}</Table.Th>
            <Table.Th ta="right">{t('bucket.overdue')}</Table.Th>
            <Table.Th>{t('dashboard.percentComplete')}</Table.Th>
            <Table.Th ta="right">{t('dashboard.kpis')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {progress.units.map((unit) => (
            <Table.Tr key={unit.unit_id}>
              <Table.Td>{unit.unit_name || unitName(unit.unit_id)}</Table.Td>
              <Table.Td ta="right">{unit.summary.total}</Table.Td>
              <Table.Td ta="right">{unit.summary.completed_on_time}</Table.Td>
              <Table.Td ta="right">{unit.summary.completed_late}</Table.Td>
              <Table.Td ta="right">{unit.summary.not_completed_within_deadline}</Table.Td>
              <Table.Td ta="right" c={unit.summary.overdue ? 'red.9' : undefined} fw={unit.summary.overdue ? 700 : undefined}>{unit.summary.overdue}</Table.Td>
              <Table.Td miw={120}>
                <Text size="xs">{formatNumber(unit.summary.percent_complete, language)}%</Text>
                <Progress value={unit.summary.percent_complete} size="sm" aria-hidden="true" />
              </Table.Td>
              <Table.Td ta="right">{unit.kpis_met}/{unit.kpis_total}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** Progress per top-level task (a task group and its subtasks per unit). */
export function TaskGroupProgress({ progress, tasks }: { progress: ProgressSummary; tasks: TaskDetail[] }) {
  const { t, language } = useI18n();
  const titles = new Map(tasks.map((task) => [task.task_id, task.title]));
  return (
    <Stack gap="sm">
      {progress.tasks.map((group) => (
        <div key={group.task_id}>
          <Text size="sm" fw={500}>{titles.get(group.task_id) ?? group.task_id}</Text>
          <Progress value={group.percent_complete} size="md" aria-label={`${titles.get(group.task_id) ?? group.task_id}: ${formatNumber(group.percent_complete, language)}%`} />
          <Text size="xs" c="dimmed" component="div">
            {formatNumber(group.percent_complete, language)}% · <StatusBadge kind="bucket" value={group.bucket} />
            {group.children && group.children.length > 0 && ` · ${t('dashboard.subtasks', { count: group.children.length })}`}
          </Text>
        </div>
      ))}
    </Stack>
  );
}
