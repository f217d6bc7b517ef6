import { describe, expect, it } from 'vitest';
import { redactSecrets } from './redact.js';

describe('redactSecrets', () => {
  it('removes known secrets and key-shaped tokens', () => {
    expect(redactSecrets('Incorrect API key provided: my-own-secret-value', ['my-own-secret-value'])).toBe('Incorrect API key provided: [redacted]');
    expect(redactSecrets('bad key sk-proj-abcdefghijklmnop here')).toBe('bad key [redacted] here');
    expect(redactSecrets('Authorization: Bearer abc.def.ghijklmnop')).toBe('Authorization: [redacted]');
    expect(redactSecrets('model gpt-4o-mini not found')).toBe('model gpt-4o-mini not found');
  });
});
