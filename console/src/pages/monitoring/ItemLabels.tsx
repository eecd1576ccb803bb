import { Alert, Button, Group, MultiSelect, Stack, Switch, Text, Textarea, Title } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { ItemReply } from '../../api/types';
import { formatDateTime } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { useTopics } from './options';

/** An officer confirms or corrects the machine's topics and harmful flag of one item. */
export function ItemLabels({ item }: { item: ItemReply }) {
  const { t } = useI18n();
  const topics = useTopics();
  const queryClient = useQueryClient();
  const [chosen, setChosen] = useState<string[]>(item.topics.map((hit) => hit.topic));
  const [harmful, setHarmful] = useState(item.harmful.flag);
  const [note, setNote] = useState('');
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/items/{item_id}/labels', {
      params: { path: { item_id: item.id } },
      body: { topics: chosen, harmful, ...(note.trim() ? { note: note.trim() } : {}) },
    })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['labels'] }),
  });
  const summary = (key: 'labels.rejected' | 'labels.added', ids: string[] | undefined) =>
    ids?.length ? ` ${t(key, { topics: ids.map(topics.labelOf).join(', ') })}` : '';
  const options = topics.topics.map((topic) => ({ value: topic.id, label: topic.label }));
  return (
    <Stack gap="xs" component="section" aria-label={t('labels.title')} data-testid="item-labels">
      <Title order={3} size="h5">{t('labels.title')}</Title>
      <Text size="sm" c="dimmed">{t('labels.hint')}</Text>
      <MultiSelect label={t('labels.topics')} data={options} value={chosen} onChange={setChosen} searchable clearable />
      <Switch label={t('labels.harmful')} checked={harmful} onChange={(event) => setHarmful(event.currentTarget.checked)} />
      <Textarea label={t('labels.note')} value={note} onChange={(event) => setNote(event.currentTarget.value)} autosize minRows={1} maxLength={2000} />
      <Group><Button size="xs" onClick={() => save.mutate()} loading={save.isPending}>{t('labels.save')}</Button></Group>
      {save.error && <ErrorAlert error={save.error} />}
      {save.data && (
        <Alert color="green" role="status" data-testid="label-saved">
          {t('labels.saved', { by: save.data.labels.by, at: formatDateTime(save.data.labels.at) })}
          {summary('labels.rejected', save.data.rejected_topics)}
          {summary('labels.added', save.data.added_topics)}
        </Alert>
      )}
    </Stack>
  );
}
