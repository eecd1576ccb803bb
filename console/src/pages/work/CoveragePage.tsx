import { Button, Card, Group, Select, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, download, unwrap } from '../../api/client';
import { useCurrentUser } from '../../auth/useSession';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { heatMatrix } from '../../ui/heat';
import { HeatTable } from '../../ui/HeatTable';
import { PageHeader } from '../../ui/PageHeader';
import { QueryState } from '../../ui/QueryState';

const FIRST_YEAR = 2021;

/** The unit's items per topic and month (the gateway holds the list to the caller's unit). */
export default function CoveragePage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const thisYear = new Date().getFullYear();
  // The year of the newest plan under way, until the person picks another.
  const plans = useQuery({
    queryKey: ['plans', 'issued'],
    queryFn: () => unwrap(api.GET('/api/v1/plans', { params: { query: { status: 'issued', limit: 200 } } })),
  });
  const planYear = Math.max(FIRST_YEAR, ...(plans.data?.items ?? []).map((plan) => plan.year));
  const [picked, setYear] = useState<string | null>(null);
  const year = picked ?? String(plans.isSuccess ? planYear : thisYear);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const range = { date_from: `${year}-01-01`, date_to: `${year}-12-31` };
  const coverage = useQuery({
    queryKey: ['coverage', 'unit', user.unit_id, year],
    queryFn: () => unwrap(api.GET('/api/v1/coverage', { params: { query: { period: 'month', outlet_unit_id: user.unit_id ?? undefined, ...range } } })),
  });
  const rows = coverage.data?.rows ?? [];
  const matrix = heatMatrix(rows, (row) => row.topic, (row) => row.period_key, (row) => row.items);
  const years = Array.from({ length: Math.max(1, Math.max(thisYear, planYear) - FIRST_YEAR + 1) }, (_, index) => String(FIRST_YEAR + index));
  const csv = `/api/v1/coverage/export?format=csv&period=month&date_from=${range.date_from}&date_to=${range.date_to}`;
  return (
    <Stack>
      <PageHeader
        title={t('coverage.title')}
        subtitle={t('coverage.subtitle', { year })}
        actions={<Button variant="default" onClick={() => download(csv, `do-phu-${year}.csv`).catch(setDownloadError)}>{t('coverage.csv')}</Button>}
      />
      <Group><Select label={t('coverage.year')} data={years} value={year} onChange={(value) => value && setYear(value)} allowDeselect={false} w={140} /></Group>
      {downloadError !== null && <ErrorAlert error={downloadError} />}
      <QueryState query={coverage} />
      <Card withBorder>
        {coverage.isSuccess && rows.length === 0 && <Text size="sm">{t('coverage.empty')}</Text>}
        {rows.length > 0 && (
          <HeatTable matrix={matrix} caption={t('coverage.title')} cornerLabel={t('coverage.topic')}
            rowLabel={(topic) => label(t, 'topic', topic)} columnLabel={(month) => `${month.slice(5)}/${month.slice(0, 4)}`} />
        )}
      </Card>
    </Stack>
  );
}
