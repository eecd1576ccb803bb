import { Button, Group, PasswordInput, Stack } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import { useUnits } from '../../api/queries';
import type { components } from '../../api/schema';
import { useCurrentUser } from '../../auth/useSession';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { FormModal } from '../../ui/FormModal';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { StatusBadge } from '../../ui/StatusBadge';
import { useFieldError } from '../../ui/useFieldError';
import { MIN_PASSWORD, UserForm } from './UserForm';

type User = components['schemas']['User'];

function ResetPassword({ user, onClose }: { user: User; onClose: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [short, setShort] = useState(false);
  const reset = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } }, body: { password } })),
  });
  const fieldError = useFieldError(reset.error);
  function submit() {
    setShort(password.length < MIN_PASSWORD);
    if (password.length >= MIN_PASSWORD) reset.mutate();
  }
  return (
    <FormModal title={t('users.resetTitle', { username: user.username })} submitLabel={t('users.resetPassword')} dismiss="close" onSubmit={submit} onClose={onClose}
      pending={reset.isPending} error={reset.error} success={reset.isSuccess ? t('users.passwordReset', { username: user.username }) : null}>
      <PasswordInput visibilityToggleButtonProps={{ 'aria-label': t('password.toggle') }} label={t('users.newPassword')} autoComplete="new-password" data-autofocus value={password}
        onChange={(event) => setPassword(event.currentTarget.value)} error={short ? t('users.passwordShort') : fieldError('password')} />
    </FormModal>
  );
}

function UserActions({ user, onReset }: { user: User; onReset: () => void }) {
  const { t } = useI18n();
  const me = useCurrentUser();
  const queryClient = useQueryClient();
  const toggle = useMutation({
    mutationFn: () => unwrap(api.PATCH('/api/v1/users/{user_id}', { params: { path: { user_id: user.id } }, body: { active: !user.active } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
  const action = t(user.active ? 'users.deactivate' : 'users.reactivate');
  return (
    <Stack gap={4}>
      <Group gap={4} wrap="nowrap">
        {user.id !== me.id && (
          <Button size="compact-sm" variant="outline" color={user.active ? 'red.9' : 'green.9'} loading={toggle.isPending}
            onClick={() => toggle.mutate()} aria-label={t('users.actionOn', { action, username: user.username })}>
            {action}
          </Button>
        )}
        <Button size="compact-sm" variant="light" onClick={onReset}
          aria-label={t('users.actionOn', { action: t('users.resetPassword'), username: user.username })}>
          {t('users.resetPassword')}
        </Button>
      </Group>
      {toggle.isError && <ErrorAlert error={toggle.error} />}
    </Stack>
  );
}

/** Users and their roles: create, deactivate or reactivate, reset a password (admins). */
export default function UsersPage() {
  const { t } = useI18n();
  const units = useUnits();
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<User | null>(null);
  const list = useCursorList(['users', 'list'], (cursor) => unwrap(api.GET('/api/v1/users', { params: { query: { cursor, limit: PAGE_SIZE } } })));
  const columns: Column<User>[] = [
    { key: 'username', header: t('users.username'), render: (user) => user.username },
    { key: 'name', header: t('users.displayName'), render: (user) => user.display_name || '—' },
    { key: 'role', header: t('users.role'), narrow: true, render: (user) => t(`role.${user.role}` as MessageKey) },
    { key: 'unit', header: t('users.unit'), render: (user) => units.name(user.unit_id) || '—' },
    { key: 'status', header: t('users.status'), narrow: true, render: (user) => <StatusBadge label={t(user.active ? 'users.active' : 'users.inactive')} tone={user.active ? 'good' : 'neutral'} /> },
    { key: 'actions', header: t('common.actions'), narrow: true, render: (user) => <UserActions user={user} onReset={() => setResetting(user)} /> },
  ];
  return (
    <>
      <PageHeader title={t('users.title')} actions={<Button onClick={() => setCreating(true)}>{t('users.create')}</Button>} />
      <PagedTable list={list} columns={columns} rowKey={(user) => user.id} label={t('users.table')} />
      <UserForm opened={creating} onClose={() => setCreating(false)} />
      {resetting && <ResetPassword user={resetting} onClose={() => setResetting(null)} />}
    </>
  );
}
