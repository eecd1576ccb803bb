import { describe, expect, it } from 'vitest';
import { daysBetween, formatDate, formatDateTime, todayInProvince } from './format';

describe('dates in Asia/Ho_Chi_Minh as dd/mm/yyyy', () => {
  it('writes a calendar day without shifting it', () => {
    expect(formatDate('2021-02-25')).toBe('25/02/2021');
  });

  it('writes an instant in the province time zone (UTC+7)', () => {
    // 20:30 UTC on the 24th is already 03:30 on the 25th in Gia Lai.
    expect(formatDate('2021-02-24T20:30:00Z')).toBe('25/02/2021');
    expect(formatDateTime('2021-02-24T20:30:00Z')).toBe('25/02/2021 03:30');
  });

  it('leaves missing values empty and unreadable ones as they are', () => {
    expect(formatDate(null)).toBe('');
    expect(formatDate('soon')).toBe('soon');
  });

  it('knows the province day and counts days between calendar days', () => {
    expect(todayInProvince(new Date('2021-12-31T18:00:00Z'))).toBe('2022-01-01');
    expect(daysBetween('2021-02-25', '2021-03-01')).toBe(4);
    expect(daysBetween('2021-03-01', '2021-02-25')).toBe(-4);
  });
});
