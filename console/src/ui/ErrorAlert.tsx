import { Alert, Button, Group, List, Text } from '@mantine/core';
import { describeError, fieldDetail } from '../api/problem';
import { useI18n } from '../i18n/I18nProvider';

/** An API error in words a person understands, with what to do next (and a retry). */
export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const described = describeError(error);
  return (
    <Alert color="red" variant="light" title={t(described.title, described.params)} role="alert">
      <Text size="sm">{t(described.action, described.params)}</Text>
      {described.fields.length > 0 && (
        <>
          <Text size="sm" mt="xs">{t('error.fields')}</Text>
          <List size="sm">
            {described.fields.map((field) => (
              <List.Item key={field.field + field.message}>
                <code>{field.field || '—'}</code>: {t(field.message)}{fieldDetail(error, field) ? ` (${t(fieldDetail(error, field)!)})` : ''}
              </List.Item>
            ))}
          </List>
        </>
      )}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>{t('common.retry')}</Button>
        </Group>
      )}
    </Alert>
  );
}
