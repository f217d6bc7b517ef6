/**
 * The dashboard's language: English or 简体中文. Chosen from the user's own pick (kept in
 * localStorage), then `?locale=`, then Blocklet Server's language cookie (`nf_lang`), then the
 * browser's languages. Switching swaps the dictionary `t()` reads and re-renders subscribers.
 */
import { useSyncExternalStore } from 'react';
import { en, setMessages, type Messages } from './en';
import { zh } from './zh';

export type Locale = 'en' | 'zh';

/** Each language named in itself, as language menus do. */
export const LOCALES: ReadonlyArray<{ code: Locale; name: string }> = [
  { code: 'en', name: 'English' },
  { code: 'zh', name: '中文' },
];

const DICTIONARIES: Record<Locale, Messages> = { en, zh };
/** BCP 47 tags for Intl: dates and numbers follow the chosen language. */
const INTL_TAGS: Record<Locale, string> = { en: 'en-US', zh: 'zh-CN' };
const STORAGE_KEY = 'aigne-hub.locale';
const BLOCKLET_COOKIE = 'nf_lang';

let current: Locale = 'en';
const listeners = new Set<() => void>();

/** `zh`, `zh-CN`, `zh-Hans-CN`, `zh_TW` → zh; `en…` → en; anything else → undefined. */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'zh' || primary === 'en' ? primary : undefined;
}

function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function storedLocale(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function detectLocale(): Locale {
  const candidates = [
    storedLocale(),
    new URLSearchParams(window.location.search).get('locale'),
    readCookie(document.cookie, BLOCKLET_COOKIE),
    ...(navigator.languages ?? [navigator.language]),
  ];
  for (const candidate of candidates) {
    const locale = matchLocale(candidate);
    if (locale) return locale;
  }
  return 'en';
}

function apply(locale: Locale): void {
  current = locale;
  setMessages(DICTIONARIES[locale]);
  document.documentElement.lang = INTL_TAGS[locale];
  for (const listener of listeners) listener();
}

/** Picks the language at start-up. */
export function initLocale(): Locale {
  apply(detectLocale());
  return current;
}

/** The user's pick: remembered here and told to Blocklet Server, whose pages read the same cookie. */
export function setLocale(locale: Locale): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // Private mode: the pick lasts for this page only.
  }
  document.cookie = `${BLOCKLET_COOKIE}=${locale}; path=/; max-age=31536000; SameSite=Lax`;
  apply(locale);
}

export function getLocale(): Locale {
  return current;
}

/** The Intl tag of the current language, for `toLocaleString` and `Intl.*Format`. */
export function intlTag(): string {
  return INTL_TAGS[current];
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current language; the component re-renders when it changes. */
export function useLocale(): Locale {
  return useSyncExternalStore(subscribe, getLocale, getLocale);
}
