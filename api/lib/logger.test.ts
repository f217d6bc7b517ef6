/** Log lines: one JSON object each, the same text JSON.stringify gives for the record. */
import { describe, expect, it } from 'vitest';
import { createLogger, type LogLevel } from './logger.js';

describe('logger', () => {
  it('writes the record as JSON.stringify does, base fields first, errors cut to name, message and stack', () => {
    const lines: { line: string; level: LogLevel }[] = [];
    const logger = createLogger({ level: 'info', base: { service: 'hub' }, write: (line, level) => lines.push({ line, level }) });
    const err = new Error('boom "quoted"');
    const fields = {
      method: 'POST',
      path: '/api/v1/chat/\u0001"x"\\y',
      status: 200,
      ms: 1.5,
      user: undefined,
      aborted: false,
      nothing: null,
      nested: { a: 1, b: 'two', skip: undefined },
      list: [1, 'x', null],
      at: new Date(0),
      err,
    };
    logger.info('request', fields);
    logger.debug('hidden');
    expect(lines).toHaveLength(1);
    const { line, level } = lines[0]!;
    expect(level).toBe('info');
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const expected = {
      time: parsed.time,
      level: 'info',
      msg: 'request',
      service: 'hub',
      ...fields,
      err: { name: 'Error', message: err.message, stack: err.stack!.split('\n').slice(0, 6).join('\n') },
    };
    expect(line).toBe(JSON.stringify(expected));
    expect(Number.isNaN(Date.parse(String(parsed.time)))).toBe(false);
  });
});
