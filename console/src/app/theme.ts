import { createTheme, DEFAULT_THEME, type CSSVariablesResolver, type MantineColorsTuple } from '@mantine/core';

/**
 * Mantine's green with its three darkest shades darkened: its own green.9 (#2b8a3e) has 4.36:1
 * on white and white on green.8 has 3.3:1, both under WCAG AA's 4.5:1 (axe flags them).
 */
const green = [...DEFAULT_THEME.colors.green.slice(0, 7), '#2b8a3e', '#237032', '#1b5e28'] as unknown as MantineColorsTuple;

/** Light, with colours dark enough for WCAG AA contrast (axe checks it in the browser tests). */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 8 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif',
  defaultRadius: 'sm',
  colors: { green },
  // People who asked their system for less motion get no fades and slides.
  respectReducedMotion: true,
});

/** Text colours with at least 4.5:1 contrast on white (Mantine's orange.9 has 4.3). */
export const TONE = { late: '#a8440a', good: '#237032', due: '#1864ab', bad: '#c92a2a' } as const;

export const cssVariables: CSSVariablesResolver = (current) => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': current.colors.gray[7],
    '--mantine-color-placeholder': current.colors.gray[7],
    '--mantine-color-error': TONE.bad,
  },
  dark: {},
});
