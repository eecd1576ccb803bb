import { screen, type Screen } from '../../app/screen';
import { prefetchOverview } from './overviewData';

export const planScreens: Screen[] = [
  screen('overview', 'overview', () => import('./OverviewPage'), {
    preload: true,
    permission: 'plans:read',
    nav: { label: 'nav.overview', order: 10 },
    homeFor: ['admin', 'officer', 'viewer'],
    prefetchData: prefetchOverview,
  }),
  screen('plan-import', 'plans/import', () => import('./ImportPlanPage'), { permission: 'plans:write' }),
  screen('plan', 'plans/:planId', () => import('./PlanDashboardPage'), { permission: 'plans:read' }),
  screen('tasks', 'plans/:planId/tasks', () => import('./TasksPage'), { permission: 'tasks:read' }),
  screen('task', 'plans/:planId/tasks/:taskId', () => import('./TaskPage'), { permission: 'tasks:read' }),
  screen('audit', 'plans/:planId/audit', () => import('./AuditPage'), { permission: 'audit:read' }),
  screen('reviews', 'reviews', () => import('./ReviewQueuePage'), { permission: 'reports:review', nav: { label: 'nav.reviews', order: 15 } }),
];
