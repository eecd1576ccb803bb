import { describe, expect, it } from 'vitest';
import { catalogue } from './catalogue';
import { translate } from './translate';

describe('the message catalogue', () => {
  it('has a non-empty Vietnamese and English text for every key', () => {
    for (const [key, message] of Object.entries(catalogue)) {
      expect(message.vi.trim(), key).not.toBe('');
      expect(message.en.trim(), key).not.toBe('');
    }
  });

  it('uses the same placeholders in both languages', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
    for (const [key, message] of Object.entries(catalogue)) {
      expect(names(message.en), key).toEqual(names(message.vi));
    }
  });

  it('fills placeholders', () => {
    expect(translate('vi', 'error.rate_limited.action', { seconds: 3 })).toBe('Đợi 3 giây rồi thử lại.');
  });
});
