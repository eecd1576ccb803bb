import { lazy } from 'react';
import { lazyScreen, type Screen } from '../../app/screen';

export const workScreens: Screen[] = [
  {
    id: 'my-unit',
    path: 'my-unit',
    ...lazyScreen(() => import('./MyUnitPage')),
    permission: 'reports:write',
    nav: { label: 'nav.myUnit', order: 20 },
    homeFor: ['outlet_editor', 'local_officer'],
  },
  {
    id: 'my-coverage',
    path: 'my-unit/coverage',
    component: lazy(() => import('./CoveragePage')),
    permission: 'coverage:read',
  },
  {
    id: 'report',
    path: 'my-unit/:planId/:taskId',
    component: lazy(() => import('./ReportPage')),
    permission: 'reports:write',
  },
];
