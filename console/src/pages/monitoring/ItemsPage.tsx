import { Badge, Button, Group, Select, SimpleGrid, Stack, Switch, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useCallback, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components, paths } from '../../api/schema';
import { useUnits } from '../../api/queries';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { Loading } from '../../ui/Loading';
import { PageHeader } from '../../ui/PageHeader';
import { VirtualList } from '../../ui/VirtualList';
import { ItemDetail } from './ItemDetail';
import { HARMFUL_FROM, ITEM_ROW_HEIGHT, ItemRow } from './ItemRow';
import { useSources, useTopics } from './options';

type Item = components['schemas']['ItemReply'];

interface Filters {
  topic: string | null;
  place: string;
  outlet: string | null;
  source: string | null;
  text: string;
  harmfulOnly: boolean;
  originalsOnly: boolean;
  cluster: string | null;
}

const NO_FILTERS: Filters = { topic: null, place: '', outlet: null, source: null, text: '', harmfulOnly: false, originalsOnly: true, cluster: null };
type ItemQuery = NonNullable<paths['/api/v1/items']['get']['parameters']['query']>;
const itemId = (item: Item) => item.id;

/**
 * The item feed, newest first: filters by topic, place, outlet, source, harmful score, with
 * duplicates folded; drawn as a window of rows and fed page by page as the person scrolls,
 * so 100,000 items stay as fast as 100.
 */
export default function ItemsPage() {
  const { t } = useI18n();
  const topics = useTopics();
  const sources = useSources();
  const units = useUnits();
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [text] = useDebouncedValue(filters.text.trim(), 400);
  const [place] = useDebouncedValue(filters.place.trim(), 400);
  const [open, setOpen] = useState<string | null>(null);
  const update = (changes: Partial<Filters>) => setFilters((current) => ({ ...current, ...changes }));
  const query = {
    topic: filters.topic ?? undefined, place_id: place || undefined, outlet_unit_id: filters.outlet ?? undefined,
    source_id: filters.source ?? undefined, text: text.length >= 2 ? text : undefined,
    min_harmful: filters.harmfulOnly ? HARMFUL_FROM : undefined, originals_only: filters.originalsOnly && !filters.cluster,
    cluster_id: filters.cluster ?? undefined,
  };
  const outlets = (units.data ?? []).filter((unit) => unit.type === 'press_outlet');
  return (
    <>
      <PageHeader title={t('items.title')} subtitle={t('items.subtitle')} />
      <Stack gap="xs" mb="sm" role="search" aria-label={t('filters.title')}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 4 }}>
          <TextInput label={t('items.text')} value={filters.text} onChange={(event) => update({ text: event.currentTarget.value })} />
          {topics.topics.length > 0 ? (
            <Select label={t('items.topic')} placeholder={t('common.all')} clearable searchable value={filters.topic} onChange={(topic) => update({ topic })}
              data={topics.topics.map((topic) => ({ value: topic.id, label: topic.label }))} />
          ) : (
            <TextInput label={t('items.topic')} value={filters.topic ?? ''} onChange={(event) => update({ topic: event.currentTarget.value || null })} />
          )}
          <TextInput label={t('items.place')} placeholder={t('items.placeHint')} value={filters.place} onChange={(event) => update({ place: event.currentTarget.value })} />
          <Select label={t('items.outlet')} placeholder={t('common.all')} clearable searchable value={filters.outlet} onChange={(outlet) => update({ outlet })}
            data={outlets.map((unit) => ({ value: unit.id, label: unit.name }))} />
          {sources.sources.length > 0 && (
            <Select label={t('items.source')} placeholder={t('common.all')} clearable searchable value={filters.source} onChange={(source) => update({ source })}
              data={sources.sources.map((source) => ({ value: source.id, label: source.name }))} />
          )}
        </SimpleGrid>
        <Group gap="lg">
          <Switch label={t('items.harmfulOnly')} checked={filters.harmfulOnly} onChange={(event) => update({ harmfulOnly: event.currentTarget.checked })} />
          <Switch label={t('items.originalsOnly')} checked={filters.originalsOnly} onChange={(event) => update({ originalsOnly: event.currentTarget.checked })} />
          {filters.cluster && <Badge variant="light" tt="none">{`${t('item.cluster')}: ${filters.cluster}`}</Badge>}
          <Button variant="subtle" size="compact-sm" onClick={() => setFilters(NO_FILTERS)}>{t('filters.clear')}</Button>
        </Group>
      </Stack>
      <ItemFeed query={query} topicLabel={topics.labelOf} outletName={units.name} onOpen={setOpen} />
      <ItemDetail itemId={open} onClose={() => setOpen(null)} onCluster={(cluster) => { setOpen(null); update({ cluster }); }} />
    </>
  );
}

/**
 * The feed's list on its own: a page arriving redraws this and the rows that changed, not the
 * filters above it.
 */
function ItemFeed({ query, topicLabel, outletName, onOpen }: {
  query: ItemQuery; topicLabel: (id: string) => string; outletName: (id: string | null | undefined) => string; onOpen: (id: string) => void;
}) {
  const { t } = useI18n();
  const list = useCursorList(['items', 'feed', query], (cursor) =>
    unwrap(api.GET('/api/v1/items', { params: { query: { ...query, cursor, limit: PAGE_SIZE } } })),
  );
  const renderRow = useCallback(
    (item: Item) => <ItemRow item={item} topicLabel={topicLabel} outletName={outletName} onOpen={onOpen} />,
    [topicLabel, outletName, onOpen],
  );
  const { fetchNextPage } = list;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  if (list.isLoading) return <Loading />;
  if (list.error) return <ErrorAlert error={list.error} onRetry={() => void list.refetch()} />;
  return (
    <VirtualList items={list.items} rowKey={itemId} estimateSize={ITEM_ROW_HEIGHT} fixedSize hasMore={!!list.hasNextPage}
      loadingMore={list.isFetchingNextPage} onLoadMore={loadMore} label={t('items.list')} height="calc(100vh - 330px)"
      renderRow={renderRow} />
  );
}
