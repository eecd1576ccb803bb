import type { Tone } from '../../ui/StatusBadge';

export const TRANSLATION_TONE: Record<string, Tone> = {
  requested: 'info', submitted: 'warn', approved: 'good', rejected: 'bad',
};

/** The languages with a translation workflow (Gia Lai's Jrai and Bahnar). */
export const TRANSLATION_LANGUAGES = ['jra', 'bdq'] as const;
