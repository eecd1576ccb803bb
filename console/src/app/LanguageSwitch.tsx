import { SegmentedControl } from '@mantine/core';
import { LANGUAGES, type Language } from '../i18n/catalogue';
import { useI18n } from '../i18n/I18nProvider';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('app.language')}
      value={language}
      onChange={(value) => setLanguage(value as Language)}
      data={LANGUAGES.map((code) => ({ value: code, label: code.toUpperCase() }))}
    />
  );
}
