import type { Entries } from './types';

/** The officer's screens: overview, plan dashboard, plans, tasks, review queue. */
export const plans = {
  'overview.title': { vi: 'Tổng quan chiến dịch', en: 'Campaign overview' },
} satisfies Entries;
