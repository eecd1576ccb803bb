import { fieldError } from '../api/problem';
import { useI18n } from '../i18n/I18nProvider';

/**
 * The words to show under a form input when the last request failed because of that field
 * (`error={fieldMessage('password')}`), so a weak password or a refused URL is explained
 * where it was typed, not only in the alert above the form.
 */
export function useFieldError(error: unknown): (...names: string[]) => string | undefined {
  const { t } = useI18n();
  return (...names) => {
    const found = fieldError(error, ...names);
    if (!found) return undefined;
    return found.detail ? `${t(found.message)}: ${t(found.detail)}` : t(found.message);
  };
}
