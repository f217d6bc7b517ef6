import { describe, expect, it } from 'vitest';
import { isPrivateAddress, publicUrlProblem } from './public-url.js';

describe('public URL guard', () => {
  it.each(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '::1', 'fd00::1', '::ffff:127.0.0.1', '0.0.0.0'])('treats %s as private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111'])('treats %s as public', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });

  it('refuses private hosts, other schemes and names that resolve privately', async () => {
    expect(await publicUrlProblem('http://169.254.169.254/latest/meta-data')).toMatch(/private/);
    expect(await publicUrlProblem('http://localhost:3030/api/health')).toMatch(/private/);
    expect(await publicUrlProblem('http://[::1]/x.png')).toMatch(/private/);
    expect(await publicUrlProblem('file:///etc/passwd')).toMatch(/http/);
    expect(await publicUrlProblem('http://8.8.8.8/cat.png')).toBeNull();
  });
});
