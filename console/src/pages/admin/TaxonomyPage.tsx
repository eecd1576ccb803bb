import { Button, Group, Tabs } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { fetchAll } from '../../api/pagination';
import type { components } from '../../api/schema';
import { useCan } from '../../auth/useSession';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { ActionButton } from '../../ui/ActionButton';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge } from '../../ui/StatusBadge';
import { useTopics } from '../monitoring/options';
import { RuleForm } from './RuleForm';
import { TopicForm } from './TopicForm';

type Topic = components['schemas']['TopicModel'];
type Rule = components['schemas']['AlertRuleModel'];

/** A row's edit and delete buttons, named after the row for screen readers. */
function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => Promise<unknown> }) {
  const { t } = useI18n();
  return (
    <Group gap={4} wrap="nowrap">
      <Button size="compact-sm" variant="light" onClick={onEdit} aria-label={t('taxonomy.editNamed', { name })}>{t('taxonomy.edit')}</Button>
      <ActionButton label={t('taxonomy.delete')} ariaLabel={t('taxonomy.deleteNamed', { name })} run={onDelete} />
    </Group>
  );
}

/** The topics the classifier watches and the rules that raise alerts, edited at run time. */
export default function TaxonomyPage() {
  const { t } = useI18n();
  const can = useCan();
  const topics = useTopics();
  const rules = useQuery({
    queryKey: ['alert-rules', 'all'],
    queryFn: () => fetchAll((cursor) => unwrap(api.GET('/api/v1/alert-rules', { params: { query: { cursor, limit: 200 } } }))),
  });
  const [topic, setTopic] = useState<Topic | null | undefined>(undefined);
  const [rule, setRule] = useState<Rule | null | undefined>(undefined);
  const writable = can('topics:write');
  const topicColumns: Column<Topic>[] = [
    { key: 'id', header: t('taxonomy.id'), narrow: true, render: (row) => <code>{row.id}</code> },
    { key: 'label', header: t('taxonomy.label'), render: (row) => row.label },
    { key: 'terms', header: t('taxonomy.terms').split('(')[0]!.trim(), render: (row) => t('taxonomy.termCount', { count: Object.keys(row.terms ?? {}).length }) },
  ];
  const ruleColumns: Column<Rule>[] = [
    { key: 'id', header: t('taxonomy.id'), narrow: true, render: (row) => <code>{row.id}</code> },
    { key: 'topics', header: t('taxonomy.ruleTopics'), render: (row) => [...(row.topics ?? []).map(topics.labelOf), ...(row.keywords ?? [])].join(', ') || '—' },
    { key: 'severity', header: t('taxonomy.severity'), narrow: true, render: (row) => label(t, 'severity', row.severity) },
    { key: 'enabled', header: t('taxonomy.enabled'), narrow: true, render: (row) => <StatusBadge label={t(row.enabled ? 'common.yes' : 'common.no')} tone={row.enabled ? 'good' : 'neutral'} /> },
  ];
  if (writable) {
    topicColumns.push({
      key: 'actions', header: t('common.actions'), narrow: true,
      render: (row) => <RowActions name={row.label} onEdit={() => setTopic(row)}
        onDelete={() => unwrap(api.DELETE('/api/v1/topics/{topic_id}', { params: { path: { topic_id: row.id } } }))} />,
    });
    ruleColumns.push({
      key: 'actions', header: t('common.actions'), narrow: true,
      render: (row) => <RowActions name={row.id} onEdit={() => setRule(row)}
        onDelete={() => unwrap(api.DELETE('/api/v1/alert-rules/{rule_id}', { params: { path: { rule_id: row.id } } }))} />,
    });
  }
  return (
    <>
      <PageHeader title={t('taxonomy.title')} />
      <Tabs defaultValue="topics">
        <Tabs.List>
          <Tabs.Tab value="topics">{t('taxonomy.topics')}</Tabs.Tab>
          <Tabs.Tab value="rules">{t('taxonomy.rules')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="topics" pt="sm">
          {writable && <Group mb="sm"><Button onClick={() => setTopic(null)}>{t('taxonomy.newTopic')}</Button></Group>}
          <PagedTable list={{ items: topics.topics, isLoading: topics.isPending, error: topics.error, refetch: topics.refetch }}
            columns={topicColumns} rowKey={(row) => row.id} label={t('taxonomy.topicsTable')} />
        </Tabs.Panel>
        <Tabs.Panel value="rules" pt="sm">
          {writable && <Group mb="sm"><Button onClick={() => setRule(null)}>{t('taxonomy.newRule')}</Button></Group>}
          <PagedTable list={{ items: rules.data ?? [], isLoading: rules.isPending, error: rules.error, refetch: rules.refetch }}
            columns={ruleColumns} rowKey={(row) => row.id} label={t('taxonomy.rulesTable')} />
        </Tabs.Panel>
      </Tabs>
      {topic !== undefined && <TopicForm topic={topic} onClose={() => setTopic(undefined)} />}
      {rule !== undefined && <RuleForm rule={rule} onClose={() => setRule(undefined)} />}
    </>
  );
}
