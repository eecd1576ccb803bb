import { Group, Progress, Text } from '@mantine/core';
import type { BucketCounts } from '../../api/types';
import { useI18n } from '../../i18n/I18nProvider';

const SEGMENTS = [
  ['completed_on_time', 'green.8'],
  ['completed_late', 'orange.8'],
  ['not_completed_within_deadline', 'blue.7'],
  ['overdue', 'red.8'],
] as const;

/** The four buckets of official reports as one stacked bar, with the counts in words. */
export function BucketBar({ counts, label }: { counts: BucketCounts; label: string }) {
  const { t } = useI18n();
  const total = Math.max(counts.total, 1);
  return (
    <div>
      {/* The bar repeats the counts written under it: hidden from screen readers. */}
      <Progress.Root size="lg" aria-hidden="true" title={label}>
        {SEGMENTS.map(([bucket, colour]) =>
          counts[bucket] ? <Progress.Section key={bucket} value={(100 * counts[bucket]) / total} color={colour} aria-hidden="true" /> : null,
        )}
      </Progress.Root>
      <Group gap="md" mt={4} wrap="wrap">
        {SEGMENTS.map(([bucket, colour]) => (
          <Group key={bucket} gap={4} wrap="nowrap">
            <span aria-hidden="true" style={{ width: 10, height: 10, borderRadius: 2, background: `var(--mantine-color-${colour.replace('.', '-')})` }} />
            <Text size="xs">{t(`bucket.${bucket}`)}: <b>{counts[bucket]}</b></Text>
          </Group>
        ))}
      </Group>
    </div>
  );
}
