import { Alert, Button, Card, Checkbox, FileInput, Group, Progress, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { components } from '../../api/schema';
import { postWithProgress } from '../../api/upload';
import { useI18n } from '../../i18n/I18nProvider';
import { ErrorAlert } from '../../ui/ErrorAlert';
import { PageHeader } from '../../ui/PageHeader';

type ImportResult = components['schemas']['ImportPlanResult'];
const MAX_BYTES = 1_000_000;

/** A plan file (YAML or JSON) uploaded with a progress bar, imported, optionally issued. */
export default function ImportPlanPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [issue, setIssue] = useState(false);
  const [fileProblem, setFileProblem] = useState<'import.noFile' | 'import.tooLarge' | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const problem = !file ? 'import.noFile' : file.size > MAX_BYTES ? 'import.tooLarge' : null;
    setFileProblem(problem);
    if (problem || !file) return;
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const content = await file.text();
      const format = file.name.toLowerCase().endsWith('.json') ? 'json' : 'yaml';
      const reply = await postWithProgress<ImportResult>('/api/v1/plans/import', { content, format, issue }, setProgress);
      setResult(reply);
      void queryClient.invalidateQueries({ queryKey: ['plans'] });
      void queryClient.invalidateQueries({ queryKey: ['progress'] });
    } catch (caught) {
      setError(caught);
    } finally {
      setProgress(null);
    }
  }

  const uploading = progress !== null;
  return (
    <Stack maw={640}>
      <PageHeader title={t('import.title')} subtitle={t('import.subtitle')} />
      <Card withBorder>
        <form onSubmit={submit} noValidate>
          <Stack>
            <FileInput label={t('import.file')} placeholder={t('import.choose')} accept=".yaml,.yml,.json,application/json,application/yaml"
              value={file} onChange={setFile} clearable clearButtonProps={{ 'aria-label': t('import.clear') }} error={fileProblem ? t(fileProblem) : undefined} />
            <Checkbox label={t('import.issue')} checked={issue} onChange={(event) => setIssue(event.currentTarget.checked)} />
            {uploading && (
              <div role="status" aria-live="polite">
                <Text size="sm">{progress < 1 ? t('import.uploading', { percent: Math.round(progress * 100) }) : t('import.processing')}</Text>
                <Progress value={progress * 100} animated={progress >= 1} aria-label={t('import.title')} />
              </div>
            )}
            {error !== null && <ErrorAlert error={error} />}
            {result && (
              <Alert color="green" role="status">
                <Text size="sm">
                  {result.created
                    ? t('import.created', { number: result.plan.number, count: result.tasks })
                    : t('import.unchanged', { number: result.plan.number })}
                </Text>
                <Button component={Link} to={`/plans/${encodeURIComponent(result.plan.id)}`} size="xs" mt="xs" variant="white">
                  {t('overview.open')}
                </Button>
              </Alert>
            )}
            <Group><Button type="submit" loading={uploading}>{t('import.submit')}</Button></Group>
          </Stack>
        </form>
      </Card>
    </Stack>
  );
}
