import { Badge } from '@mantine/core';
import { label } from '../i18n/labels';
import { useI18n } from '../i18n/I18nProvider';

const COLOURS: Record<string, string> = {
  draft: 'gray', issued: 'blue', closed: 'dark', cancelled: 'gray',
  open: 'gray', in_progress: 'blue', completed: 'green',
  submitted: 'yellow', accepted: 'green', returned: 'red', superseded: 'gray',
  completed_on_time: 'green', completed_late: 'orange', not_completed_within_deadline: 'blue', overdue: 'red',
};

/** What a status means for the person, for statuses the API does not name here. */
const TONES = { good: 'green', warn: 'orange', bad: 'red', info: 'blue', neutral: 'gray' } as const;
export type Tone = keyof typeof TONES;

// Dark text on the light badge background: Mantine's own light text (yellow.9, orange.9)
// falls below 4.5:1 contrast.
const TEXT: Record<string, string> = {
  gray: '#343a40', blue: '#1864ab', dark: '#212529', green: '#237032', yellow: '#7a4f00', red: '#c92a2a', orange: '#a8440a',
};

type Props =
  | { kind: 'plan.status' | 'task.status' | 'report.status' | 'bucket'; value: string | null | undefined; testId?: string }
  | { label: string; tone: Tone; testId?: string };

/**
 * A status, bucket or report state as a coloured word (the colour never carries it alone):
 * by `kind` and `value` for the plans vocabulary, or any catalogue word with a `tone`.
 */
export function StatusBadge(props: Props) {
  const { t } = useI18n();
  const colour = 'kind' in props ? COLOURS[props.value ?? 'none'] ?? 'gray' : TONES[props.tone];
  const text = 'kind' in props ? label(t, props.kind, props.value ?? 'none') : props.label;
  return (
    <Badge color={colour} variant="light" radius="sm" style={{ textTransform: 'none', color: TEXT[colour], flexShrink: 0 }} data-testid={props.testId}>
      {text}
    </Badge>
  );
}
