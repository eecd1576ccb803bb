/** One message in every language the console speaks; Vietnamese is the default. */
export interface Message {
  vi: string;
  en: string;
}

export type Entries = Record<string, Message>;
export type Language = keyof Message;
export const LANGUAGES: readonly Language[] = ['vi', 'en'];
