import { Alert, Button, Code, CopyButton, Group, Stack, Text } from '@mantine/core';
import { useI18n } from '../i18n/I18nProvider';

/**
 * A secret the gateway shows once (an API key, a webhook signing secret): displayed with a
 * copy button and a warning, then gone for good when the person closes it.
 */
export function SecretOnce({ title, secret, onDone }: { title: string; secret: string; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <Alert color="orange" variant="light" title={title} role="status" data-testid="secret-once"
      styles={{ title: { color: '#7a3300' } }}>
      <Stack gap="xs">
        <Text size="sm">{t('secret.onlyOnce')}</Text>
        <Code block data-testid="secret-value" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>{secret}</Code>
        <Group gap="xs">
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" color={copied ? 'green.8' : 'blue'} onClick={copy}>
                {copied ? t('secret.copied') : t('secret.copy')}
              </Button>
            )}
          </CopyButton>
          <Button size="xs" variant="default" onClick={onDone}>{t('secret.done')}</Button>
        </Group>
      </Stack>
    </Alert>
  );
}
