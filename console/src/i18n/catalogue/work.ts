import type { Entries } from './types';

/** The outlet editor's and local officer's screens: my unit's tasks, reporting, coverage. */
export const work = {
  'myUnit.title': { vi: 'Nhiệm vụ của đơn vị', en: "My unit's tasks" },
} satisfies Entries;
