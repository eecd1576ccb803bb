import { Anchor, Button, Group, Select } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { screenPath } from '../../app/screens';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge } from '../../ui/StatusBadge';
import { PRIORITY_TONE } from './labels';

type Notice = components['schemas']['NoticeView'];
type Kind = NonNullable<Notice['kind']>;
const KINDS = ['guidance', 'plan_issued', 'task_assigned', 'task_due_soon', 'task_overdue', 'alert'] as const;

/** The notices sent, newest first, with how many recipient units acknowledged each. */
export default function NoticesPage() {
  const { t } = useI18n();
  const can = useCan();
  const [kind, setKind] = useState<string | null>(null);
  const list = useCursorList(['notices', 'list', kind], (cursor) =>
    unwrap(api.GET('/api/v1/notices', { params: { query: { cursor, limit: PAGE_SIZE, kind: (kind as (typeof KINDS)[number] | null) ?? undefined } } })),
  );
  const columns: Column<Notice>[] = [
    {
      key: 'subject',
      header: t('notices.col.subject'),
      render: (notice) => (
        <Anchor component={Link} to={screenPath('notice', { noticeId: notice.id }) ?? '#'} fw={500}>{notice.subject}</Anchor>
      ),
    },
    { key: 'kind', header: t('notice.kind'), narrow: true, render: (notice) => label(t, 'kind', notice.kind as Kind) },
    {
      key: 'priority',
      header: t('notices.col.priority'),
      narrow: true,
      render: (notice) => <StatusBadge label={label(t, 'priority', notice.priority)} tone={PRIORITY_TONE[notice.priority] ?? 'neutral'} />,
    },
    { key: 'sent', header: t('notices.col.sent'), narrow: true, render: (notice) => formatDateTime(notice.created_at) },
    { key: 'deadline', header: t('notices.col.deadline'), narrow: true, render: (notice) => formatDateTime(notice.ack_deadline) || '—' },
    {
      key: 'acks',
      header: t('notices.col.acks'),
      narrow: true,
      render: (notice) => t('notices.acksOf', { done: notice.acknowledged_units?.length ?? 0, total: notice.recipients.length }),
    },
  ];
  const compose = screenPath('notice-new');
  return (
    <>
      <PageHeader
        title={t('notices.title')}
        subtitle={t('notices.subtitle')}
        actions={can('notices:write') && compose ? <Button component={Link} to={compose}>{t('notices.compose')}</Button> : null}
      />
      <Group mb="sm">
        <Select label={t('notices.filter.kind')} placeholder={t('common.all')} clearable data={KINDS.map((value) => ({ value, label: t(`kind.${value}`) }))}
          value={kind} onChange={setKind} w={240} />
      </Group>
      <PagedTable list={list} columns={columns} rowKey={(notice) => notice.id} label={t('notices.table')} />
    </>
  );
}
