import { Stack } from '@mantine/core';
import { useI18n } from '../../i18n/I18nProvider';
import { PageHeader } from '../../ui/PageHeader';

export default function MyUnitPage() {
  const { t } = useI18n();
  return (
    <Stack>
      <PageHeader title={t('myUnit.title')} />
    </Stack>
  );
}
