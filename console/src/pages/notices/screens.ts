import { lazy } from 'react';
import type { Screen } from '../../app/screen';

export const noticeScreens: Screen[] = [
  {
    id: 'inbox',
    path: 'inbox',
    component: lazy(() => import('./InboxPage')),
    permission: 'notices:ack',
    requiresUnit: true,
    nav: { label: 'nav.inbox', order: 15 },
  },
  {
    id: 'notices',
    path: 'notices',
    component: lazy(() => import('./NoticesPage')),
    permission: 'notices:write',
    nav: { label: 'nav.notices', order: 30 },
  },
  {
    id: 'notice-new',
    path: 'notices/new',
    component: lazy(() => import('./ComposeNoticePage')),
    permission: 'notices:write',
  },
  {
    id: 'notice',
    path: 'notices/:noticeId',
    component: lazy(() => import('./NoticePage')),
    permission: 'notices:write',
  },
];
