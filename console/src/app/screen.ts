import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { MessageKey } from '../i18n/catalogue';

/** One screen of the console: where it lives, who may open it, and its menu entry. */
export interface Screen {
  /** A stable name other screens link by (`screenPath('inbox')`). */
  id: string;
  /** The path under /console/, without the leading slash (`plans/:planId`). */
  path: string;
  /** Loaded on first visit, so the first screen ships only its own code. */
  component: LazyExoticComponent<ComponentType>;
  /** The permission (`<resource>:<action>`, from GET /users/me) needed to open it. */
  permission?: string;
  /** Only for users attached to a unit (a unit's inbox): others get "no such page". */
  requiresUnit?: boolean;
  /** Shown in the main menu when set, in ascending `order`. */
  nav?: { label: MessageKey; order: number };
  /** Roles that land here after sign-in (the first matching screen wins). */
  homeFor?: string[];
  /** Fetches the screen's code ahead of the first visit (landing screens, from sign-in). */
  preload?: () => Promise<unknown>;
  /** Starts a landing screen's API calls into the query cache as soon as the session begins. */
  prefetchData?: () => void;
}

/** What a screen declares besides its id, path and page; `preload: true` for a landing screen. */
export type ScreenOptions = Omit<Screen, 'id' | 'path' | 'component' | 'preload'> & { preload?: boolean };

/**
 * Declares a screen whose page is loaded on first visit (`screen('inbox', 'inbox', () =>
 * import('./InboxPage'), { permission: 'notices:ack' })`); with `preload`, sign-in fetches its
 * code ahead of the first visit.
 */
export function screen(id: string, path: string, load: () => Promise<{ default: ComponentType }>, options: ScreenOptions = {}): Screen {
  const { preload, ...declared } = options;
  return { id, path, component: lazy(load), ...(preload ? { preload: load } : {}), ...declared };
}
