import { lazy } from 'react';
import type { Screen } from '../../app/screen';

export const planScreens: Screen[] = [
  {
    id: 'overview',
    path: 'overview',
    component: lazy(() => import('./OverviewPage')),
    permission: 'plans:read',
    nav: { label: 'nav.overview', order: 10 },
    homeFor: ['admin', 'officer', 'viewer'],
  },
];
