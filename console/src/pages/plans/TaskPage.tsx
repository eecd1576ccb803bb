import { Anchor, Button, Card, Group, List, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useCan } from '../../auth/useSession';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { StatusBadge } from '../../ui/StatusBadge';
import { TaskFacts } from './TaskFacts';
import { TaskReports } from './TaskReports';
import { useRoutedTask } from './useRoutedTask';

interface EvidenceEntry {
  url?: string;
  title?: string;
  item_id?: string;
}

export default function TaskPage() {
  const { planId, taskId, plan, task } = useRoutedTask();
  const { t } = useI18n();
  const can = useCan();
  if (!task.isSuccess) return <QueryState query={task} />;
  const detail = task.data;
  const evidence = (detail.evidence ?? []) as EvidenceEntry[];
  return (
    <Stack>
      <PageHeader
        title={detail.title}
        subtitle={
          <Group gap="xs" component="span">
            <Anchor component={Link} to={`/plans/${encodeURIComponent(planId)}`}>{plan.data?.number}</Anchor>
            <StatusBadge kind="task.status" value={detail.status} />
            {detail.bucket && <StatusBadge kind="bucket" value={detail.bucket} />}
          </Group>
        }
        actions={can('reports:write') && (
          <Button component={Link} to={`/my-unit/${encodeURIComponent(planId)}/${encodeURIComponent(taskId)}`}>{t('task.reportProgress')}</Button>
        )}
      />
      <Card withBorder>
        {detail.description && <Text size="sm" mb="sm">{detail.description}</Text>}
        <TaskFacts task={detail} />
      </Card>
      {evidence.length > 0 && (
        <Card withBorder component="section" aria-label={t('task.evidence')}>
          <Title order={2} size="h4" mb="xs">{t('task.evidence')}</Title>
          <List size="sm">
            {evidence.slice(0, 50).map((entry, index) => (
              <List.Item key={entry.item_id ?? index}>
                {entry.url ? <Anchor href={entry.url} target="_blank" rel="noopener noreferrer">{entry.title || entry.url}</Anchor> : entry.title ?? entry.item_id}
              </List.Item>
            ))}
          </List>
        </Card>
      )}
      <TaskReports planId={planId} taskId={taskId} heading="task.reports" />
    </Stack>
  );
}
