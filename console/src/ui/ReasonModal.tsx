import { Button, Group, Modal, Stack, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorAlert } from './ErrorAlert';

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

  function submit(event: FormEvent) {
    event.preventDefault();
    if (required && !text.trim()) {
      setMissing(true);
      return;
    }
    onSubmit(text.trim());
  }

  return (
    <Modal opened={opened} onClose={onClose} title={title} centered closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {error ? <ErrorAlert error={error} /> : null}
          <Textarea label={label} value={text} autosize minRows={3} maxLength={2000} data-autofocus
            required={required} error={missing ? t('reason.required') : undefined}
            onChange={(event) => { setText(event.currentTarget.value); setMissing(false); }} />
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
            <Button type="submit" loading={pending}>{submitLabel}</Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
