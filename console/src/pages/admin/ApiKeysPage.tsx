import { Button, MultiSelect, NumberInput, SimpleGrid, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import { PAGE_SIZE, useCursorList } from '../../api/pagination';
import type { components } from '../../api/schema';
import { formatDateTime, provinceInputToIso } from '../../i18n/format';
import { useI18n } from '../../i18n/I18nProvider';
import { ActionButton } from '../../ui/ActionButton';
import { FormModal, useFormProblems } from '../../ui/FormModal';
import { PageHeader } from '../../ui/PageHeader';
import { PagedTable, type Column } from '../../ui/PagedTable';
import { SecretOnce } from '../../ui/SecretOnce';
import { StatusBadge } from '../../ui/StatusBadge';
import { useFormMutation } from '../../ui/useFormMutation';

type ApiKey = components['schemas']['ApiKey'];
type Body = components['schemas']['ApiKeyCreate'];
type Scope = Body['scopes'][number];
const SCOPES: Scope[] = ['alerts:read', 'coverage:read', 'events:read', 'items:read', 'items:write', 'notices:read', 'plans:read',
  'reports:read', 'sources:read', 'subscriptions:read', 'subscriptions:write', 'tasks:read', 'translations:read', 'units:read'];

function CreateKey({ onCreated, onClose }: { onCreated: (key: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [rate, setRate] = useState<number | string>('');
  const [expires, setExpires] = useState('');
  const [problems, check] = useFormProblems();
  const { mutation: create, fieldError } = useFormMutation(
    () => unwrap(api.POST('/api/v1/api-keys', {
      body: { name: name.trim(), scopes: scopes as Scope[], rate_limit_per_minute: rate === '' ? null : Number(rate), expires_at: provinceInputToIso(expires) },
    })),
    ['api-keys'], (created) => onCreated(created.key));
  function submit() {
    const found: Record<string, string> = {};
    if (!name.trim()) found.name = t('compose.required');
    if (!scopes.length) found.scopes = t('keys.scopesRequired');
    if (check(found)) create.mutate();
  }
  return (
    <FormModal title={t('keys.create')} submitLabel={t('keys.create')} size="lg" onSubmit={submit} onClose={onClose}
      pending={create.isPending} error={create.error}>
      <TextInput label={t('keys.name')} required data-autofocus value={name} onChange={(event) => setName(event.currentTarget.value)}
        error={problems.name ?? fieldError('name')} />
      <MultiSelect label={t('keys.scopes')} required searchable data={SCOPES} value={scopes} onChange={setScopes}
        error={problems.scopes ?? fieldError('scopes')} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NumberInput label={t('keys.rateLimit')} min={1} max={1_000_000} value={rate} onChange={setRate} />
        <TextInput type="datetime-local" label={t('keys.expires')} value={expires} onChange={(event) => setExpires(event.currentTarget.value)} />
      </SimpleGrid>
    </FormModal>
  );
}

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const { t } = useI18n();
  if (apiKey.revoked_at) return null;
  return (
    <ActionButton label={t('keys.revoke')} ariaLabel={t('keys.revokeNamed', { name: apiKey.name })} refreshes={['api-keys']}
      run={() => unwrap(api.DELETE('/api/v1/api-keys/{key_id}', { params: { path: { key_id: apiKey.id } } }))} />
  );
}

/** API keys of other systems: created with scopes, the key shown once with a copy button. */
export default function ApiKeysPage() {
  const { t } = useI18n();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const list = useCursorList(['api-keys', 'list'], (cursor) => unwrap(api.GET('/api/v1/api-keys', { params: { query: { cursor, limit: PAGE_SIZE } } })));
  const columns: Column<ApiKey>[] = [
    { key: 'name', header: t('keys.name'), render: (key) => key.name },
    { key: 'prefix', header: t('keys.prefix'), narrow: true, render: (key) => <code>{key.prefix}</code> },
    { key: 'scopes', header: t('keys.scopes'), render: (key) => key.scopes.join(', ') },
    { key: 'created', header: t('keys.created'), narrow: true, render: (key) => formatDateTime(key.created_at) },
    { key: 'state', header: t('keys.state'), narrow: true, render: (key) => <StatusBadge label={t(key.revoked_at ? 'keys.revoked' : 'keys.valid')} tone={key.revoked_at ? 'neutral' : 'good'} /> },
    { key: 'actions', header: t('common.actions'), narrow: true, render: (key) => <RevokeButton apiKey={key} /> },
  ];
  return (
    <>
      <PageHeader title={t('keys.title')} subtitle={t('keys.subtitle')} actions={<Button onClick={() => { setSecret(null); setCreating(true); }}>{t('keys.create')}</Button>} />
      {secret && <Stack mb="md"><SecretOnce title={t('keys.shownOnce')} secret={secret} onDone={() => setSecret(null)} /></Stack>}
      <PagedTable list={list} columns={columns} rowKey={(key) => key.id} label={t('keys.table')} />
      {creating && <CreateKey onClose={() => setCreating(false)} onCreated={(key) => { setCreating(false); setSecret(key); }} />}
    </>
  );
}
