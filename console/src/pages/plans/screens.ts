import { lazy } from 'react';
import { lazyScreen, type Screen } from '../../app/screen';
import { prefetchOverview } from './overviewData';

export const planScreens: Screen[] = [
  {
    id: 'overview',
    path: 'overview',
    ...lazyScreen(() => import('./OverviewPage')),
    permission: 'plans:read',
    nav: { label: 'nav.overview', order: 10 },
    homeFor: ['admin', 'officer', 'viewer'],
    prefetchData: prefetchOverview,
  },
  {
    id: 'plan-import',
    path: 'plans/import',
    component: lazy(() => import('./ImportPlanPage')),
    permission: 'plans:write',
  },
  {
    id: 'plan',
    path: 'plans/:planId',
    component: lazy(() => import('./PlanDashboardPage')),
    permission: 'plans:read',
  },
  {
    id: 'tasks',
    path: 'plans/:planId/tasks',
    component: lazy(() => import('./TasksPage')),
    permission: 'tasks:read',
  },
  {
    id: 'task',
    path: 'plans/:planId/tasks/:taskId',
    component: lazy(() => import('./TaskPage')),
    permission: 'tasks:read',
  },
  {
    id: 'audit',
    path: 'plans/:planId/audit',
    component: lazy(() => import('./AuditPage')),
    permission: 'audit:read',
  },
  {
    id: 'reviews',
    path: 'reviews',
    component: lazy(() => import('./ReviewQueuePage')),
    permission: 'reports:review',
    nav: { label: 'nav.reviews', order: 15 },
  },
];
