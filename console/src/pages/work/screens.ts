import { screen, type Screen } from '../../app/screen';

export const workScreens: Screen[] = [
  screen('my-unit', 'my-unit', () => import('./MyUnitPage'), {
    preload: true,
    permission: 'reports:write',
    nav: { label: 'nav.myUnit', order: 20 },
    homeFor: ['outlet_editor', 'local_officer'],
  }),
  screen('my-coverage', 'my-unit/coverage', () => import('./CoveragePage'), { permission: 'coverage:read' }),
  screen('report', 'my-unit/:planId/:taskId', () => import('./ReportPage'), { permission: 'reports:write' }),
];
