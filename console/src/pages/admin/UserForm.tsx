import { PasswordInput, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { useUnits } from '../../api/queries';
import type { components } from '../../api/schema';
import type { MessageKey } from '../../i18n/catalogue';
import { useI18n } from '../../i18n/I18nProvider';
import { FormModal, useFormProblems } from '../../ui/FormModal';
import { useFieldError } from '../../ui/useFieldError';

type Role = components['schemas']['Role'];
export const ROLES: Role[] = ['admin', 'officer', 'outlet_editor', 'local_officer', 'translator', 'viewer'];
const UNIT_ROLES: Role[] = ['outlet_editor', 'local_officer'];
export const MIN_PASSWORD = 12;

/** Creates a user; a unit-scoped role needs its unit, a weak password is explained under it. */
export function UserForm({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const units = useUnits();
  const [draft, setDraft] = useState({ username: '', displayName: '', role: 'officer' as Role, unit: null as string | null, password: '' });
  const [problems, check] = useFormProblems();
  const create = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users', {
      body: {
        username: draft.username.trim(), password: draft.password, role: draft.role,
        unit_id: UNIT_ROLES.includes(draft.role) ? draft.unit : null, display_name: draft.displayName.trim() || null,
      },
    })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['users'] });
      setDraft((current) => ({ ...current, username: '', displayName: '', password: '' }));
    },
  });
  const fieldError = useFieldError(create.error);
  const update = (changes: Partial<typeof draft>) => setDraft((current) => ({ ...current, ...changes }));

  function submit() {
    const found: Record<string, string> = {};
    if (!/^[a-z0-9][a-z0-9._-]{1,62}$/.test(draft.username.trim())) found.username = t('users.usernameHint');
    if (draft.password.length < MIN_PASSWORD) found.password = t('users.passwordShort');
    if (UNIT_ROLES.includes(draft.role) && !draft.unit) found.unit = t('users.unitRequired');
    if (check(found)) create.mutate();
  }

  return (
    <FormModal opened={opened} title={t('users.create')} submitLabel={t('users.create')} size="lg" dismiss="close" onSubmit={submit} onClose={onClose}
      pending={create.isPending} error={create.error} success={create.isSuccess ? t('users.created', { username: create.data.username }) : null}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={t('users.username')} description={t('users.usernameHint')} required autoComplete="off" data-autofocus
          value={draft.username} onChange={(event) => update({ username: event.currentTarget.value })}
          error={problems.username ?? fieldError('username')} />
        <TextInput label={t('users.displayName')} value={draft.displayName} onChange={(event) => update({ displayName: event.currentTarget.value })} />
        <Select label={t('users.role')} allowDeselect={false} value={draft.role} onChange={(role) => update({ role: (role ?? 'officer') as Role })}
          data={ROLES.map((role) => ({ value: role, label: t(`role.${role}` as MessageKey) }))} />
        {UNIT_ROLES.includes(draft.role) && (
          <Select label={t('users.unit')} required searchable value={draft.unit} onChange={(unit) => update({ unit })}
            data={(units.data ?? []).map((unit) => ({ value: unit.id, label: unit.name }))} error={problems.unit ?? fieldError('unit_id')} />
        )}
      </SimpleGrid>
      <PasswordInput visibilityToggleButtonProps={{ 'aria-label': t('password.toggle') }} label={t('users.password')} required autoComplete="new-password" value={draft.password}
        onChange={(event) => update({ password: event.currentTarget.value })} error={problems.password ?? fieldError('password')} />
    </FormModal>
  );
}
