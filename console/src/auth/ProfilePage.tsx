import { Alert, Button, Card, Group, PasswordInput, SimpleGrid, Stack, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, unwrap } from '../api/client';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorAlert } from '../ui/ErrorAlert';
import { Fact } from '../ui/Fact';
import { PageHeader } from '../ui/PageHeader';
import { sessionStore, tokenExpiry } from './session';
import { useCurrentUser } from './useSession';

function ChangePassword() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [problem, setProblem] = useState<MessageKey | null>(null);
  const change = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/v1/users/me/password', { body: { current_password: current, new_password: next } })),
    onSuccess: (token) => {
      // The change revoked every earlier token: this session goes on with the new one.
      sessionStore.signIn({ token: token.access_token, expiresAt: tokenExpiry(token.access_token, token.expires_in), user });
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    const found: MessageKey | null = next.length < 12 ? 'profile.passwordTooShort'
      : next !== repeat ? 'profile.passwordMismatch' : null;
    setProblem(found);
    if (!found) change.mutate();
  }

  return (
    <Card withBorder maw={480}>
      <form onSubmit={submit} noValidate>
        <Stack>
          <Title order={2} size="h4">{t('profile.changePassword')}</Title>
          {change.isSuccess && <Alert color="green" role="status">{t('profile.passwordChanged')}</Alert>}
          {change.isError && <ErrorAlert error={change.error} />}
          <PasswordInput label={t('profile.currentPassword')} autoComplete="current-password" value={current}
            onChange={(event) => setCurrent(event.currentTarget.value)} required />
          <PasswordInput label={t('profile.newPassword')} autoComplete="new-password" value={next}
            onChange={(event) => setNext(event.currentTarget.value)} required
            error={problem === 'profile.passwordTooShort' ? t(problem) : undefined} />
          <PasswordInput label={t('profile.confirmPassword')} autoComplete="new-password" value={repeat}
            onChange={(event) => setRepeat(event.currentTarget.value)} required
            error={problem === 'profile.passwordMismatch' ? t(problem) : undefined} />
          <Group><Button type="submit" loading={change.isPending}>{t('profile.save')}</Button></Group>
        </Stack>
      </form>
    </Card>
  );
}

export default function ProfilePage() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const unit = useQuery({
    queryKey: ['units', user.unit_id],
    queryFn: () => unwrap(api.GET('/api/v1/units/{unit_id}', { params: { path: { unit_id: user.unit_id! } } })),
    enabled: !!user.unit_id,
  });
  return (
    <Stack>
      <PageHeader title={t('profile.title')} />
      <Card withBorder maw={720}>
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <Fact label={t('profile.username')} value={user.username} />
          <Fact label={t('profile.displayName')} value={user.display_name || '—'} />
          <Fact label={t('profile.role')} value={t(`role.${user.role}` as MessageKey)} />
          <Fact label={t('profile.unit')} value={user.unit_id ? unit.data?.name ?? user.unit_id : t('profile.noUnit')} />
        </SimpleGrid>
      </Card>
      <ChangePassword />
    </Stack>
  );
}
