import { Alert, Box, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { homePathFor, prefetchHomeData, preloadLandingScreens } from '../app/screens';
import { LanguageSwitch } from '../app/LanguageSwitch';
import { useI18n } from '../i18n/I18nProvider';
import { ErrorAlert } from '../ui/ErrorAlert';
import { signIn } from './signIn';
import { useSessionState } from './useSession';

/** Only paths inside the console are followed after sign-in (never another site). */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

export function SignInPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const state = useSessionState();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [missing, setMissing] = useState<{ username?: boolean; password?: boolean }>({});
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));
  useEffect(preloadLandingScreens, []);

  if (state.status === 'signed-in' && !busy) {
    const { user } = state.session;
    return <Navigate to={next ?? homePathFor(user.role, user.permissions)} replace />;
  }

  /** What the two credentials' inputs share: label, value, and the hint when left empty. */
  function credential(field: 'username' | 'password', value: string, setValue: (value: string) => void) {
    const label = t(field === 'username' ? 'auth.username' : 'auth.password');
    return {
      label, name: field, value, required: true,
      onChange: (event: { currentTarget: { value: string } }) => setValue(event.currentTarget.value),
      error: missing[field] ? t('auth.required', { field: label.toLowerCase() }) : undefined,
    };
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const gaps = { username: !username.trim(), password: !password };
    setMissing(gaps);
    if (gaps.username || gaps.password) return;
    setBusy(true);
    setError(null);
    try {
      const user = await signIn(username.trim(), password);
      if (!next) prefetchHomeData(user);
      navigate(next ?? homePathFor(user.role, user.permissions), { replace: true });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Box w="100%" maw={420}>
        <main>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            <form onSubmit={submit} noValidate>
              <Stack>
                <div>
                  <Text size="sm" c="dimmed">{t('app.department')}</Text>
                  <Title order={1} size="h2">{t('app.title')}</Title>
                </div>
                <Text size="sm">{t('auth.intro')}</Text>
                {params.get('expired') && <Alert color="yellow" role="status">{t('auth.expired')}</Alert>}
                {error !== null && <ErrorAlert error={error} />}
                <TextInput {...credential('username', username, setUsername)} autoComplete="username"
                  autoCapitalize="none" data-autofocus />
                <PasswordInput {...credential('password', password, setPassword)}
                  autoComplete="current-password" />
                <Button type="submit" loading={busy} fullWidth>{t('auth.submit')}</Button>
              </Stack>
            </form>
          </Paper>
          <Center mt="md"><LanguageSwitch /></Center>
        </main>
      </Box>
    </Center>
  );
}
