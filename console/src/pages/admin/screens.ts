import { screen, type Screen } from '../../app/screen';

export const adminScreens: Screen[] = [
  screen('users', 'admin/users', () => import('./UsersPage'), { permission: 'users:write', nav: { label: 'nav.users', order: 70 } }),
  screen('api-keys', 'admin/api-keys', () => import('./ApiKeysPage'), { permission: 'api_keys:write', nav: { label: 'nav.apiKeys', order: 75 } }),
  screen('subscriptions', 'admin/subscriptions', () => import('./SubscriptionsPage'),
    { permission: 'subscriptions:write', nav: { label: 'nav.subscriptions', order: 80 } }),
  screen('taxonomy', 'admin/taxonomy', () => import('./TaxonomyPage'), { permission: 'topics:read', nav: { label: 'nav.taxonomy', order: 60 } }),
];
