import { describe, expect, it } from 'vitest';
import { packageOf, summarizeProfile, type CpuProfile } from './profile-summary.js';

describe('profile summary', () => {
  it('names packages and app files', () => {
    expect(packageOf('file:///x/node_modules/express/lib/router.js')).toBe('express');
    expect(packageOf('file:///x/node_modules/@aigne/core/lib/a.js')).toBe('@aigne/core');
    expect(packageOf('file:///repo/dist/api/services/call-recorder.js')).toBe('api/services/call-recorder.js');
    expect(packageOf('node:internal/streams/writable')).toBe('node:internal');
    expect(packageOf('')).toBe('(native)');
  });

  it('sums self and inclusive time, leaving idle and the skipped start out', () => {
    const frame = (functionName: string, url = 'file:///repo/dist/api/app.js') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 4] },
        { id: 2, callFrame: frame('handle'), children: [3] },
        { id: 3, callFrame: frame('parse', 'file:///x/node_modules/zod/index.js') },
        { id: 4, callFrame: frame('(idle)', '') },
      ],
      samples: [2, 3, 3, 4, 3],
      timeDeltas: [1000, 1000, 1000, 1000, 1000],
      startTime: 0,
      endTime: 5000,
    };
    const all = summarizeProfile(profile);
    expect(all.totalMs).toBe(5);
    expect(all.idleMs).toBe(1);
    expect(all.byPackage[0]).toMatchObject({ name: 'zod', ms: 3, share: 75 });
    expect(all.inclusiveByFunction.find((r) => r.name.startsWith('handle'))).toMatchObject({ ms: 4, share: 100 });
    const later = summarizeProfile(profile, 25, 2);
    expect(later.totalMs).toBe(4);
  });
});
