import { lazy } from 'react';
import type { Screen } from '../../app/screen';

export const monitoringScreens: Screen[] = [
  {
    id: 'items',
    path: 'items',
    component: lazy(() => import('./ItemsPage')),
    permission: 'items:read',
    nav: { label: 'nav.items', order: 40 },
  },
  {
    id: 'alerts',
    path: 'alerts',
    component: lazy(() => import('./AlertsPage')),
    permission: 'alerts:read',
    nav: { label: 'nav.alerts', order: 45 },
  },
  {
    id: 'sources',
    path: 'sources',
    component: lazy(() => import('./SourcesPage')),
    permission: 'sources:read',
    nav: { label: 'nav.sources', order: 50 },
  },
];
