import { NumberInput, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useUnits } from '../../api/queries';
import { useI18n } from '../../i18n/I18nProvider';
import { FormModal, useFormProblems } from '../../ui/FormModal';
import { useFieldError } from '../../ui/useFieldError';

type Body = components['schemas']['SourceBody'];
const KINDS = ['feed', 'page', 'social'] as const;
const ID = /^[A-Za-z0-9_.:-]+$/;

/**
 * Registers a source. The gateway checks the URL as a fetch would (no private, loopback or
 * metadata addresses): a refused URL is explained under the field with its reason.
 */
export function SourceForm({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const units = useUnits();
  const [draft, setDraft] = useState({ id: '', name: '', kind: 'feed' as Body['kind'], url: '', outlet: null as string | null, minutes: 15 });
  const [problems, check] = useFormProblems();
  const save = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sources', {
      body: {
        id: draft.id.trim(), name: draft.name.trim(), kind: draft.kind, channel: draft.kind === 'social' ? 'social' : 'press',
        url: draft.url.trim() || null, outlet_unit_id: draft.outlet, poll_interval_seconds: draft.minutes * 60,
      } as Body,
    })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ['sources'] }),
  });
  const fieldError = useFieldError(save.error);
  const update = (changes: Partial<typeof draft>) => setDraft((current) => ({ ...current, ...changes }));

  function submit() {
    const found: Record<string, string> = {};
    if (!ID.test(draft.id.trim())) found.id = t('sources.idInvalid');
    if (!draft.name.trim()) found.name = t('compose.required');
    const url = draft.url.trim();
    if (draft.kind !== 'social' && !url) found.url = t('sources.urlRequired');
    else if (url && !/^https?:\/\//i.test(url)) found.url = t('sources.urlScheme');
    if (check(found)) save.mutate();
  }

  return (
    <FormModal opened={opened} title={t('sources.register')} submitLabel={t('sources.register')} size="lg" dismiss="close" onSubmit={submit} onClose={onClose}
      pending={save.isPending} error={save.error} success={save.isSuccess ? t('sources.saved', { name: save.data.name }) : null}>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput label={t('sources.field.id')} required value={draft.id} onChange={(event) => update({ id: event.currentTarget.value })}
          error={problems.id ?? fieldError('id')} data-autofocus />
        <TextInput label={t('sources.field.name')} required value={draft.name} onChange={(event) => update({ name: event.currentTarget.value })}
          error={problems.name ?? fieldError('name')} />
        <Select label={t('sources.field.kind')} allowDeselect={false} value={draft.kind} onChange={(kind) => update({ kind: (kind ?? 'feed') as Body['kind'] })}
          data={KINDS.map((value) => ({ value, label: t(`sources.kind.${value}`) }))} />
        <NumberInput label={t('sources.field.interval')} min={1} max={1440} value={draft.minutes}
          onChange={(value) => update({ minutes: Number(value) || 15 })} />
      </SimpleGrid>
      <TextInput label={t('sources.field.url')} placeholder={t('sources.field.urlHint')} type="url" value={draft.url}
        onChange={(event) => update({ url: event.currentTarget.value })} error={problems.url ?? fieldError('url', 'source.url')} />
      <Select label={t('sources.field.outlet')} clearable searchable value={draft.outlet} onChange={(outlet) => update({ outlet })}
        data={(units.data ?? []).filter((unit) => unit.type === 'press_outlet').map((unit) => ({ value: unit.id, label: unit.name }))} />
    </FormModal>
  );
}
