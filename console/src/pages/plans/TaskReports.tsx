import { Stack, Text, Title } from '@mantine/core';
import { useTaskReports, useUnits } from '../../api/queries';
import { useI18n } from '../../i18n/I18nProvider';
import type { MessageKey } from '../../i18n/catalogue';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { ReportCard } from './ReportCard';

/** The reports sent on a task, under a heading, in the API's order or (`reversed`) the other way round. */
export function TaskReports({ planId, taskId, heading, reversed = false }: { planId: string; taskId: string; heading: MessageKey; reversed?: boolean }) {
  const { t } = useI18n();
  const reports = useTaskReports(planId, taskId);
  const units = useUnits();
  const items = reports.data?.items ?? [];
  return (
    <section aria-label={t(heading)}>
      <Title order={2} size="h4" mb="xs">{t(heading)}</Title>
      {reports.isError && <ErrorAlert error={reports.error} onRetry={() => void reports.refetch()} />}
      {reports.isSuccess && reports.data.items.length === 0 && <Text size="sm">{t('task.noReports')}</Text>}
      <Stack>
        {(reversed ? [...items].reverse() : items).map((report) => (
          <ReportCard key={report.id} report={report} unitName={units.name(report.unit_id)} />
        ))}
      </Stack>
    </section>
  );
}
