import { lazy } from 'react';
import type { Screen } from '../../app/screen';

export const adminScreens: Screen[] = [
  {
    id: 'users',
    path: 'admin/users',
    component: lazy(() => import('./UsersPage')),
    permission: 'users:write',
    nav: { label: 'nav.users', order: 70 },
  },
  {
    id: 'api-keys',
    path: 'admin/api-keys',
    component: lazy(() => import('./ApiKeysPage')),
    permission: 'api_keys:write',
    nav: { label: 'nav.apiKeys', order: 75 },
  },
  {
    id: 'subscriptions',
    path: 'admin/subscriptions',
    component: lazy(() => import('./SubscriptionsPage')),
    permission: 'subscriptions:write',
    nav: { label: 'nav.subscriptions', order: 80 },
  },
  {
    id: 'taxonomy',
    path: 'admin/taxonomy',
    component: lazy(() => import('./TaxonomyPage')),
    permission: 'topics:read',
    nav: { label: 'nav.taxonomy', order: 60 },
  },
];
