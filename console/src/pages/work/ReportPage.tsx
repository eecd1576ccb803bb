import { Anchor, Stack, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router';
import { usePlan, useTask, useTaskReports, useUnits } from '../../api/queries';
import { useCurrentUser } from '../../auth/useSession';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { ReportCard } from '../plans/ReportCard';
import { ReportForm } from './ReportForm';

/** Report progress on one task for the caller's unit, and see what was sent before. */
export default function ReportPage() {
  const { planId = '', taskId = '' } = useParams();
  const { t } = useI18n();
  const user = useCurrentUser();
  const plan = usePlan(planId);
  const task = useTask(planId, taskId);
  const reports = useTaskReports(planId, taskId);
  const units = useUnits();
  if (task.isLoading) return <Loading />;
  if (task.isError) return <ErrorAlert error={task.error} onRetry={() => void task.refetch()} />;
  const detail = task.data!;
  const involved = [detail.lead_unit_id, ...(detail.coordinating_unit_ids ?? [])];
  // The caller's own unit when the task names it; a local officer may report for a unit below.
  const unitId = user.unit_id && involved.includes(user.unit_id) ? user.unit_id : detail.lead_unit_id;
  return (
    <Stack maw={900}>
      <PageHeader
        title={t('myUnit.reportFor', { task: detail.title })}
        subtitle={
          <span>
            <Anchor component={Link} to="/my-unit" size="sm">{t('nav.myUnit')}</Anchor> · {plan.data?.number} · {units.name(unitId)}
          </span>
        }
      />
      <ReportForm task={detail} unitId={unitId} />
      <section aria-label={t('reportForm.previous')}>
        <Title order={2} size="h4" mb="xs">{t('reportForm.previous')}</Title>
        {reports.isError && <ErrorAlert error={reports.error} onRetry={() => void reports.refetch()} />}
        {reports.isSuccess && reports.data.items.length === 0 && <Text size="sm">{t('task.noReports')}</Text>}
        <Stack>
          {[...(reports.data?.items ?? [])].reverse().map((report) => (
            <ReportCard key={report.id} report={report} unitName={units.name(report.unit_id)} />
          ))}
        </Stack>
      </section>
    </Stack>
  );
}
