import type { ScrollAreaProps } from '@mantine/core';

/** A table wider than the screen scrolls sideways; its viewport takes keyboard focus so that a
 * keyboard user can scroll it too (axe: scrollable-region-focusable). */
export const keyboardScrollable: ScrollAreaProps = { viewportProps: { tabIndex: 0 } };
