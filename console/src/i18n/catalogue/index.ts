import { admin } from './admin';
import { common } from './common';
import { errors } from './errors';
import { monitoring } from './monitoring';
import { notices } from './notices';
import { plans } from './plans';
import { vocabulary } from './vocabulary';
import { translations } from './translations';
import { widgets } from './widgets';
import { work } from './work';

/**
 * THE message catalogue: every text a person reads in the console, in Vietnamese and English.
 * Add an area's messages as its own module next to these and spread it in here; a key that
 * is missing in one language does not type-check.
 */
export const catalogue = {
  ...common,
  ...errors,
  ...plans,
  ...vocabulary,
  ...work,
  ...widgets,
  ...notices,
  ...translations,
  ...monitoring,
  ...admin,
};

export type MessageKey = keyof typeof catalogue;
export type { Language, Message } from './types';
export { LANGUAGES } from './types';
