import { lazy } from 'react';
import type { Screen } from '../../app/screen';

export const translationScreens: Screen[] = [
  {
    id: 'translations',
    path: 'translations',
    component: lazy(() => import('./TranslationsPage')),
    permission: 'translations:write',
    nav: { label: 'nav.translations', order: 35 },
    homeFor: ['translator'],
  },
  {
    id: 'translation',
    path: 'translations/:noticeId/:language',
    component: lazy(() => import('./TranslationEditorPage')),
    permission: 'translations:write',
  },
];
