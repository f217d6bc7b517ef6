import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('masks a known secret of any shape', () => {
    expect(redactSecrets('Incorrect API key provided: my-own-secret-value', ['my-own-secret-value'])).toBe('Incorrect API key provided: ****');
    expect(redactSecrets('credential "hunter2 pass" refused', ['hunter2 pass'])).toBe('credential "****" refused');
    expect(redactSecrets('a b c', ['a'])).toBe('a b c');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    expect(redactSecrets('value abcdef123456', ['abcd', 'abcdef123456'])).toBe('value ****');
  });

  it('masks key-shaped tokens', () => {
    expect(redactSecrets('bad key sk-proj-abcdefghijklmnop here')).toBe('bad key **** here');
    expect(redactSecrets('x sk-ant-api03-abcdefgh y')).toBe('x **** y');
    expect(redactSecrets('aigne_0123456789abcdef')).toBe('****');
    expect(redactSecrets('AKIAABCDEFGHIJKLMNOP')).toBe('****');
    expect(redactSecrets('GET https://g/v1?key=AIzaSyA-1234567890abcdefghijk&alt=sse Bearer abcdefghijkl')).toBe('GET https://g/v1?key=****&alt=sse Bearer ****');
    expect(redactSecrets('Authorization: Bearer abc.def.ghijklmnop')).toBe('Authorization: Bearer ****');
  });

  it('leaves ordinary text alone', () => {
    expect(redactSecrets('model gpt-4o-mini not found')).toBe('model gpt-4o-mini not found');
    expect(redactSecrets('the task-queue is full')).toBe('the task-queue is full');
  });

  it('masks known secrets of 4 characters or more, and skips shorter or missing ones', () => {
    expect(redactSecrets('pin 1234, code 123', ['1234', '123', undefined])).toBe('pin ****, code 123');
    expect(redactSecrets('Stryker was here')).toBe('Stryker was here');
  });

  it('masks the whole value of a secret query parameter and a bearer token however spaced', () => {
    expect(redactSecrets('GET /v1?token=abc123&x=1 and &access_token=zz9')).toBe('GET /v1?token=****&x=1 and &access_token=****');
    expect(redactSecrets('Authorization: Bearer   abcdefghijkl')).toBe('Authorization: Bearer   ****');
    expect(redactSecrets('token AIzaSyA-1234567890abcdefghijk here')).toBe('token **** here');
  });

  it('leaves text that only resembles a key alone', () => {
    for (const text of ['the monkey=banana rule', 'sk-ant-!!!!!!!!', `AIza${' '.repeat(20)}x`, 'AIzaShort-name', 'key_short', '?key= x']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});
