import { AppShell, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton, VisuallyHidden } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { sessionStore } from '../auth/session';
import { useCurrentUser } from '../auth/useSession';
import type { MessageKey } from '../i18n/catalogue';
import { useI18n } from '../i18n/I18nProvider';
import { Loading } from '../ui/Loading';
import { HeaderBadges } from './HeaderBadges';
import { LanguageSwitch } from './LanguageSwitch';
import { useLive } from './LiveEvents';
import { canOpen, screens } from './screens';

function LiveDot() {
  const { t } = useI18n();
  const { state } = useLive();
  if (state === 'off') return null;
  const label = t(state === 'live' ? 'app.live.connected' : 'app.live.reconnecting');
  return (
    <span title={label} style={{ display: 'inline-flex', alignItems: 'center' }}>
      <span aria-hidden="true" style={{ width: 8, height: 8, borderRadius: 4, background: state === 'live' ? '#2b8a3e' : '#e67700' }} />
      <VisuallyHidden>{label}</VisuallyHidden>
    </span>
  );
}

/** The frame of every signed-in screen: header, role-filtered menu, the screen itself. */
export function Shell() {
  const { t } = useI18n();
  const user = useCurrentUser();
  const location = useLocation();
  const navigate = useNavigate();
  const [opened, { toggle, close }] = useDisclosure(false);
  const menu = screens
    .filter((screen) => screen.nav && canOpen(screen, user))
    .sort((a, b) => (a.nav?.order ?? 0) - (b.nav?.order ?? 0));
  const name = user.display_name || user.username;

  function signOut() {
    sessionStore.signOut();
    navigate('/sign-in', { replace: true });
  }

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a href="#main" className="skip-link">{t('app.skipToContent')}</a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('app.openNavigation')} />
            <Text fw={700} size="md" truncate component={Link} to="/" c="dark.7" style={{ textDecoration: 'none' }}>
              <Text span visibleFrom="sm" inherit>{t('app.title')}</Text>
              <Text span hiddenFrom="sm" inherit>{t('app.shortTitle')}</Text>
            </Text>
            <LiveDot />
          </Group>
          <Group gap="xs" wrap="nowrap">
            <HeaderBadges />
            <Group visibleFrom="sm"><LanguageSwitch /></Group>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton title={t('nav.userMenu', { name })} data-testid="user-menu" px="xs">
                  <Text size="sm" fw={500} truncate maw={160}>{name}</Text>
                  <Text size="xs" c="dimmed" truncate maw={160} visibleFrom="sm">{t(`role.${user.role}` as MessageKey)}</Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={Link} to="/profile">{t('nav.profile')}</Menu.Item>
                <Menu.Item onClick={signOut} data-testid="sign-out">{t('nav.signOut')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('app.mainNavigation')} component="nav">
        <AppShell.Section grow component={ScrollArea}>
          {menu.map((screen) => {
            const to = '/' + screen.path;
            return (
              <NavLink
                key={screen.id}
                component={Link}
                to={to}
                label={t(screen.nav!.label)}
                active={location.pathname === to || location.pathname.startsWith(to + '/')}
                onClick={close}
              />
            );
          })}
        </AppShell.Section>
        <AppShell.Section hiddenFrom="sm" p="xs"><LanguageSwitch /></AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
