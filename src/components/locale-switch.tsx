import './locale-switch.css';
import { t } from '../i18n/en';
import { LOCALES, setLocale, useLocale, type Locale } from '../i18n/locale';

/** The language menu: each language named in itself (and marked so with `lang`). */
export function LocaleSwitch({ className = '' }: { className?: string }) {
  const locale = useLocale();
  return (
    <label className={`locale-switch ${className}`.trim()}>
      <span>{t('locale.label')}</span>
      <select value={locale} onChange={(e) => setLocale(e.target.value as Locale)} data-testid="locale-switch">
        {LOCALES.map((entry) => (
          <option key={entry.code} value={entry.code} lang={entry.code}>
            {entry.name}
          </option>
        ))}
      </select>
    </label>
  );
}
