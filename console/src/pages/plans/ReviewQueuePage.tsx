import { Alert, Select, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import { usePlanTasks, useUnits } from '../../api/queries';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { VirtualList } from '../../ui/VirtualList';
import { ReportCard } from './ReportCard';

/** Submitted reports of one plan, oldest first, to accept or return with a reason. */
export default function ReviewQueuePage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const plans = useQuery({
    queryKey: ['plans', 'issued'],
    queryFn: () => unwrap(api.GET('/api/v1/plans', { params: { query: { status: 'issued', limit: 200 } } })),
  });
  const planId = params.get('plan') ?? plans.data?.items[0]?.id ?? '';
  const units = useUnits();
  const [lastReview, setLastReview] = useState<{ decision: 'accepted' | 'returned'; heading: string } | null>(null);
  const tasks = usePlanTasks(planId, !!planId);
  const titles = new Map((tasks.data ?? []).map((task) => [task.task_id, task.title]));
  const queue = useCursorList(
    ['reports', planId, 'submitted'],
    (cursor) =>
      unwrap(api.GET('/api/v1/plans/{plan_id}/reports', {
        params: { path: { plan_id: planId }, query: { status: 'submitted', cursor, limit: PAGE_SIZE } },
      })),
    !!planId,
  );
  return (
    <Stack>
      <PageHeader title={t('reviews.title')} subtitle={t('reviews.subtitle')} />
      {plans.isError && <ErrorAlert error={plans.error} onRetry={() => void plans.refetch()} />}
      <Select
        label={t('reviews.plan')}
        maw={480}
        data={(plans.data?.items ?? []).map((plan) => ({ value: plan.id, label: `${plan.number}: ${plan.title}` }))}
        value={planId || null}
        onChange={(value) => value && setParams({ plan: value })}
        allowDeselect={false}
      />
      {lastReview && (
        <Alert color="green" role="status" data-testid="review-outcome">
          {t(lastReview.decision === 'accepted' ? 'reviews.accepted' : 'reviews.returned', { report: lastReview.heading })}
        </Alert>
      )}
      <QueryState query={queue} />
      {queue.isSuccess && queue.items.length === 0 && <Text>{t('reviews.empty')}</Text>}
      {queue.items.length > 0 && (
        <VirtualList
          items={queue.items}
          rowKey={(report) => report.id}
          estimateSize={260}
          label={t('reviews.list')}
          hasMore={!!queue.hasNextPage}
          loadingMore={queue.isFetchingNextPage}
          onLoadMore={() => void queue.fetchNextPage()}
          renderRow={(report) => (
            <div style={{ paddingBottom: 12 }}>
              <ReportCard report={report} unitName={units.name(report.unit_id)} taskTitle={titles.get(report.task_id)}
                onReviewed={(decision, heading) => setLastReview({ decision, heading })} />
            </div>
          )}
        />
      )}
    </Stack>
  );
}
