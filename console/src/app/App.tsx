import { Button, Stack, Text, Title } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, Link, Navigate, RouterProvider } from 'react-router';
import { RequireSession } from '../auth/RequireSession';
import { SignInPage } from '../auth/SignInPage';
import { useCurrentUser } from '../auth/useSession';
import { useI18n } from '../i18n/I18nProvider';
import { LiveEventsProvider } from './LiveEvents';
import { queryClient } from './queryClient';
import type { Screen } from './screen';
import { canOpen, homePathFor, screens } from './screens';
import { Shell } from './Shell';


function NotFound() {
  const { t } = useI18n();
  return (
    <Stack align="flex-start">
      <Title order={1} size="h2">{t('app.notFound.title')}</Title>
      <Text>{t('app.notFound.body')}</Text>
      <Button component={Link} to="/">{t('app.backHome')}</Button>
    </Stack>
  );
}

function Home() {
  const user = useCurrentUser();
  return <Navigate to={homePathFor(user.role, user.permissions, user.unit_id)} replace />;
}

/** A screen the role may not open looks like a screen that does not exist. */
function Guarded({ screen }: { screen: Screen }) {
  const user = useCurrentUser();
  if (!canOpen(screen, user)) return <NotFound />;
  const Component = screen.component;
  return <Component />;
}

const router = createBrowserRouter(
  [
    { path: '/sign-in', element: <SignInPage /> },
    {
      path: '/',
      element: (
        <RequireSession>
          <LiveEventsProvider>
            <Shell />
          </LiveEventsProvider>
        </RequireSession>
      ),
      children: [
        { index: true, element: <Home /> },
        ...screens.map((screen) => ({ path: screen.path, element: <Guarded screen={screen} /> })),
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/console' },
);

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
