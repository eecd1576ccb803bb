import type { Entries } from './types';

/** Words of the shared pieces in src/ui (secrets shown once, reasons, statuses). */
export const widgets = {
  'secret.onlyOnce': { vi: 'Đây là lần duy nhất giá trị này được hiển thị. Hãy sao chép và cất giữ an toàn ngay; sau khi đóng, không ai xem lại được (kể cả quản trị viên).', en: 'This is the only time this value is shown. Copy it and store it safely now; once closed, nobody can see it again (administrators included).' },
  'secret.copy': { vi: 'Sao chép', en: 'Copy' },
  'secret.copied': { vi: 'Đã sao chép', en: 'Copied' },
  'secret.done': { vi: 'Tôi đã lưu, đóng lại', en: 'I have stored it, close' },
  'password.toggle': { vi: 'Hiện hoặc ẩn mật khẩu', en: 'Show or hide the password' },
  'reason.required': { vi: 'Hãy ghi lý do.', en: 'Write a reason.' },
  'filters.title': { vi: 'Bộ lọc', en: 'Filters' },
  'filters.clear': { vi: 'Xoá bộ lọc', en: 'Clear filters' },
  'language.vi': { vi: 'Tiếng Việt', en: 'Vietnamese' },
  'language.jra': { vi: 'Tiếng Jrai', en: 'Jrai' },
  'language.bdq': { vi: 'Tiếng Bahnar', en: 'Bahnar' },
} satisfies Entries;
