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

/** `component` and `preload` of a screen loaded on demand: `...lazyScreen(() => import('./X'))`. */
export function lazyScreen(load: () => Promise<{ default: ComponentType }>) {
  return { component: lazy(load), preload: load };
}
