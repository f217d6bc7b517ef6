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

/** Local links of a Markdown file: `[x](path)`, `[x]: path`, and `src`/`href` of inline HTML. */
function localLinks(markdown: string): string[] {
  const links = [
    ...[...markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
    ...[...markdown.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/gm)].map((m) => m[1]),
    ...[...markdown.matchAll(/\b(?:src|href)=["']([^"']+)["']/g)].map((m) => m[1]),
  ];
  return links.filter((link) => !/^([a-z][a-z0-9+.-]*:|\/\/|#)/i.test(link));
}

describe('README.md in the Blocklet bundle', () => {
  // `blocklet bundle` copies every local file README.md links to and stops at one it cannot open
  // as a file: a `#section` or `?query` after the path, or a folder.
  it('links only to files that exist, without an anchor or query', () => {
    const links = localLinks(fs.readFileSync(path.join(root, 'README.md'), 'utf8'));
    expect(links.length).toBeGreaterThan(0);
    const broken = links.filter((link) => {
      const file = path.join(root, link);
      return !fs.existsSync(file) || !fs.statSync(file).isFile();
    });
    expect(broken).toEqual([]);
  });
});

