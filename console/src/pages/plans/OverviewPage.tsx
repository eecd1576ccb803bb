import { Button, Card, Group, Progress, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';
import { useCursorList } from '../../api/pagination';
import type { PlanListItem } from '../../api/types';
import { useCan } from '../../auth/useSession';
import { formatNumber } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { StatusBadge } from '../../ui/StatusBadge';
import { TONE } from '../../app/theme';
import { BucketBar } from './BucketBar';
import { fetchOverviewPage, OVERVIEW_KEY } from './overviewData';

function PlanCard({ plan }: { plan: PlanListItem }) {
  const { t, language } = useI18n();
  const summary = plan.progress?.summary;
  const pending = plan.progress?.reports_pending_review ?? 0;
  const percent = summary ? formatNumber(summary.percent_complete, language) : '0';
  return (
    <Card withBorder padding="md" radius="md" component="article" aria-labelledby={`plan-${plan.id}`}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h4" id={`plan-${plan.id}`}>{plan.number}</Title>
          <StatusBadge kind="plan.status" value={plan.status} />
        </Group>
        <Text size="sm" lineClamp={3}>{plan.title}</Text>
        <Text size="xs" c="dimmed">{t('overview.year', { year: plan.year })}</Text>
        {summary && (
          <>
            <Group justify="space-between">
              <Text size="sm" fw={600}>{t('dashboard.percentComplete')}: {percent}%</Text>
              <Text size="xs" c="dimmed">{t('overview.tasks', { count: summary.total })}</Text>
            </Group>
            <Progress value={summary.percent_complete} aria-label={t('overview.progressLabel', { number: plan.number, value: percent })} />
            <BucketBar counts={summary} label={t('dashboard.progress')} />
            {pending > 0 && (
              <Text size="sm" c={TONE.late} fw={600}>{t('overview.pendingReviews', { count: pending })}</Text>
            )}
          </>
        )}
        <Group>
          <Button component={Link} to={`/plans/${encodeURIComponent(plan.id)}`} variant="light" size="sm"
            aria-label={`${t('overview.open')} ${plan.number}`}>
            {t('overview.open')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

export default function OverviewPage() {
  const { t } = useI18n();
  const can = useCan();
  const plans = useCursorList(OVERVIEW_KEY, fetchOverviewPage);
  return (
    <Stack>
      <PageHeader
        title={t('overview.title')}
        subtitle={t('overview.subtitle')}
        actions={can('plans:write') && <Button component={Link} to="/plans/import">{t('overview.import')}</Button>}
      />
      <QueryState query={plans} />
      {plans.isSuccess && plans.items.length === 0 && <Text>{t('overview.noPlans')}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }} data-testid="plan-cards">
        {plans.items.map((plan) => <PlanCard key={plan.id} plan={plan} />)}
      </SimpleGrid>
      {plans.hasNextPage && (
        <Group justify="center">
          <Button variant="subtle" loading={plans.isFetchingNextPage} onClick={() => void plans.fetchNextPage()}>
            {t('common.loadMore')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
