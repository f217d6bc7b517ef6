import { describe, expect, it } from 'vitest';
import { parseStartScript } from './hub.js';

describe('bench hub launch', () => {
  it('takes the environment and node flags of the start script, so the hub runs as `npm start` runs it', () => {
    expect(parseStartScript('NODE_ENV=production UV_THREADPOOL_SIZE=8 node --max-semi-space-size=32 dist/api/index.js')).toEqual({
      env: { NODE_ENV: 'production', UV_THREADPOOL_SIZE: '8' },
      flags: ['--max-semi-space-size=32'],
    });
    expect(parseStartScript('node --a=1 --b dist/api/index.js')).toEqual({ env: {}, flags: ['--a=1', '--b'] });
    expect(parseStartScript('NODE_ENV=production node dist/api/index.js')).toEqual({ env: { NODE_ENV: 'production' }, flags: [] });
    expect(parseStartScript('X= node dist/api/index.js').env).toEqual({ X: '' });
    expect(parseStartScript('npm run build && LOG=1 node --x dist/api/index.js')).toEqual({ env: { LOG: '1' }, flags: ['--x'] });
    expect(parseStartScript('')).toEqual({ env: {}, flags: [] });
    expect(parseStartScript('tsx api/index.ts')).toEqual({ env: {}, flags: [] });
  });
});
