import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { initLocale } from './i18n/locale';
import { adoptPathRoute } from './router';
import { SessionProvider } from './session';
// Stylesheets by area, in cascade order: the narrow-screen overrides come last.
import './styles/base.css';
import './styles/shell.css';
import './styles/cards.css';
import './styles/buttons.css';
import './styles/forms.css';
import './styles/tables.css';
import './styles/login.css';
import './styles/charts.css';
import './styles/calls.css';
import './styles/keys.css';
import './styles/playground.css';
import './styles/pricing.css';
import './styles/narrow.css';

adoptPathRoute();
initLocale();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');

createRoot(root).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
