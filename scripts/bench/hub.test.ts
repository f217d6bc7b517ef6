import { describe, expect, it } from 'vitest';
import { startScriptFlags } from './hub.js';

describe('bench hub launch', () => {
  it("takes the node flags of the start script, so the hub runs as `npm start` runs it", () => {
    expect(startScriptFlags('NODE_ENV=production node --max-semi-space-size=32 dist/api/index.js')).toEqual(['--max-semi-space-size=32']);
    expect(startScriptFlags('node --a=1 --b dist/api/index.js')).toEqual(['--a=1', '--b']);
    expect(startScriptFlags('NODE_ENV=production node dist/api/index.js')).toEqual([]);
    expect(startScriptFlags('')).toEqual([]);
  });
});
