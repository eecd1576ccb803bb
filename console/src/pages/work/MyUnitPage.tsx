import { Anchor, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { usePlanTasks, useProgress, useUnits } from '../../api/queries';
import type { PlanSummary, TaskDetail } from '../../api/types';
import { useCan, useCurrentUser } from '../../auth/useSession';
import { daysBetween, formatDate } from '../../i18n/format';
import { periodLabel } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { StatusBadge } from '../../ui/StatusBadge';
import { TONE } from '../../app/theme';
import { nextPeriod, reportingPeriods } from './periods';

function Countdown({ deadline, today }: { deadline: string; today: string }) {
  const { t } = useI18n();
  const days = daysBetween(today, deadline);
  if (days < 0) return <Badge color={TONE.bad} variant="filled" style={{ textTransform: 'none' }}>{t('myUnit.daysLate', { days: -days })}</Badge>;
  if (days === 0) return <Badge color={TONE.late} variant="filled" style={{ textTransform: 'none' }}>{t('myUnit.dueToday')}</Badge>;
  return <Badge color={days <= 7 ? TONE.late : 'gray.7'} variant={days <= 7 ? 'filled' : 'light'} style={{ textTransform: 'none' }}>{t('myUnit.daysLeft', { days })}</Badge>;
}

function TaskCard({ task, today }: { task: TaskDetail; today: string }) {
  const { t } = useI18n();
  const can = useCan();
  const units = useUnits();
  const next = nextPeriod(reportingPeriods(task.recurrence, task.due_date), task.period_completions);
  const reportPath = `/my-unit/${encodeURIComponent(task.plan_id)}/${encodeURIComponent(task.task_id)}`;
  return (
    <Card withBorder component="article" aria-label={task.title} data-testid="unit-task">
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text fw={600} size="sm">{task.title}</Text>
          <StatusBadge kind="task.status" value={task.status} />
        </Group>
        <Text size="xs" c="dimmed">{units.name(task.lead_unit_id)}</Text>
        {next && next.deadline ? (
          <Group gap="xs" wrap="wrap">
            <Text size="sm">{t('myUnit.nextPeriod', { period: periodLabel(t, next.key), date: formatDate(next.deadline) })}</Text>
            {today && <Countdown deadline={next.deadline} today={today} />}
          </Group>
        ) : (
          <Text size="sm" c={TONE.good}>{t('myUnit.allReported')}</Text>
        )}
        <Group gap="sm">
          {can('reports:write') && task.status !== 'cancelled' && (
            <Button component={Link} to={reportPath} size="sm">{t('myUnit.report')}</Button>
          )}
          <Anchor component={Link} to={`/plans/${encodeURIComponent(task.plan_id)}/tasks/${encodeURIComponent(task.task_id)}`} size="sm">
            {t('myUnit.taskDetails')}
          </Anchor>
        </Group>
      </Stack>
    </Card>
  );
}

function PlanTasks({ plan }: { plan: PlanSummary }) {
  const { t } = useI18n();
  const tasks = usePlanTasks(plan.id);
  // The platform's own "today" (the plans service's clock), not the computer's.
  const progress = useProgress(plan.id);
  const today = progress.data?.as_of.slice(0, 10) ?? '';
  if (!tasks.isSuccess) return <QueryState query={tasks} />;
  const mine = (tasks.data ?? []).filter((task) => task.status !== 'cancelled');
  if (!mine.length) return null;
  return (
    <section aria-labelledby={`plan-${plan.id}`}>
      <Title order={2} size="h4" id={`plan-${plan.id}`} mb="xs">{t('myUnit.tasksOf', { number: plan.number })}</Title>
      <Stack gap="sm">{mine.map((task) => <TaskCard key={task.task_id} task={task} today={today} />)}</Stack>
    </section>
  );
}

/** The unit's tasks in the plans under way, the next deadline of each, and a report button. */
export default function MyUnitPage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const units = useUnits();
  const plans = useQuery({
    queryKey: ['plans', 'issued'],
    queryFn: () => unwrap(api.GET('/api/v1/plans', { params: { query: { status: 'issued', limit: 200 } } })),
  });
  return (
    <Stack>
      <PageHeader
        title={t('myUnit.title')}
        subtitle={t('myUnit.subtitle', { unit: units.name(user.unit_id) || user.unit_id || '' })}
        actions={<Anchor component={Link} to="/my-unit/coverage" size="sm">{t('myUnit.coverageLink')}</Anchor>}
      />
      <QueryState query={plans} />
      {plans.isSuccess && plans.data.items.length === 0 && <Text>{t('myUnit.noTasks')}</Text>}
      {(plans.data?.items ?? []).map((plan) => <PlanTasks key={plan.id} plan={plan} />)}
    </Stack>
  );
}
