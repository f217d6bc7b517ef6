import fs from 'node:fs';
import path from 'node:path';
import { Transaction } from 'sequelize';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../tests/helpers/temp-dir.js';
import { openDatabase } from './sequelize.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const connectionOf = (t: Transaction) => (t as unknown as { connection: unknown }).connection;

const open = () => {
  const dir = makeTempDir();
  dirs.push(dir);
  return openDatabase({ sqlitePath: path.join(dir, 'aikit.db'), busyTimeoutMs: 4321 });
};

describe('sqlite transaction connections', () => {
  it('reuses the connection of a finished transaction, with its PRAGMAs', async () => {
    const db = open();
    await db.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const seen: unknown[] = [];
    for (let i = 0; i < 3; i++) {
      await db.transaction({ type: Transaction.TYPES.IMMEDIATE }, async (t) => {
        seen.push(connectionOf(t));
        await db.query(`INSERT INTO t (v) VALUES ('${i}')`, { transaction: t });
        const [rows] = await db.query('PRAGMA busy_timeout', { transaction: t });
        expect(Object.values((rows as Record<string, unknown>[])[0]!)[0]).toBe(4321);
      });
    }
    expect(seen[1]).toBe(seen[0]);
    expect(seen[2]).toBe(seen[0]);
    const [rows] = await db.query('SELECT COUNT(*) AS n FROM t');
    expect((rows as { n: number }[])[0]!.n).toBe(3);
    await db.close();
  });

  it('gives concurrent transactions their own connections', async () => {
    const db = open();
    await db.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const connections: unknown[] = [];
    const first = db.transaction(async (t) => {
      connections.push(connectionOf(t));
      await held;
    });
    // The first transaction holds its connection before the second begins.
    while (connections.length === 0) await new Promise((r) => setImmediate(r));
    await db.transaction(async (t) => {
      connections.push(connectionOf(t));
    });
    release();
    await first;
    expect(connections[0]).not.toBe(connections[1]);
    await db.close();
  });

  it('hands back a connection without an open transaction after a rollback', async () => {
    const db = open();
    await db.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    await expect(
      db.transaction({ type: Transaction.TYPES.IMMEDIATE }, async (t) => {
        await db.query(`INSERT INTO t (v) VALUES ('gone')`, { transaction: t });
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await db.transaction({ type: Transaction.TYPES.IMMEDIATE }, async (t) => {
      await db.query(`INSERT INTO t (v) VALUES ('kept')`, { transaction: t });
    });
    const [rows] = await db.query('SELECT v FROM t');
    expect(rows).toEqual([{ v: 'kept' }]);
    await db.close();
  });

  it('closes a connection that is destroyed instead of keeping it', async () => {
    const db = open();
    const manager = db.connectionManager as unknown as {
      getConnection(o: { uuid: string }): Promise<{ uuid?: string; open: boolean }>;
      destroyConnection(c: unknown): Promise<void>;
      connections: Record<string, unknown>;
    };
    const c = await manager.getConnection({ uuid: 'tx-1' });
    c.uuid = 'tx-1';
    await manager.destroyConnection(c);
    expect(manager.connections['tx-1']).toBeUndefined();
    expect(c.open).toBe(false);
    const next = await manager.getConnection({ uuid: 'tx-2' });
    expect(next).not.toBe(c);
    await db.close();
  });
});
