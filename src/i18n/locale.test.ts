import { afterEach, describe, expect, it } from 'vitest';
import { en, t } from './en';
import { detectLocale, getLocale, initLocale, matchLocale, setLocale } from './locale';
import { zh } from './zh';
import { compactNumber, formatMs } from '../lib/format';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

afterEach(() => {
  window.localStorage.clear();
  document.cookie = 'nf_lang=; path=/; max-age=0';
  setLocale('en');
  window.localStorage.clear();
});

describe('the Chinese dictionary', () => {
  it('has every English key, no other, and the same placeholders', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
      expect(zh[key].trim(), key).not.toBe('');
    }
  });
});

describe('locale', () => {
  it('matches language tags to the two languages', () => {
    expect(matchLocale('zh-CN')).toBe('zh');
    expect(matchLocale('zh_TW')).toBe('zh');
    expect(matchLocale('ZH')).toBe('zh');
    expect(matchLocale('en-GB')).toBe('en');
    expect(matchLocale('fr')).toBeUndefined();
    expect(matchLocale(undefined)).toBeUndefined();
  });

  it('prefers the user’s pick, then Blocklet Server’s cookie, over the browser', () => {
    document.cookie = 'nf_lang=zh; path=/';
    expect(detectLocale()).toBe('zh');
    window.localStorage.setItem('aigne-hub.locale', 'en');
    expect(detectLocale()).toBe('en');
  });

  it('switches the strings, the page language and the number formats', () => {
    setLocale('zh');
    expect(getLocale()).toBe('zh');
    expect(t('nav.usage')).toBe('用量');
    expect(document.documentElement.lang).toBe('zh-CN');
    expect(formatMs(12)).toBe('12毫秒');
    expect(compactNumber(12_345)).toBe('1.23万');
    expect(document.cookie).toContain('nf_lang=zh');
    expect(initLocale()).toBe('zh');

    setLocale('en');
    expect(t('nav.usage')).toBe('Usage');
    expect(formatMs(12)).toBe('12 ms');
    expect(compactNumber(12_345)).toBe('12.3K');
  });
});
