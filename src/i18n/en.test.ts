import { afterEach, describe, expect, it } from 'vitest';
import { en, setMessages, t, type Messages } from './en';

afterEach(() => setMessages(en));

describe('t', () => {
  it('fills named placeholders and leaves unknown ones visible', () => {
    expect(t('credentials.status.cooldown', { time: '10:00' })).toBe('Cooling down until 10:00');
    expect(t('nav.signedInAs', { name: 'Ada' })).toBe('Signed in as Ada ({role})');
    expect(t('playground.tokens', { input: 0, output: 12 })).toBe('0 in · 12 out');
  });

  it('switches to another dictionary', () => {
    const fr: Messages = { ...en, 'login.submit': 'Se connecter' };
    setMessages(fr);
    expect(t('login.submit')).toBe('Se connecter');
    expect(t('nav.usage')).toBe('Usage');
  });

  it('has no empty strings', () => {
    expect(Object.entries(en).filter(([, value]) => value.trim() === '')).toEqual([]);
  });
});
