import { lazy } from 'react';
import type { Screen } from '../app/screen';

export const accountScreens: Screen[] = [
  {
    id: 'profile',
    path: 'profile',
    component: lazy(() => import('./ProfilePage')),
    nav: { label: 'nav.profile', order: 900 },
  },
];
