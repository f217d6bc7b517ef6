import { describe, expect, it } from 'vitest';
import { addressProblem } from './public-fetch.js';
import { publicUrlProblem } from './public-url.js';

describe('public URL guard', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '255.255.255.255', '224.0.0.1',
    '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:7f00:1::', '2001:db8::1',
  ])('refuses %s', (ip) => {
    expect(addressProblem(ip)).toMatch(/non-public/);
  });

  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8'])('takes %s as public', (ip) => {
    expect(addressProblem(ip)).toBeNull();
  });

  it('refuses private hosts, other schemes and names that resolve privately', async () => {
    expect(await publicUrlProblem('http://169.254.169.254/latest/meta-data')).toMatch(/non-public/);
    expect(await publicUrlProblem('http://[::ffff:a9fe:a9fe]/latest')).toMatch(/non-public/);
    expect(await publicUrlProblem('http://localhost:3030/api/health')).toMatch(/non-public/);
    expect(await publicUrlProblem('http://[::1]/x.png')).toMatch(/non-public/);
    expect(await publicUrlProblem('file:///etc/passwd')).toMatch(/http/);
    expect(await publicUrlProblem('http://8.8.8.8/cat.png')).toBeNull();
  });
});
