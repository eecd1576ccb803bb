import { Alert, Button, Group, Menu, Modal, Stack, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, download, unwrap } from '../../api/client';
import { hasPath } from '../../api/paths';
import type { PlanDetail } from '../../api/types';
import { useCan } from '../../auth/useSession';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';

type Dialog = 'issue' | 'amend' | 'close' | null;
const VIEWS = ['units', 'tasks', 'kpis'] as const;
// The upward report is offered once the gateway this console was built against serves it.
const UPWARD_REPORT = '/api/v1/plans/{plan_id}/report';

/** Issue, amend, close and export a plan: each shown only to a role that may use it. */
export function PlanActions({ plan }: { plan: PlanDetail }) {
  const { t, language } = useI18n();
  const can = useCan();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [reason, setReason] = useState('');
  const [title, setTitle] = useState(plan.title);
  const [missingReason, setMissingReason] = useState(false);
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const path = { plan_id: plan.id };
  const command = useMutation({
    mutationFn: async (kind: Exclude<Dialog, null>) => {
      if (kind === 'issue') return unwrap(api.POST('/api/v1/plans/{plan_id}/issue', { params: { path }, body: {} }));
      if (kind === 'close') return unwrap(api.POST('/api/v1/plans/{plan_id}/close', { params: { path }, body: {} }));
      return unwrap(api.POST('/api/v1/plans/{plan_id}/amend', { params: { path }, body: { reason, changes: { title } } }));
    },
    onSuccess: () => {
      setDialog(null);
      void queryClient.invalidateQueries({ queryKey: ['plans'] });
      void queryClient.invalidateQueries({ queryKey: ['progress'] });
    },
  });

  function confirm() {
    if (dialog === 'amend' && !reason.trim()) {
      setMissingReason(true);
      return;
    }
    if (dialog) command.mutate(dialog);
  }

  function save(url: string, filename: string) {
    setDownloadError(null);
    download(url, filename).catch(setDownloadError);
  }

  const writable = can('plans:write');
  const safeNumber = plan.number.replace(/[^A-Za-z0-9-]+/g, '-');
  const titles: Record<Exclude<Dialog, null>, MessageKey> = {
    issue: 'planActions.issue', amend: 'planActions.amend', close: 'planActions.close',
  };
  return (
    <>
      <Group gap="xs" wrap="wrap">
        {writable && plan.status === 'draft' && <Button onClick={() => setDialog('issue')}>{t('planActions.issue')}</Button>}
        {writable && plan.status === 'issued' && (
          <>
            <Button variant="default" onClick={() => setDialog('amend')}>{t('planActions.amend')}</Button>
            <Button variant="default" onClick={() => setDialog('close')}>{t('planActions.close')}</Button>
          </>
        )}
        <Menu position="bottom-end">
          <Menu.Target>
            <Button variant="default">{t('planActions.export')}</Button>
          </Menu.Target>
          <Menu.Dropdown>
            {VIEWS.flatMap((view) =>
              (['xlsx', 'csv'] as const).map((format) => (
                <Menu.Item key={`${view}-${format}`}
                  onClick={() => save(`/api/v1/plans/${encodeURIComponent(plan.id)}/export?format=${format}&view=${view}&language=${language}`, `${safeNumber}-${view}.${format}`)}>
                  {t(`planActions.exportView.${view}`)} ({format.toUpperCase()})
                </Menu.Item>
              )),
            )}
            {hasPath(UPWARD_REPORT) && can('plans:read') &&
              (['docx', 'pdf'] as const).map((format) => (
                <Menu.Item key={format}
                  onClick={() => save(`/api/v1/plans/${encodeURIComponent(plan.id)}/report?format=${format}`, `${safeNumber}-bao-cao.${format}`)}>
                  {t('planActions.upwardReport')} ({format.toUpperCase()})
                </Menu.Item>
              ))}
          </Menu.Dropdown>
        </Menu>
      </Group>
      {downloadError !== null && <ErrorAlert error={downloadError} />}
      {command.isSuccess && <Alert color="green" role="status" mt="xs">{t('planActions.done')}</Alert>}
      <Modal closeButtonProps={{ 'aria-label': t('common.close') }} opened={dialog !== null} onClose={() => setDialog(null)} title={dialog ? t(titles[dialog]) : ''}>
        <Stack>
          {command.isError && <ErrorAlert error={command.error} />}
          {dialog === 'issue' && <Text>{t('planActions.issueConfirm', { number: plan.number })}</Text>}
          {dialog === 'close' && <Text>{t('planActions.closeConfirm', { number: plan.number })}</Text>}
          {dialog === 'amend' && (
            <>
              <TextInput label={t('planActions.amendTitle')} value={title} onChange={(event) => setTitle(event.currentTarget.value)} />
              <Textarea label={t('planActions.reason')} value={reason} autosize minRows={2}
                onChange={(event) => setReason(event.currentTarget.value)}
                error={missingReason ? t('planActions.reasonRequired') : undefined} required />
            </>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setDialog(null)}>{t('common.cancel')}</Button>
            <Button onClick={confirm} loading={command.isPending}>{t('planActions.confirm')}</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}
