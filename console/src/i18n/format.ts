import type { Language } from './catalogue';

/** Every date and time the console shows is in the province's time zone. */
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

const dateParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function parts(value: Date): Record<string, string> {
  const found: Record<string, string> = {};
  for (const part of dateParts.formatToParts(value)) found[part.type] = part.value;
  return found;
}

/** `dd/mm/yyyy`. A plain date (`2021-02-25`) is a calendar day and never shifts by zone. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const plain = DATE_ONLY.exec(value);
  if (plain) return `${plain[3]}/${plain[2]}/${plain[1]}`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const p = parts(date);
  return `${p.day}/${p.month}/${p.year}`;
}

/** `dd/mm/yyyy HH:mm` in Asia/Ho_Chi_Minh. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  if (DATE_ONLY.test(value)) return formatDate(value);
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  const p = parts(date);
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

/** Today's calendar day in the province (`yyyy-mm-dd`), whatever the computer's zone. */
export function todayInProvince(now: Date = new Date()): string {
  const p = parts(now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Whole days from `from` (yyyy-mm-dd) to `to` (yyyy-mm-dd); negative when `to` is past. */
export function daysBetween(from: string, to: string): number {
  const start = Date.UTC(+from.slice(0, 4), +from.slice(5, 7) - 1, +from.slice(8, 10));
  const end = Date.UTC(+to.slice(0, 4), +to.slice(5, 7) - 1, +to.slice(8, 10));
  return Math.round((end - start) / 86_400_000);
}

export function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(language === 'vi' ? 'vi-VN' : 'en-GB', {
    maximumFractionDigits: 1,
  }).format(value);
}

/** The offset of Asia/Ho_Chi_Minh (no daylight saving time since 1975). */
const PROVINCE_OFFSET = '+07:00';

/** A `datetime-local` input's value (`2021-03-05T10:00`, province time) as ISO 8601. */
export function provinceInputToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return null;
  return `${value}:00${PROVINCE_OFFSET}`;
}

/** An instant as a `datetime-local` input's value in province time (`2021-03-05T10:00`). */
export function isoToProvinceInput(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  const p = parts(date);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
