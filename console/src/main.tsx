import '@mantine/core/styles.css';
import './app/console.css';
import { MantineProvider } from '@mantine/core';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { cssVariables, theme } from './app/theme';
import { I18nProvider } from './i18n/I18nProvider';
import { storedLanguage } from './i18n/translate';

document.documentElement.lang = storedLanguage();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables} defaultColorScheme="light">
      <I18nProvider>
        <App />
      </I18nProvider>
    </MantineProvider>
  </StrictMode>,
);
