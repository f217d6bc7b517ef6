import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { makeTempDir } from './tests/helpers/temp-dir.js';

describe('dotenv-flow files', () => {
  const dir = makeTempDir();
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads .env then .env.<NODE_ENV>, with the real environment winning', async () => {
    fs.writeFileSync(path.join(dir, '.env'), 'PORT=4000\nNEW_USER_CREDIT_GRANT=5\nUPSTREAM_TIMEOUT_MS=1000\n');
    fs.writeFileSync(path.join(dir, `.env.${process.env.NODE_ENV ?? 'development'}`), 'PORT=4321\n');
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }));
    process.env.UPSTREAM_TIMEOUT_MS = '2500';
    const config = await loadConfig(dir);
    expect(config.port).toBe(4321);
    expect(config.newUserCreditGrant).toBe('5');
    expect(config.upstreamTimeoutMs).toBe(2500);
    expect(config.version).toBe('9.8.7');
    expect(config.dataDir).toBe(path.join(dir, 'data'));
  });
});
