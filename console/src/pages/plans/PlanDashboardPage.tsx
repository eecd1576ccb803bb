import { Anchor, Card, Group, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { usePlan, usePlanTasks, useProgress, useUnits } from '../../api/queries';
import { useCan } from '../../auth/useSession';
import { formatDate, formatNumber } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { heatMatrix, monthlySeries } from '../../ui/heat';
import { HeatTable } from '../../ui/HeatTable';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { StatusBadge } from '../../ui/StatusBadge';
import { TONE } from '../../app/theme';
import { BucketBar } from './BucketBar';
import { PlanActions } from './PlanActions';
import { TaskGroupProgress, UnitProgressTable } from './ProgressTables';

const ItemsAlertsChart = lazy(() => import('./ItemsAlertsChart'));

function Section({ title, children, hint }: { title: string; children: ReactNode; hint?: string }) {
  return (
    <Card withBorder component="section" aria-label={title}>
      <Title order={2} size="h4" mb={hint ? 2 : 'sm'}>{title}</Title>
      {hint && <Text size="xs" c="dimmed" mb="sm">{hint}</Text>}
      {children}
    </Card>
  );
}

function Stat({ label: name, value, tone }: { label: string; value: string | number; tone?: string }) {
  return (
    <Card withBorder padding="sm">
      <Text size="xs" c="dimmed">{name}</Text>
      <Text size="xl" fw={700} c={tone}>{value}</Text>
    </Card>
  );
}

function Coverage({ year }: { year: number }) {
  const { t } = useI18n();
  const can = useCan();
  const units = useUnits();
  const range = { date_from: `${year}-01-01`, date_to: `${year}-12-31` };
  const coverage = useQuery({
    queryKey: ['coverage', 'month', year],
    queryFn: () => unwrap(api.GET('/api/v1/coverage', { params: { query: { period: 'month', ...range } } })),
    enabled: can('coverage:read'),
  });
  const alerts = useQuery({
    queryKey: ['alerts', 'recent'],
    queryFn: () => unwrap(api.GET('/api/v1/alerts', { params: { query: { limit: 200 } } })),
    enabled: can('alerts:read'),
  });
  if (!can('coverage:read')) return null;
  const rows = coverage.data?.rows ?? [];
  const matrix = heatMatrix(rows, (row) => row.outlet_unit_id, (row) => row.topic, (row) => row.items);
  const series = monthlySeries(year, rows, (alerts.data?.items ?? []).map((alert) => alert.raised_at));
  return (
    <>
      <Section title={t('dashboard.coverage')} hint={t('dashboard.coverageHint', { year })}>
        <QueryState query={coverage} />
        {coverage.isSuccess && !rows.length && <Text size="sm">{t('dashboard.noCoverage')}</Text>}
        {rows.length > 0 && (
          <HeatTable matrix={matrix} caption={t('dashboard.coverage')} cornerLabel={t('dashboard.outlet')}
            rowLabel={(id) => units.name(id)} columnLabel={(topic) => label(t, 'topic', topic)} />
        )}
      </Section>
      <Section title={t('dashboard.overTime')}>
        <Suspense fallback={<Loading />}>
          <ItemsAlertsChart data={series} />
        </Suspense>
      </Section>
    </>
  );
}

export default function PlanDashboardPage() {
  const { planId = '' } = useParams();
  const { t, language } = useI18n();
  const can = useCan();
  const plan = usePlan(planId);
  const progress = useProgress(planId);
  const tasks = usePlanTasks(planId);
  const units = useUnits();
  if (!plan.isSuccess) return <QueryState query={plan} />;
  const detail = plan.data!;
  const summary = progress.data?.summary;
  const base = `/plans/${encodeURIComponent(planId)}`;
  return (
    <Stack>
      <PageHeader
        title={`${detail.number}: ${detail.title}`}
        subtitle={
          <Group gap="xs" component="span">
            <StatusBadge kind="plan.status" value={detail.status} />
            {detail.issued_on && <span>{t('dashboard.issuedOn', { date: formatDate(detail.issued_on) })}</span>}
            <span>· {t('dashboard.revision', { revision: detail.revision })}</span>
          </Group>
        }
        actions={<PlanActions plan={detail} />}
      />
      <Group gap="md">
        <Anchor component={Link} to={`${base}/tasks`}>{t('dashboard.tasksLink')}</Anchor>
        {can('reports:review') && <Anchor component={Link} to={`/reviews?plan=${encodeURIComponent(planId)}`}>{t('dashboard.reviewLink')}</Anchor>}
        {can('audit:read') && <Anchor component={Link} to={`${base}/audit`}>{t('dashboard.auditLink')}</Anchor>}
      </Group>
      {progress.isError && <ErrorAlert error={progress.error} onRetry={() => void progress.refetch()} />}
      {summary && (
        <>
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
            <Stat label={t('dashboard.percentComplete')} value={`${formatNumber(summary.percent_complete, language)}%`} />
            <Stat label={t('bucket.completed_on_time')} value={summary.completed_on_time} tone={TONE.good} />
            <Stat label={t('bucket.completed_late')} value={summary.completed_late} tone={TONE.late} />
            <Stat label={t('bucket.not_completed_within_deadline')} value={summary.not_completed_within_deadline} tone={TONE.due} />
            <Stat label={t('bucket.overdue')} value={summary.overdue} tone={TONE.bad} />
            <Stat label={t('dashboard.pendingReviews')} value={progress.data!.reports_pending_review} />
          </SimpleGrid>
          <Section title={t('dashboard.progress')} hint={t('dashboard.asOf', { date: formatDate(progress.data!.as_of) })}>
            <BucketBar counts={summary} label={t('dashboard.progress')} />
          </Section>
          <Section title={t('dashboard.byUnit')}>
            <UnitProgressTable progress={progress.data!} unitName={units.name} />
          </Section>
          <Section title={t('dashboard.byGroup')}>
            <TaskGroupProgress progress={progress.data!} tasks={tasks.data ?? []} />
          </Section>
        </>
      )}
      <Coverage year={detail.year} />
    </Stack>
  );
}
