import { Textarea } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { FormModal } from './FormModal';

interface Props {
  opened: boolean;
  title: string;
  label: string;
  submitLabel: string;
  /** A reason is required (rejecting a translation); a note may be empty (resolving an alert). */
  required?: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: (text: string) => void;
  onClose: () => void;
}

/** Asks for a reason or a note before an action that records one. */
export function ReasonModal({ opened, title, label, submitLabel, required, pending, error, onSubmit, onClose }: Props) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [missing, setMissing] = useState(false);

  function submit() {
    if (required && !text.trim()) {
      setMissing(true);
      return;
    }
    onSubmit(text.trim());
  }

  return (
    <FormModal opened={opened} title={title} submitLabel={submitLabel} onSubmit={submit} onClose={onClose} pending={pending} error={error}>
      <Textarea label={label} value={text} autosize minRows={3} maxLength={2000} data-autofocus
        required={required} error={missing ? t('reason.required') : undefined}
        onChange={(event) => { setText(event.currentTarget.value); setMissing(false); }} />
    </FormModal>
  );
}
