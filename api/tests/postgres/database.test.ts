/**
 * A test database drops while a backend that is not the test role's is on it: an autovacuum worker,
 * which belongs to no role. `DROP DATABASE … WITH (FORCE)` refuses to terminate it for a role that
 * is not a superuser ("must be a member of the role whose process is being terminated …").
 */
import { Client } from 'pg';
import { expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL } from './database.js';
import { describePostgres } from './describe-postgres.js';

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describePostgres('test databases', () => {
  it('drop while an autovacuum worker is on the database', { timeout: 180_000 }, async () => {
    const database = await createTestDatabase('autovacuum');
    await withClient(database.url, async (c) => {
      // Dead rows for autovacuum to find, and a cost limit that keeps its worker on them for minutes.
      await c.query(`CREATE TABLE dead (id int, pad text) WITH (autovacuum_vacuum_threshold = 0, autovacuum_vacuum_scale_factor = 0,
        autovacuum_vacuum_cost_delay = 100, autovacuum_vacuum_cost_limit = 1)`);
      await c.query(`INSERT INTO dead SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
      await c.query(`DELETE FROM dead`);
    });

    await withClient(TEST_DATABASE_URL!, async (admin) => {
      // Poll until the launcher sends a worker (up to autovacuum_naptime; the suite's own server naps 1 s).
      const deadline = Date.now() + 150_000;
      let others: { pid: number }[] = [];
      while (others.length === 0 && Date.now() < deadline) {
        const r = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usesysid IS DISTINCT FROM (SELECT oid FROM pg_roles WHERE rolname = current_user)`, [
          database.name,
        ]);
        others = r.rows;
        if (others.length === 0) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(others, 'a backend of no role (autovacuum) came to the database').not.toHaveLength(0);

      await database.drop();
      const left = await admin.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [database.name]);
      expect(left.rows).toEqual([]);
    });
  });

  it('drop ends the test role’s own connections that are still open', async () => {
    const database = await createTestDatabase('leftover');
    const leftover = new Client({ connectionString: database.url });
    leftover.on('error', () => {}); // the server ends it
    await leftover.connect();
    await database.drop();
    await expect(leftover.query('SELECT 1')).rejects.toThrow();
    await leftover.end().catch(() => {});
  });
});
