import { ActionIcon, Indicator, Tooltip, VisuallyHidden } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { useCan, useCurrentUser } from '../auth/useSession';
import { useI18n } from '../i18n/I18nProvider';
import { useLiveEvent } from './LiveEvents';
import { screenPath } from './screens';

function BellIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
    </svg>
  );
}

function MailIcon() {
  return (
    <svg width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
      <rect x="2" y="4" width="20" height="16" rx="2" />
      <path d="m22 7-10 6L2 7" />
    </svg>
  );
}

/** Notices this unit has not acknowledged (refreshed live by notification events). */
function InboxBadge({ unitId }: { unitId: string }) {
  const { t } = useI18n();
  const { data } = useQuery({
    queryKey: ['inbox', 'badge', unitId],
    queryFn: () =>
      unwrap(api.GET('/api/v1/inbox', { params: { query: { unit_id: unitId, unacknowledged_only: true, limit: 200 } } })),
  });
  const count = data ? data.items.length : 0;
  const label = t('nav.inboxBadge', { count: data?.next_cursor ? `${count}+` : count });
  const target = screenPath('inbox') ?? '/profile';
  return (
    <Tooltip label={label}>
      <Indicator label={count} size={16} disabled={!count} color="red.8">
        <ActionIcon component={Link} to={target} variant="subtle" size="lg" aria-label={label} data-testid="inbox-badge">
          <MailIcon />
        </ActionIcon>
      </Indicator>
    </Tooltip>
  );
}

/** Alerts raised since this page was opened, counted live from the event stream. */
function AlertsBadge() {
  const { t } = useI18n();
  const [count, setCount] = useState(0);
  useLiveEvent(['monitoring.alert_raised'], () => setCount((value) => value + 1));
  const label = t('nav.alertsBadge', { count });
  const target = screenPath('alerts');
  const icon = (
    <Indicator label={count} size={16} disabled={!count} color="red.8">
      <BellIcon />
    </Indicator>
  );
  return (
    <Tooltip label={label}>
      {target ? (
        <ActionIcon component={Link} to={target} onClick={() => setCount(0)} variant="subtle" size="lg" aria-label={label} data-testid="alerts-badge">
          {icon}
        </ActionIcon>
      ) : (
        <span data-testid="alerts-badge">{icon}<VisuallyHidden>{label}</VisuallyHidden></span>
      )}
    </Tooltip>
  );
}

export function HeaderBadges() {
  const user = useCurrentUser();
  const can = useCan();
  return (
    <>
      {user.unit_id && can('notices:ack') && <InboxBadge unitId={user.unit_id} />}
      {can('alerts:read') && <AlertsBadge />}
    </>
  );
}
