import type { Screen } from './screen';
import { accountScreens } from '../auth/screens';
import { planScreens } from '../pages/plans/screens';
import { workScreens } from '../pages/work/screens';
import { noticeScreens } from '../pages/notices/screens';
import { translationScreens } from '../pages/translations/screens';
import { monitoringScreens } from '../pages/monitoring/screens';
import { adminScreens } from '../pages/admin/screens';

/**
 * Every screen, by area. A new area exports its `Screen[]` from `src/pages/<area>/screens.ts`
 * and is listed here; the router, the menu and the landing page all read this list.
 */
export const screens: Screen[] = [
  ...planScreens,
  ...workScreens,
  ...noticeScreens,
  ...translationScreens,
  ...monitoringScreens,
  ...adminScreens,
  ...accountScreens,
];

/** Whether this user may open the screen (its permission, and a unit when it needs one). */
export function canOpen(screen: Screen, user: { permissions: string[]; unit_id?: string | null }): boolean {
  if (screen.permission && !user.permissions.includes(screen.permission)) return false;
  return !screen.requiresUnit || !!user.unit_id;
}

export function screenById(id: string): Screen | undefined {
  return screens.find((screen) => screen.id === id);
}

/** The URL of a screen (its parameters filled in), or null when it is not built yet. */
export function screenPath(id: string, params: Record<string, string> = {}): string | null {
  const screen = screenById(id);
  if (!screen) return null;
  return '/' + screen.path.replace(/:(\w+)/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
}

function homeScreen(role: string, permissions: string[], unitId?: string | null): Screen | undefined {
  return screens.find((screen) => screen.homeFor?.includes(role) && canOpen(screen, { permissions, unit_id: unitId }));
}

export function homePathFor(role: string, permissions: string[], unitId?: string | null): string {
  return '/' + (homeScreen(role, permissions, unitId)?.path ?? 'profile');
}

/** Start the API calls of the screen this user lands on, before it has rendered. */
export function prefetchHomeData(user: { role: string; permissions: string[]; unit_id?: string | null }): void {
  homeScreen(user.role, user.permissions, user.unit_id)?.prefetchData?.();
}

/** Fetch the landing screens' code while the person types their password. */
export function preloadLandingScreens(): void {
  for (const screen of screens) {
    if (screen.homeFor && screen.preload) void screen.preload().catch(() => undefined);
  }
}
