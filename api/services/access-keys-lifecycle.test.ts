/**
 * Access keys from creation to revocation on a real SQLite file: what is stored (a digest, never
 * the key), what callers they resolve to, the built-in admin key, the generated first admin key,
 * revocation (here and announced), and how often their last use is written.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { NotFoundError } from '../errors.js';
import { sha256 } from '../lib/crypto.js';
import { makeTempDir } from '../tests/helpers/temp-dir.js';
import { tempStores } from '../tests/helpers/temp-store.js';
import { ADMIN_USER_DID, createAccessKeyService, ENV_ADMIN_KEY_ID, generateAccessKey, KEY_PREFIX } from './access-keys.js';
import { createUserService } from './users.js';

const openStore = tempStores();
const ENV_ADMIN = 'env-admin-key-0123456789abcdef';

async function setup(envAdminKey?: string) {
  const { models } = await openStore();
  const keys = createAccessKeyService(models, createUserService(models), { envAdminKey, cacheTtlMs: 60_000 });
  let reads = 0;
  models.AccessKey.addHook('beforeFind', () => {
    reads += 1;
  });
  return { keys, models, reads: () => reads };
}

/** Polls `condition` in real time (some tests set the date) until it holds, or fails after 5 s. */
async function until(condition: () => Promise<boolean>): Promise<void> {
  const end = performance.now() + 5000;
  while (!(await condition())) {
    if (performance.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setImmediate(r));
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe('access keys', () => {
  it('are aigne_ and 32 random bytes', () => {
    const a = generateAccessKey();
    expect(a).toMatch(/^aigne_[A-Za-z0-9_-]{43}$/);
    expect(generateAccessKey()).not.toBe(a);
    expect(KEY_PREFIX).toBe('aigne_');
    // Stored identifiers: the built-in admin's session id and its user (who may hold credits).
    expect([ENV_ADMIN_KEY_ID, ADMIN_USER_DID]).toEqual(['env-admin', 'admin']);
  });

  it('are stored as digests with a short prefix, and resolve to their caller', async () => {
    const { keys, models } = await setup();
    const created = await keys.create({ name: 'ci', appId: 'zApp', role: 'admin', userDid: 'did:abt:owner' });
    expect(created).toEqual({
      id: expect.any(String),
      name: 'ci',
      keyPrefix: created.key.slice(0, 10),
      userDid: 'did:abt:owner',
      role: 'admin',
      appId: 'zApp',
      limits: null,
      expiresAt: null,
      revokedAt: null,
      lastUsedAt: null,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      key: expect.stringMatching(/^aigne_/),
    });
    const row = (await models.AccessKey.findByPk(created.id))!;
    expect(row.keyHash).toBe(sha256(created.key));
    expect(JSON.stringify(row.toJSON())).not.toContain(created.key.slice(KEY_PREFIX.length + 4));
    expect(await models.User.findByPk('did:abt:owner')).toMatchObject({ role: 'admin', name: 'ci' });
    expect(await keys.authenticate(created.key)).toEqual({ userDid: 'did:abt:owner', role: 'admin', keyId: created.id, appId: 'zApp', name: 'ci', limits: null, via: 'access-key' });
    expect(await keys.authenticateById(created.id)).toEqual({ userDid: 'did:abt:owner', role: 'admin', keyId: created.id, appId: 'zApp', name: 'ci', limits: null, via: 'access-key' });

    const limits = { rpm: 10, tpm: null, maxConcurrent: 2, models: ['openai/*'], budget: { credits: '1.5', period: 'day' as const } };
    const member = await keys.create({ name: 'plain', expiresAt: new Date('2099-01-01T00:00:00.000Z'), limits });
    expect(member).toMatchObject({ role: 'member', appId: null, limits, expiresAt: '2099-01-01T00:00:00.000Z', userDid: expect.stringMatching(/^user_[0-9a-f]{32}$/) });
    expect(member.userDid).not.toBe('did:abt:owner');
    expect((await keys.list({ userDid: member.userDid }))[0]!.limits).toEqual(limits);
    expect(await keys.authenticate(member.key)).toMatchObject({ keyId: member.id, limits });
  });

  it('are refused to a user holding the most live keys; revoked and expired ones do not count', async () => {
    const { keys } = await setup();
    const userDid = 'did:abt:busy';
    const first = await keys.create({ name: 'k1', userDid }, { maxLive: 2 });
    await keys.create({ name: 'k2', userDid, expiresAt: new Date(Date.now() + 3_600_000) }, { maxLive: 2 });
    await expect(keys.create({ name: 'k3', userDid }, { maxLive: 2 })).rejects.toMatchObject({
      status: 409,
      code: 'too_many_keys',
      message: 'You have 2 live keys, the most a user may have (2): revoke one first',
    });
    // Another user's keys, and no limit at all, are not held to it.
    await keys.create({ name: 'other', userDid: 'did:abt:other' }, { maxLive: 2 });
    await keys.create({ name: 'k3', userDid });
    await keys.revoke(first.id);
    await expect(keys.create({ name: 'k4', userDid }, { maxLive: 3 })).resolves.toMatchObject({ name: 'k4' });
    await expect(keys.create({ name: 'k5', userDid }, { maxLive: 3 })).rejects.toMatchObject({ code: 'too_many_keys' });
    // A key expired a moment ago is no longer live.
    const soon = await keys.create({ name: 'short', userDid: 'did:abt:brief', expiresAt: new Date(Date.now() + 60_000) });
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(new Date(soon.expiresAt!).getTime() + 1));
    await expect(keys.create({ name: 'next', userDid: 'did:abt:brief' }, { maxLive: 1 })).resolves.toMatchObject({ name: 'next' });
    await expect(keys.create({ name: 'again', userDid: 'did:abt:brief' }, { maxLive: 1 })).rejects.toMatchObject({ code: 'too_many_keys' });
  });

  it('refuse what is not a key of theirs without reading the database for malformed ones', async () => {
    const { keys, reads } = await setup();
    const before = reads();
    expect(await keys.authenticate('sk-not-ours-0000000000')).toBeNull();
    expect(await keys.authenticate(`${KEY_PREFIX}${'a'.repeat(195)}`)).toBeNull();
    expect(reads()).toBe(before);
    expect(await keys.authenticate(`${KEY_PREFIX}${'a'.repeat(194)}`)).toBeNull();
    expect(reads()).toBe(before + 1);
    // An unknown key is remembered as unknown.
    expect(await keys.authenticate(`${KEY_PREFIX}${'a'.repeat(194)}`)).toBeNull();
    expect(reads()).toBe(before + 1);
    expect(await keys.authenticateById('no-such-id')).toBeNull();
  });

  it('accept the built-in admin key, by key and by its session id, only when it is set', async () => {
    const admin = { userDid: ADMIN_USER_DID, role: 'admin', keyId: ENV_ADMIN_KEY_ID, appId: null, name: 'admin', limits: null, via: 'access-key' };
    const { keys, reads } = await setup(ENV_ADMIN);
    expect(await keys.authenticate(ENV_ADMIN)).toEqual(admin);
    expect(await keys.authenticateById(ENV_ADMIN_KEY_ID)).toEqual(admin);
    expect(reads()).toBe(0);
    const { keys: without } = await setup();
    expect(await without.authenticate(ENV_ADMIN)).toBeNull();
    expect(await without.authenticateById(ENV_ADMIN_KEY_ID)).toBeNull();
  });

  it('list newest first, for everyone or one user', async () => {
    const { keys } = await setup();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-01T00:00:00.000Z'));
    const a = await keys.create({ name: 'a', userDid: 'did:u:1' });
    vi.setSystemTime(new Date('2026-03-02T00:00:00.000Z'));
    const b = await keys.create({ name: 'b', userDid: 'did:u:2' });
    vi.setSystemTime(new Date('2026-03-03T00:00:00.000Z'));
    const c = await keys.create({ name: 'c', userDid: 'did:u:1' });
    expect((await keys.list()).map((k) => k.id)).toEqual([c.id, b.id, a.id]);
    expect((await keys.list({ userDid: 'did:u:1' })).map((k) => k.id)).toEqual([c.id, a.id]);
    expect(JSON.stringify(await keys.list())).not.toContain(a.key);
  });

  it('are refused from their revocation on, here at once, and the revocation is announced', async () => {
    const { keys, models } = await setup();
    const announced: string[] = [];
    keys.onRevoked((id) => announced.push(id));
    keys.onRevoked((id) => announced.push(`again:${id}`));
    const created = await keys.create({ name: 'doomed' });
    expect(await keys.authenticate(created.key)).not.toBeNull();
    expect(await keys.authenticateById(created.id)).not.toBeNull();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-04-01T00:00:00.000Z'));
    await keys.revoke(created.id);
    expect(announced).toEqual([created.id, `again:${created.id}`]);
    expect(await keys.authenticate(created.key)).toBeNull();
    expect(await keys.authenticateById(created.id)).toBeNull();
    expect((await keys.list())[0]).toMatchObject({ id: created.id, revokedAt: '2026-04-01T00:00:00.000Z' });
    // A second revocation keeps the first date, and is announced again.
    vi.setSystemTime(new Date('2026-04-02T00:00:00.000Z'));
    await keys.revoke(created.id);
    expect((await models.AccessKey.findByPk(created.id))!.revokedAt!.toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(announced).toHaveLength(4);
    await expect(keys.revoke('no-such-key')).rejects.toThrow(new NotFoundError("Access key 'no-such-key' not found"));
  });

  it("are shown and revoked only to their owner when one is named: another user's key is unknown to them and stays live", async () => {
    const { keys } = await setup();
    const mine = await keys.create({ name: 'mine', userDid: 'did:abt:me' });
    const theirs = await keys.create({ name: 'theirs', userDid: 'did:abt:them' });
    expect(await keys.get(mine.id, 'did:abt:me')).toMatchObject({ id: mine.id, name: 'mine' });
    expect(await keys.get(theirs.id, 'did:abt:me')).toBeNull();
    expect(await keys.get(theirs.id)).toMatchObject({ id: theirs.id });
    expect(await keys.get('no-such-key')).toBeNull();
    await expect(keys.revoke(theirs.id, 'did:abt:me')).rejects.toThrow(new NotFoundError(`Access key '${theirs.id}' not found`));
    expect(await keys.authenticate(theirs.key)).toMatchObject({ keyId: theirs.id });
    expect((await keys.get(theirs.id))!.revokedAt).toBeNull();
    await keys.revoke(mine.id, 'did:abt:me');
    expect(await keys.authenticate(mine.key)).toBeNull();
  });

  it('are looked up again after clearCache(), and a read that raced it is not kept', async () => {
    const { keys, models, reads } = await setup();
    const created = await keys.create({ name: 'elsewhere' });
    await keys.authenticate(created.key);
    // Revoked by another instance: this one sees it once told to clear its cache.
    await models.AccessKey.update({ revokedAt: new Date() }, { where: { id: created.id } });
    expect(await keys.authenticate(created.key)).not.toBeNull();
    keys.clearCache();
    expect(await keys.authenticate(created.key)).toBeNull();

    const other = await keys.create({ name: 'raced' });
    const racing = keys.authenticate(other.key);
    keys.clearCache();
    // The read begun after the clear is the one later lookups join, even once the earlier ends.
    const fresh = keys.authenticate(other.key);
    await racing;
    const before = reads();
    const joined = keys.authenticate(other.key);
    await Promise.all([fresh, joined]);
    expect(reads()).toBe(before);
    await keys.authenticate(other.key);
    expect(reads()).toBe(before);
  });

  it('keep no read that a clearCache() overtook, even one that found the key before it changed', async () => {
    const { keys, models } = await setup();
    const created = await keys.create({ name: 'changing' });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const atGate = new Promise<void>((resolve) => (arrived = resolve));
    let held = false;
    // The first read found the key live, and is held there until the test lets it go on.
    models.AccessKey.addHook('afterFind', async () => {
      if (held) return;
      held = true;
      arrived();
      await gate;
    });
    const racing = keys.authenticate(created.key);
    await atGate;
    await models.AccessKey.update({ revokedAt: new Date() }, { where: { id: created.id } });
    keys.clearCache();
    release();
    expect(await racing).toMatchObject({ keyId: created.id });
    expect(await keys.authenticate(created.key)).toBeNull();
  });

  it('refuse an expired key read afresh from the instant of its expiry, and write the last use of that key alone', async () => {
    const { keys, models } = await setup();
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-07-01T00:00:00.000Z').getTime();
    vi.setSystemTime(start);
    const created = await keys.create({ name: 'expiring', expiresAt: new Date(start + 1000) });
    const idle = await keys.create({ name: 'idle' });
    vi.setSystemTime(start + 999);
    expect(await keys.authenticate(created.key)).toMatchObject({ keyId: created.id });
    await until(async () => (await models.AccessKey.findByPk(created.id))!.lastUsedAt !== null);
    expect((await models.AccessKey.findByPk(idle.id))!.lastUsedAt).toBeNull();
    vi.setSystemTime(start + 1000);
    keys.clearCache();
    expect(await keys.authenticate(created.key)).toBeNull();
    keys.clearCache();
    expect(await keys.authenticateById(created.id)).toBeNull();
  });

  it('write their last use at most once a minute, off the request path', async () => {
    const { keys, models } = await setup();
    const created = await keys.create({ name: 'busy' });
    let writes = 0;
    models.AccessKey.addHook('afterBulkUpdate', () => {
      writes += 1;
    });
    const lastUsed = async () => (await models.AccessKey.findByPk(created.id))!.lastUsedAt?.toISOString() ?? null;
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = new Date('2026-05-01T00:00:00.000Z').getTime();
    vi.setSystemTime(start);
    await keys.authenticate(created.key);
    await until(async () => (await lastUsed()) === '2026-05-01T00:00:00.000Z');
    vi.setSystemTime(start + 59_999);
    await keys.authenticate(created.key);
    vi.setSystemTime(start + 60_001);
    await keys.authenticate(created.key);
    await keys.authenticate(created.key);
    await until(async () => (await lastUsed()) === '2026-05-01T00:01:00.001Z');
    expect(writes).toBe(2);
    // A minute to the millisecond after the last write is a minute.
    vi.setSystemTime(start + 120_001);
    await keys.authenticate(created.key);
    await until(async () => (await lastUsed()) === '2026-05-01T00:02:00.001Z');
    expect(writes).toBe(3);
  });
});

describe('the first admin key', () => {
  it('is generated once, saved 0600 and printed, unless an admin key exists', async () => {
    const { keys } = await setup();
    const dir = path.join(makeTempDir(), 'data');
    const printed: string[] = [];
    const key = (await keys.bootstrapAdmin(dir, (line) => printed.push(line)))!;
    expect(key).toMatch(/^aigne_/);
    const file = path.join(dir, 'admin.key');
    expect(fs.readFileSync(file, 'utf8')).toBe(`${key}\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(printed).toEqual([`AIGNE Hub admin key (shown once, also saved to ${file}): ${key}`]);
    expect(await keys.authenticate(key)).toMatchObject({ userDid: ADMIN_USER_DID, role: 'admin' });
    expect((await keys.list())[0]).toMatchObject({ name: 'Admin (generated at first start)' });

    expect(await keys.bootstrapAdmin(dir, (line) => printed.push(line))).toBeNull();
    expect(printed).toHaveLength(1);
    // With every admin key revoked, a new one is made.
    for (const k of await keys.list()) await keys.revoke(k.id);
    const again = await keys.bootstrapAdmin(dir, (line) => printed.push(line));
    expect(again).toMatch(/^aigne_/);
    expect(again).not.toBe(key);
  });

  it('is not generated beside the built-in admin key', async () => {
    const { keys } = await setup(ENV_ADMIN);
    const dir = path.join(makeTempDir(), 'data');
    expect(await keys.bootstrapAdmin(dir, () => {})).toBeNull();
    expect(fs.existsSync(dir)).toBe(false);
    expect(await keys.list()).toEqual([]);
  });
});
