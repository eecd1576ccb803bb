import { useCallback, useState } from 'react';
import { Anchor, Box, Group, Select, Stack, Text } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import { usePlan, useUnits } from '../../api/queries';
import type { TaskDetail } from '../../api/types';
import { formatDate } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { StatusBadge } from '../../ui/StatusBadge';
import { VirtualList } from '../../ui/VirtualList';

const STATUSES = ['open', 'in_progress', 'completed', 'cancelled'] as const;
type TaskStatus = (typeof STATUSES)[number];
/** One line of title, one of unit and due date: every row the same height, never measured. */
const TASK_ROW_HEIGHT = 64;
const taskId = (task: TaskDetail) => task.task_id;

export default function TasksPage() {
  const { planId = '' } = useParams();
  const { t } = useI18n();
  const plan = usePlan(planId);
  const units = useUnits();
  const [status, setStatus] = useState<TaskStatus | null>(null);
  const [unit, setUnit] = useState<string | null>(null);
  return (
    <Stack>
      <PageHeader title={t('tasks.title', { number: plan.data?.number ?? '' })} subtitle={plan.data?.title} />
      <Group align="flex-end" wrap="wrap">
        <Select label={t('tasks.status')} placeholder={t('common.all')} clearable value={status}
          onChange={(value) => setStatus(value as TaskStatus | null)}
          data={STATUSES.map((value) => ({ value, label: t(`task.status.${value}`) }))} />
        <Select label={t('tasks.unit')} placeholder={t('common.all')} clearable searchable value={unit} onChange={setUnit}
          data={(units.data ?? []).map((item) => ({ value: item.id, label: item.name }))} />
      </Group>
      <TaskList planId={planId} status={status} unit={unit} unitName={units.name} />
    </Stack>
  );
}

/** The list on its own: a page arriving redraws this and the new rows, not the filters. */
function TaskList({ planId, status, unit, unitName }: {
  planId: string; status: TaskStatus | null; unit: string | null; unitName: (id: string | null | undefined) => string;
}) {
  const { t } = useI18n();
  const tasks = useCursorList(['tasks', planId, 'list', status, unit], (cursor) =>
    unwrap(api.GET('/api/v1/plans/{plan_id}/tasks', {
      params: { path: { plan_id: planId }, query: { cursor, limit: PAGE_SIZE, status: status ?? undefined, unit_id: unit ?? undefined } },
    })),
  );
  const renderRow = useCallback((task: TaskDetail) => {
    const taskPath = `/plans/${encodeURIComponent(planId)}/tasks/${encodeURIComponent(task.task_id)}`;
    return (
      <Box p="xs" h={TASK_ROW_HEIGHT} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div style={{ minWidth: 0 }}>
            <Anchor component={Link} to={taskPath} fw={500} size="sm" display="block" truncate="end" title={task.title}>
              {task.title}
            </Anchor>
            <Text size="xs" c="dimmed" truncate="end">
              {unitName(task.lead_unit_id)}
              {task.due_date ? ` · ${t('tasks.due', { date: formatDate(task.due_date) })}` : task.recurrence ? ` · ${t('tasks.recurring')}` : ''}
            </Text>
          </div>
          <Group gap={4} wrap="nowrap">
            <StatusBadge kind="task.status" value={task.status} />
            {task.bucket && <StatusBadge kind="bucket" value={task.bucket} />}
          </Group>
        </Group>
      </Box>
    );
  }, [planId, unitName, t]);
  if (!tasks.isSuccess) return <QueryState query={tasks} />;
  return (
    <VirtualList
      items={tasks.items}
      rowKey={taskId}
      estimateSize={TASK_ROW_HEIGHT}
      fixedSize
      label={t('tasks.list')}
      hasMore={!!tasks.hasNextPage}
      loadingMore={tasks.isFetchingNextPage}
      onLoadMore={() => void tasks.fetchNextPage()}
      renderRow={renderRow}
    />
  );
}
