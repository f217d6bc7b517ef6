import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../..');

describe('blocklet.yml', () => {
  it('is valid Blocklet meta with the DID AIGNE clients look up', () => {
    const { parse } = require('@blocklet/meta/lib/parse') as { parse: (dir: string, o: object) => Record<string, any> };
    const { toBlockletDid } = require('@blocklet/meta/lib/did') as { toBlockletDid: (name: string) => string };
    // `files` lists build output (dist), which a test run need not have; the logo must exist.
    const meta = parse(root, { ensureFiles: false, ensureDist: false, ensureComponentStore: false });
    expect(fs.existsSync(path.join(root, meta.logo))).toBe(true);
    expect(meta.name).toBe('ai-kit');
    expect(meta.did).toBe(toBlockletDid('ai-kit'));
    expect(meta.did).toBe('z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ');
    expect(meta.title).toBe('AIGNE Hub');
    expect(meta.interfaces).toEqual([expect.objectContaining({ type: 'web', path: '/' })]);
    const envNames = meta.environments.map((e: { name: string }) => e.name);
    expect(envNames).toEqual(expect.arrayContaining(['CREDIT_BASED_BILLING_ENABLED', 'NEW_USER_CREDIT_GRANT', 'AIGNE_HUB_SECRET']));
    expect(meta.navigation.length).toBeGreaterThan(0);
  });

  it('keeps its version in step with package.json', async () => {
    const { parse } = require('@blocklet/meta/lib/parse') as { parse: (dir: string, o: object) => Record<string, any> };
    const pkg = require(path.join(root, 'package.json')) as { version: string };
    expect(parse(root, { ensureFiles: false }).version).toBe(pkg.version);
  });
});
