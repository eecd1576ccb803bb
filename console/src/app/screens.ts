import type { Screen } from './screen';
import { accountScreens } from '../auth/screens';
import { planScreens } from '../pages/plans/screens';
import { workScreens } from '../pages/work/screens';

/**
 * Every screen, by area. A new area exports its `Screen[]` from `src/pages/<area>/screens.ts`
 * and is listed here; the router, the menu and the landing page all read this list.
 */
export const screens: Screen[] = [
  ...planScreens,
  ...workScreens,
  ...accountScreens,
];

export function screenById(id: string): Screen | undefined {
  return screens.find((screen) => screen.id === id);
}

/** The URL of a screen (its parameters filled in), or null when it is not built yet. */
export function screenPath(id: string, params: Record<string, string> = {}): string | null {
  const screen = screenById(id);
  if (!screen) return null;
  return '/' + screen.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

export function homePathFor(role: string, permissions: string[]): string {
  const home = screens.find(
    (screen) => screen.homeFor?.includes(role) && (!screen.permission || permissions.includes(screen.permission)),
  );
  return '/' + (home?.path ?? 'profile');
}

/** Fetch the landing screens' code while the person types their password. */
export function preloadLandingScreens(): void {
  for (const screen of screens) {
    if (screen.homeFor && screen.preload) void screen.preload().catch(() => undefined);
  }
}
