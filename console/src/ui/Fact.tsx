import { Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A labelled value in a summary card (profile, notice, item). */
export function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div>
      <Text size="sm" c="dimmed">{label}</Text>
      <Text fw={500} component="div" style={{ overflowWrap: 'anywhere' }}>{value}</Text>
    </div>
  );
}
