import { screen, type Screen } from '../../app/screen';

export const monitoringScreens: Screen[] = [
  screen('items', 'items', () => import('./ItemsPage'), { permission: 'items:read', nav: { label: 'nav.items', order: 40 } }),
  screen('alerts', 'alerts', () => import('./AlertsPage'), { permission: 'alerts:read', nav: { label: 'nav.alerts', order: 45 } }),
  screen('sources', 'sources', () => import('./SourcesPage'), { permission: 'sources:read', nav: { label: 'nav.sources', order: 50 } }),
];
