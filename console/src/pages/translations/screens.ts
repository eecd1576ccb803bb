import { screen, type Screen } from '../../app/screen';

export const translationScreens: Screen[] = [
  screen('translations', 'translations', () => import('./TranslationsPage'),
    { permission: 'translations:write', nav: { label: 'nav.translations', order: 35 }, homeFor: ['translator'] }),
  screen('translation', 'translations/:noticeId/:language', () => import('./TranslationEditorPage'), { permission: 'translations:write' }),
];
