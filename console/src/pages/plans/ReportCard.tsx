import { Alert, Anchor, Button, Card, Group, List, Modal, Stack, Table, Text, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { ReportDetail } from '../../api/types';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label, periodLabel } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { StatusBadge } from '../../ui/StatusBadge';
import { TONE } from '../../app/theme';
import { keyboardScrollable } from '../../ui/keyboardScroll';

interface Props {
  report: ReportDetail;
  unitName: string;
  taskTitle?: string;
  /** Told after a review, so a list that drops reviewed reports can still say what happened. */
  onReviewed?: (decision: 'accepted' | 'returned', heading: string) => void;
}

/** One progress report: what the unit sent, and for reviewers, accept or return it. */
export function ReportCard({ report, unitName, taskTitle, onReviewed }: Props) {
  const { t } = useI18n();
  const can = useCan();
  const queryClient = useQueryClient();
  const [returning, setReturning] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const heading = `${unitName} · ${periodLabel(t, report.period_key)}`;
  const review = useMutation({
    mutationFn: (decision: 'accepted' | 'returned') =>
      unwrap(api.POST('/api/v1/reports/{report_id}/review', {
        params: { path: { report_id: report.id } },
        body: decision === 'returned' ? { decision, reason } : { decision },
      })),
    onSuccess: (_, decision) => {
      setReturning(false);
      onReviewed?.(decision, heading);
      void queryClient.invalidateQueries({ queryKey: ['reports'] });
      void queryClient.invalidateQueries({ queryKey: ['progress'] });
    },
  });
  const reviewable = report.status === 'submitted' && can('reports:review') && !review.isSuccess;

  function sendReturn() {
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    review.mutate('returned');
  }

  return (
    <Card withBorder component="article" aria-label={heading} data-testid="report-card">
      <Stack gap="xs">
        <Group justify="space-between" wrap="wrap" gap="xs">
          <div>
            <Text fw={600}>{heading}</Text>
            {taskTitle && <Text size="sm">{taskTitle}</Text>}
            <Text size="xs" c="dimmed">
              {t('report.submittedAt', { date: formatDateTime(report.submitted_at) })} · {t('report.version', { version: report.version })}
            </Text>
          </div>
          <StatusBadge kind="report.status" value={review.data?.status ?? report.status} />
        </Group>
        {report.counts.length > 0 && (
          <Table.ScrollContainer scrollAreaProps={keyboardScrollable} minWidth={360}>
            <Table fz="sm" aria-label={t('report.counts')}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t('report.channel')}</Table.Th>
                  <Table.Th>{t('report.metric')}</Table.Th>
                  <Table.Th>{t('report.topic')}</Table.Th>
                  <Table.Th ta="right">{t('report.count')}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {report.counts.map((count, index) => (
                  <Table.Tr key={index}>
                    <Table.Td>{label(t, 'channel', count.channel)}</Table.Td>
                    <Table.Td>{label(t, 'metric', count.metric)}</Table.Td>
                    <Table.Td>{label(t, 'topic', count.topic) || '—'}</Table.Td>
                    <Table.Td ta="right">{count.count}</Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
        {report.narrative && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{report.narrative}</Text>}
        {report.links.length > 0 && (
          <div>
            <Text size="sm" fw={500}>{t('report.links')}</Text>
            <List size="sm">
              {report.links.map((link) => (
                <List.Item key={link.url}>
                  <Anchor href={link.url} target="_blank" rel="noopener noreferrer" style={{ wordBreak: 'break-all' }}>{link.url}</Anchor>
                  {' '}({label(t, 'evidence', link.kind)})
                </List.Item>
              ))}
            </List>
          </div>
        )}
        {report.review_reason && <Alert color="red" variant="light">{t('report.reviewReason', { reason: report.review_reason })}</Alert>}
        {review.isError && <ErrorAlert error={review.error} />}
        {review.isSuccess && (
          <Alert color="green" role="status">{t(review.variables === 'accepted' ? 'report.accepted' : 'report.returned')}</Alert>
        )}
        {reviewable && (
          <Group>
            <Button color={TONE.good} onClick={() => review.mutate('accepted')} loading={review.isPending && review.variables === 'accepted'}>
              {t('report.accept')}
            </Button>
            <Button variant="default" color="red" onClick={() => setReturning(true)}>{t('report.return')}</Button>
          </Group>
        )}
      </Stack>
      <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={returning} onClose={() => setReturning(false)} title={t('report.returnTitle')}>
        <Stack>
          <Textarea label={t('report.returnReason')} value={reason} autosize minRows={3} data-autofocus
            onChange={(event) => setReason(event.currentTarget.value)}
            error={missing ? t('planActions.reasonRequired') : undefined} required />
          {review.isError && <ErrorAlert error={review.error} />}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setReturning(false)}>{t('common.cancel')}</Button>
            <Button color={TONE.bad} onClick={sendReturn} loading={review.isPending}>{t('report.returnSubmit')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}
