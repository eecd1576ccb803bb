import { screen, type Screen } from '../../app/screen';

export const noticeScreens: Screen[] = [
  screen('inbox', 'inbox', () => import('./InboxPage'), { permission: 'notices:ack', requiresUnit: true, nav: { label: 'nav.inbox', order: 15 } }),
  screen('notices', 'notices', () => import('./NoticesPage'), { permission: 'notices:write', nav: { label: 'nav.notices', order: 30 } }),
  screen('notice-new', 'notices/new', () => import('./ComposeNoticePage'), { permission: 'notices:write' }),
  screen('notice', 'notices/:noticeId', () => import('./NoticePage'), { permission: 'notices:write' }),
];
