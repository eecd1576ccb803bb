import { screen, type Screen } from '../app/screen';

export const accountScreens: Screen[] = [
  screen('profile', 'profile', () => import('./ProfilePage'), { nav: { label: 'nav.profile', order: 900 } }),
];
