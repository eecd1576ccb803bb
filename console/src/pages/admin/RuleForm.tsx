import { MultiSelect, NumberInput, Select, SimpleGrid, Switch, TextInput } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import { label } from '../../i18n/labels';
import { useI18n } from '../../i18n/I18nProvider';
import { FormModal } from '../../ui/FormModal';
import { useTopics } from '../monitoring/options';

type Rule = components['schemas']['AlertRuleModel'];
type Severity = Rule['severity'];
const SEVERITIES = ['info', 'warning', 'high', 'critical'] as const;
const list = (text: string) => text.split(',').map((part) => part.trim()).filter(Boolean);

/** Creates or edits an alert rule (topics, keywords, places, harmful score, severity). */
export function RuleForm({ rule, onClose }: { rule: Rule | null; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const topics = useTopics();
  const [id, setId] = useState(rule?.id ?? '');
  const [chosen, setChosen] = useState<string[]>(rule?.topics ?? []);
  const [keywords, setKeywords] = useState((rule?.keywords ?? []).join(', '));
  const [places, setPlaces] = useState((rule?.places ?? []).join(', '));
  const [harmful, setHarmful] = useState<number | string>(Math.round((rule?.min_harmful ?? 0) * 100));
  const [severity, setSeverity] = useState<Severity>(rule?.severity ?? 'warning');
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [idProblem, setIdProblem] = useState(false);
  const save = useMutation({
    mutationFn: () => unwrap(api.PUT('/api/v1/alert-rules/{rule_id}', {
      params: { path: { rule_id: id.trim() } },
      body: {
        topics: chosen, keywords: list(keywords), places: list(places), min_topic_confidence: rule?.min_topic_confidence ?? 0.5,
        min_harmful: Number(harmful || 0) / 100, severity, max_per_hour: rule?.max_per_hour ?? 5, count: rule?.count ?? 'items', enabled,
      },
    })),
    onSuccess: () => { void queryClient.invalidateQueries({ queryKey: ['alert-rules'] }); onClose(); },
  });
  function submit() {
    const bad = !/^[a-z0-9_-]+$/.test(id.trim());
    setIdProblem(bad);
    if (!bad) save.mutate();
  }
  return (
    <FormModal title={rule ? t('taxonomy.editNamed', { name: rule.id }) : t('taxonomy.newRule')} submitLabel={t('taxonomy.saveRule')} size="lg"
      onSubmit={submit} onClose={onClose} pending={save.isPending} error={save.error}>
      <TextInput label={t('taxonomy.id')} required disabled={!!rule} value={id} onChange={(event) => setId(event.currentTarget.value)}
        error={idProblem ? t('sources.idInvalid') : undefined} data-autofocus />
      <MultiSelect label={t('taxonomy.ruleTopics')} searchable value={chosen} onChange={setChosen}
        data={topics.topics.map((topic) => ({ value: topic.id, label: topic.label }))} />
      <TextInput label={t('taxonomy.keywords')} value={keywords} onChange={(event) => setKeywords(event.currentTarget.value)} />
      <TextInput label={t('taxonomy.places')} value={places} onChange={(event) => setPlaces(event.currentTarget.value)} />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <NumberInput label={t('taxonomy.minHarmful')} min={0} max={100} value={harmful} onChange={setHarmful} />
        <Select label={t('taxonomy.severity')} allowDeselect={false} value={severity} onChange={(value) => setSeverity((value ?? 'warning') as Severity)}
          data={SEVERITIES.map((value) => ({ value, label: label(t, 'severity', value) }))} />
      </SimpleGrid>
      <Switch label={t('taxonomy.enabled')} checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
    </FormModal>
  );
}
