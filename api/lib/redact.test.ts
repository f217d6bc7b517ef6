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
});
