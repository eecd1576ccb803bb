import { Alert, Button, Group, Modal, Stack } from '@mantine/core';
import { useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorAlert } from './ErrorAlert';

interface Props {
  title: string;
  /** The label of the form's own button (create, save, register). */
  submitLabel: string;
  onSubmit: () => void;
  onClose: () => void;
  /** A dialog mounted only while open leaves this out; one kept mounted passes its state. */
  opened?: boolean;
  size?: string;
  pending: boolean;
  /** The last request's error, shown above the fields. */
  error: unknown;
  /** Said above the fields after a save that keeps the dialog open for the next entry. */
  success?: string | null;
  /** `close` when the dialog stays open after saving (nothing left to cancel), else `cancel`. */
  dismiss?: 'cancel' | 'close';
  children: ReactNode;
}

/**
 * A dialog holding one form: its error (and success) above the fields, then the dismiss
 * and submit buttons. Validation is the caller's: `onSubmit` runs on every submission.
 */
export function FormModal({ title, submitLabel, onSubmit, onClose, opened = true, size, pending, error, success, dismiss = 'cancel', children }: Props) {
  const { t } = useI18n();
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <Modal opened={opened} onClose={onClose} title={title} size={size} centered closeButtonProps={{ 'aria-label': t('common.close') }}>
      <form onSubmit={submit} noValidate>
        <Stack>
          {success && <Alert color="green" variant="light" role="status">{success}</Alert>}
          {error ? <ErrorAlert error={error} /> : null}
          {children}
          <FormActions onDismiss={onClose} dismissLabel={t(dismiss === 'close' ? 'common.close' : 'common.cancel')}
            submitLabel={submitLabel} pending={pending} />
        </Stack>
      </form>
    </Modal>
  );
}

/** A form's buttons, right-aligned: dismiss, then submit. */
export function FormActions({ onDismiss, dismissLabel, submitLabel, pending }: { onDismiss: () => void; dismissLabel: string; submitLabel: string; pending: boolean }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onDismiss}>{dismissLabel}</Button>
      <Button type="submit" loading={pending}>{submitLabel}</Button>
    </Group>
  );
}

/**
 * The problems a form found before sending (field name to message): `check(found)` shows
 * them and says whether there were none, so `if (check(found)) save.mutate()`.
 */
export function useFormProblems(): [Record<string, string>, (found: Record<string, string>) => boolean] {
  const [problems, setProblems] = useState<Record<string, string>>({});
  return [problems, (found) => {
    setProblems(found);
    return Object.keys(found).length === 0;
  }];
}
