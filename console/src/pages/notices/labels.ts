import type { MessageKey } from '../../i18n/catalogue';
import type { Tone } from '../../ui/StatusBadge';

export const PRIORITY_TONE: Record<string, Tone> = { normal: 'neutral', high: 'warn', critical: 'bad' };

export const DELIVERY_TONE: Record<string, Tone> = {
  held: 'info', pending: 'neutral', retrying: 'warn', sending: 'neutral', sent: 'info',
  delivered: 'good', failed: 'bad', expired: 'bad',
};

export const LANGUAGE_KEYS: Record<string, MessageKey> = {
  vi: 'language.vi', jra: 'language.jra', bdq: 'language.bdq',
};
