import { Textarea, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { useI18n } from '../../i18n/I18nProvider';
import { FormModal, useFormProblems } from '../../ui/FormModal';
import { useFieldError } from '../../ui/useFieldError';

type Topic = components['schemas']['TopicModel'];

/** `term = 0.8` lines to terms; the first line that is not one, or null. */
export function parseTerms(text: string): { terms: Record<string, number>; bad: string | null } {
  const terms: Record<string, number> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const match = /^(.+?)\s*=\s*(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(line);
    if (!match) return { terms, bad: line };
    terms[match[1]!.trim()] = Number(match[2]);
  }
  return { terms, bad: null };
}

/** Creates or edits a topic's label and terms; its exclusions and proximity rules are kept. */
export function TopicForm({ topic, onClose }: { topic: Topic | null; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [id, setId] = useState(topic?.id ?? '');
  const [labelText, setLabel] = useState(topic?.label ?? '');
  const [termsText, setTerms] = useState(Object.entries(topic?.terms ?? {}).map(([term, weight]) => `${term} = ${weight}`).join('\n'));
  const [problems, check] = useFormProblems();
  const save = useMutation({
    mutationFn: (terms: Record<string, number>) => unwrap(api.PUT('/api/v1/topics/{topic_id}', {
      params: { path: { topic_id: id.trim() } },
      body: { label: labelText.trim(), threshold: topic?.threshold ?? null, terms, exclude: topic?.exclude ?? [], veto: topic?.veto ?? [], rules: topic?.rules ?? [] },
    })),
    onSuccess: () => { void queryClient.invalidateQueries({ queryKey: ['topics'] }); onClose(); },
  });
  const fieldError = useFieldError(save.error);
  function submit() {
    const parsed = parseTerms(termsText);
    const found: Record<string, string> = {};
    if (!/^[a-z0-9_]+$/.test(id.trim())) found.id = t('sources.idInvalid');
    if (!labelText.trim()) found.label = t('compose.required');
    if (parsed.bad) found.terms = t('taxonomy.termsInvalid', { line: parsed.bad });
    if (check(found)) save.mutate(parsed.terms);
  }
  return (
    <FormModal title={topic ? t('taxonomy.editNamed', { name: topic.label }) : t('taxonomy.newTopic')} submitLabel={t('taxonomy.saveTopic')} size="lg"
      onSubmit={submit} onClose={onClose} pending={save.isPending} error={save.error}>
      <TextInput label={t('taxonomy.id')} required disabled={!!topic} value={id} onChange={(event) => setId(event.currentTarget.value)} error={problems.id} />
      <TextInput label={t('taxonomy.label')} required data-autofocus value={labelText} onChange={(event) => setLabel(event.currentTarget.value)}
        error={problems.label ?? fieldError('label')} />
      <Textarea label={t('taxonomy.terms')} autosize minRows={6} value={termsText} onChange={(event) => setTerms(event.currentTarget.value)}
        error={problems.terms ?? fieldError('terms')} />
    </FormModal>
  );
}
