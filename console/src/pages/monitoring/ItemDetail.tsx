import { Anchor, Badge, Button, Code, Drawer, Group, List, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { useUnits } from '../../api/queries';
import { useCan } from '../../auth/useSession';
import { formatDateTime } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Fact } from '../../ui/Fact';
import { Loading } from '../../ui/Loading';
import { StatusBadge } from '../../ui/StatusBadge';
import { ItemLabels } from './ItemLabels';
import { percent, useTopics } from './options';

interface Props {
  itemId: string | null;
  onClose: () => void;
  /** Show the item's cluster (the original and its near-copies) in the feed. */
  onCluster: (clusterId: string) => void;
}

/** One item: why it was classified (matched terms, harmful reasons), its places and evidence. */
export function ItemDetail({ itemId, onClose, onCluster }: Props) {
  const { t } = useI18n();
  const topics = useTopics();
  const units = useUnits();
  const can = useCan();
  const item = useQuery({
    queryKey: ['items', 'one', itemId],
    queryFn: () => unwrap(api.GET('/api/v1/items/{item_id}', { params: { path: { item_id: itemId ?? '' } } })),
    enabled: !!itemId,
  });
  const data = item.data;
  return (
    <Drawer opened={!!itemId} onClose={onClose} position="right" size="lg" title={t('item.title')} closeButtonProps={{ 'aria-label': t('common.close') }}>
      {item.isPending && <Loading />}
      {item.error && <ErrorAlert error={item.error} onRetry={() => void item.refetch()} />}
      {data && (
        <Stack>
          <Title order={2} size="h3">{data.title || t('items.noTitle')}</Title>
          {data.url && <Anchor href={data.url} target="_blank" rel="noreferrer noopener">{t('item.open')}</Anchor>}
          <SimpleGrid cols={{ base: 1, xs: 2 }}>
            <Fact label={t('item.source')} value={data.source_id ?? '—'} />
            <Fact label={t('item.outlet')} value={units.name(data.outlet_unit_id) || '—'} />
            <Fact label={t('items.published', { at: '' }).trim()} value={formatDateTime(data.published_at) || '—'} />
            <Fact label={t('item.harmful')} value={
              <StatusBadge label={t('item.harmfulVerdict', { score: percent(data.harmful.score), threshold: percent(data.harmful.threshold) })} tone={data.harmful.flag ? 'bad' : 'neutral'} />} />
          </SimpleGrid>
          <div>
            <Title order={3} size="h5" mb={4}>{t('item.topics')}</Title>
            {data.topics.length ? (
              <List spacing={4} data-testid="matched-topics">
                {data.topics.map((hit) => (
                  <List.Item key={hit.topic}>
                    <Text span fw={600}>{topics.labelOf(hit.topic)}</Text>{' '}
                    <Text span size="sm" c="dimmed">({t('item.confidence', { value: percent(hit.confidence) })})</Text>
                    {hit.terms?.length ? <Text size="sm">{t('item.terms', { terms: hit.terms.join(', ') })}</Text> : null}
                  </List.Item>
                ))}
              </List>
            ) : <Text c="dimmed">{t('item.noTopics')}</Text>}
          </div>
          {data.harmful_reasons.length > 0 && (
            <div>
              <Title order={3} size="h5" mb={4}>{t('item.reasons')}</Title>
              <List spacing={2}>{data.harmful_reasons.map((reason) => <List.Item key={reason}>{reason}</List.Item>)}</List>
            </div>
          )}
          {data.place_ids.length > 0 && (
            <Group gap={4}>
              <Text size="sm" c="dimmed">{t('item.places')}:</Text>
              {data.place_ids.map((place) => <Badge key={place} variant="outline" color="gray.8" tt="none">{place}</Badge>)}
            </Group>
          )}
          {data.duplicate_of && <Fact label={t('item.duplicateOf')} value={data.duplicate_of} />}
          <Group><Button variant="default" size="xs" onClick={() => onCluster(data.cluster_id)}>{t('item.cluster')}</Button></Group>
          {data.normalised_text && (
            <div>
              <Title order={3} size="h5" mb={4}>{t('item.text')}</Title>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} lineClamp={20}>{data.normalised_text}</Text>
            </div>
          )}
          {can('items:review') && <ItemLabels key={data.id} item={data} />}
          <Fact label={t('item.hash')} value={<Code style={{ wordBreak: 'break-all' }}>{data.content_hash}</Code>} />
          <Text size="xs" c="dimmed">{t('items.fetched', { at: formatDateTime(data.fetched_at) })}</Text>
        </Stack>
      )}
    </Drawer>
  );
}
