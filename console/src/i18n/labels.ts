import type { MessageKey } from './catalogue';
import { isMessageKey } from './translate';

type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

/** The catalogue's word for a code the API sends (`topic.drugs`), or the code itself. */
export function label(t: Translate, prefix: string, code: string | null | undefined): string {
  if (!code) return '';
  const key = `${prefix}.${code}`;
  return isMessageKey(key) ? t(key) : code;
}

/** `2021-Q1` -> "Quý 1/2021", `2021-M03` -> "Tháng 03/2021", `2021-Y`, `ONCE`, `PLAN`. */
export function periodLabel(t: Translate, key: string): string {
  const match = /^(\d{4})-(?:M(\d{2})|Q([1-4])|(Y))$/.exec(key);
  if (!match) return label(t, 'period', key);
  const [, year, month, quarter] = match;
  if (month) return t('period.month', { month, year: year! });
  if (quarter) return t('period.quarter', { quarter, year: year! });
  return t('period.year', { year: year! });
}
