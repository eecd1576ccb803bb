import { Anchor, Stack } from '@mantine/core';
import { Link } from 'react-router';
import { useUnits } from '../../api/queries';
import { useCurrentUser } from '../../auth/useSession';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';
import { TaskReports } from '../plans/TaskReports';
import { useRoutedTask } from '../plans/useRoutedTask';
import { ReportForm } from './ReportForm';

/** Report progress on one task for the caller's unit, and see what was sent before. */
export default function ReportPage() {
  const { planId, taskId, plan, task } = useRoutedTask();
  const { t } = useI18n();
  const user = useCurrentUser();
  const units = useUnits();
  if (!task.isSuccess) return <QueryState query={task} />;
  const detail = task.data;
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
      <TaskReports planId={planId} taskId={taskId} heading="reportForm.previous" reversed />
    </Stack>
  );
}
