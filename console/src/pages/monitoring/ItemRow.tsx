import { memo } from 'react';
import type { components } from '../../api/schema';
import { formatDateTime } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { percent } from './options';
import styles from './ItemRow.module.css';

type Item = components['schemas']['ItemReply'];

/** "Possibly harmful" in the filter and on a row: the score the alert rules use by default. */
export const HARMFUL_FROM = 0.5;
/** Two lines of title, one of outlet and date, one of badges: every row this high, never measured. */
export const ITEM_ROW_HEIGHT = 120;

interface Props {
  item: Item;
  topicLabel: (id: string) => string;
  outletName: (id: string | null | undefined) => string;
  onOpen: (id: string) => void;
}

/**
 * One item of the feed: its title, outlet and date, and badges (possibly harmful, duplicate, up
 * to four topics). Plain elements with the classes of ItemRow.module.css: the feed draws rows
 * while the person scrolls, and Mantine components per row (each resolving its style props and
 * theme) made those frames long. Memoised: a page arriving draws only the rows it added.
 */
export const ItemRow = memo(function ItemRow({ item, topicLabel, outletName, onOpen }: Props) {
  const { t } = useI18n();
  const source = outletName(item.outlet_unit_id) || item.source_id;
  const published = t('items.published', { at: formatDateTime(item.published_at ?? item.fetched_at) });
  return (
    <button type="button" className={styles.row} data-testid="item-row" onClick={() => onOpen(item.id)}>
      <span className={styles.title}>{item.title || t('items.noTitle')}</span>
      <span className={styles.meta}>{[source, published].filter(Boolean).join(' · ')}</span>
      <span className={styles.badges}>
        {item.harmful_score >= HARMFUL_FROM && (
          <span className={`${styles.badge} ${styles.harmful}`}>{t('items.harmful', { score: percent(item.harmful_score) })}</span>
        )}
        {item.duplicate_of && <span className={`${styles.badge} ${styles.duplicate}`}>{t('items.duplicate')}</span>}
        {item.topics.slice(0, 4).map((hit) => (
          <span key={hit.topic} className={`${styles.badge} ${styles.topic}`}>{topicLabel(hit.topic)}</span>
        ))}
      </span>
    </button>
  );
});
