import { Alert, MultiSelect, Stack, Text } from '@mantine/core';
import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { api, unwrap } from '../../api/client';
import { fetchAll } from '../../api/pagination';
import { useUnits } from '../../api/queries';
import { formatDate } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';

interface Props {
  /** The organisation's date (yyyy-mm-dd): units valid then, groups resolved then. */
  asOf: string;
  units: string[];
  groups: string[];
  onUnits: (ids: string[]) => void;
  onGroups: (ids: string[]) => void;
  /** Every unit the notice goes to (chosen units and the groups' units), once known. */
  onResolved: (unitIds: string[]) => void;
  error?: string;
}

/**
 * Units and groups of units, as the organisation was on `asOf` (a 2021 plan's notice goes to
 * the 2021 district offices). Groups are resolved here so the officer sees exactly which units
 * will receive the notice before sending it.
 */
export function RecipientPicker({ asOf, units, groups, onUnits, onGroups, onResolved, error }: Props) {
  const { t } = useI18n();
  const unitList = useUnits(asOf);
  const groupList = useQuery({
    queryKey: ['units', 'groups'],
    queryFn: () => fetchAll((cursor) => unwrap(api.GET('/api/v1/unit-groups', { params: { query: { cursor, limit: 200 } } }))),
    staleTime: 5 * 60_000,
  });
  const resolved = useQueries({
    queries: groups.map((groupId) => ({
      queryKey: ['units', 'group', groupId, asOf],
      queryFn: () =>
        unwrap(api.GET('/api/v1/unit-groups/{group_id}/units', { params: { path: { group_id: groupId }, query: { as_of: asOf } } })),
      staleTime: 5 * 60_000,
    })),
  });
  const resolvedKey = resolved.map((query) => query.data?.unit_ids.join(',') ?? '?').join('|');
  const everyone = useMemo(() => {
    const all = new Set(units);
    for (const query of resolved) query.data?.unit_ids.forEach((id) => all.add(id));
    return [...all];
    // resolvedKey stands for the resolved groups' contents.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [units, resolvedKey]);
  const pending = resolved.some((query) => query.isPending);
  useEffect(() => {
    if (!pending) onResolved(everyone);
  }, [everyone, pending, onResolved]);

  const groupName = (id: string) => groupList.data?.find((group) => group.id === id)?.name ?? id;
  const emptyGroups = groups.filter((_, index) => resolved[index]?.data && !resolved[index]?.data?.unit_ids.length);
  const failed = resolved.find((query) => query.error)?.error ?? unitList.error ?? groupList.error;

  // What both lists share: searchable, clearable, said empty when nothing matches.
  const choice = (options: { id: string; name: string }[] | undefined, value: string[], onChange: (ids: string[]) => void) => ({
    data: (options ?? []).map((option) => ({ value: option.id, label: option.name })),
    value, onChange, searchable: true, clearable: true, nothingFoundMessage: t('common.empty'),
  });

  return (
    <Stack gap="xs">
      <MultiSelect {...choice(unitList.data, units, onUnits)} label={t('compose.units')} error={error} data-testid="recipient-units" />
      <MultiSelect {...choice(groupList.data, groups, onGroups)} label={t('compose.groups')} description={t('compose.groupsHint')}
        data-testid="recipient-groups" />
      {failed ? <ErrorAlert error={failed} /> : null}
      {emptyGroups.map((id) => (
        <Alert key={id} color="orange" variant="light">{t('compose.groupEmpty', { group: groupName(id), date: formatDate(asOf) })}</Alert>
      ))}
      <Text size="sm" fw={500} aria-live="polite" data-testid="recipient-count">
        {t('compose.recipientsSummary', { count: everyone.length })}
        {everyone.length > 0 && everyone.length <= 12 ? `: ${everyone.map((id) => unitList.name(id)).join(', ')}` : ''}
      </Text>
    </Stack>
  );
}
