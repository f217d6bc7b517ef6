import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { initLocale } from './i18n/locale';
import { adoptPathRoute } from './router';
import { SessionProvider } from './session';
import './styles/app.css';

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
