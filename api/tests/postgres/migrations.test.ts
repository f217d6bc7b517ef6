/** Every migration up, down and up again on PostgreSQL; concurrent starts migrate once. */
import { QueryTypes, type Sequelize } from 'sequelize';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMigrator, migrateUp } from '../../store/migrate.js';
import { openDatabase } from '../../store/sequelize.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';

type Column = { table: string; column: string; type: string; nullable: string; default: string | null };

async function schemaOf(db: Sequelize): Promise<{ columns: Column[]; indexes: string[] }> {
  const columns = await db.query<Column>(
    `SELECT table_name AS "table", column_name AS "column", data_type AS "type", is_nullable AS "nullable", column_default AS "default"
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    { type: QueryTypes.SELECT },
  );
  const indexes = await db.query<{ def: string }>(`SELECT indexdef AS "def" FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname`, {
    type: QueryTypes.SELECT,
  });
  return { columns, indexes: indexes.map((i) => i.def) };
}

const tablesOf = (schema: { columns: Column[] }) => [...new Set(schema.columns.map((c) => c.table))].sort();

describePostgres('migrations on PostgreSQL', () => {
  let database: TestDatabase;
  let db: Sequelize;

  beforeAll(async () => {
    database = await createTestDatabase('migrations');
    db = openDatabase({ sqlitePath: '', databaseUrl: database.url });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('runs each migration up, down and up again, then all of them down and up', async () => {
    const migrator = createMigrator(db);
    const all = (await migrator.pending()).map((m) => m.name);
    expect(all.length).toBeGreaterThanOrEqual(2);

    for (const name of all) {
      const before = await schemaOf(db);
      await migrator.up({ step: 1 });
      const after = await schemaOf(db);
      expect(after, `${name} changes the schema`).not.toEqual(before);
      await migrator.down({ step: 1 });
      expect(await schemaOf(db), `${name} down restores the schema before it`).toEqual(before);
      await migrator.up({ step: 1 });
      expect(await schemaOf(db), `${name} up again gives the same schema`).toEqual(after);
    }
    expect((await migrator.executed()).map((m) => m.name)).toEqual(all);
    const full = await schemaOf(db);
    for (const table of ['users', 'access_keys', 'ai_providers', 'ai_credentials', 'ai_model_rates', 'model_calls', 'usages', 'credit_accounts', 'credit_transactions', 'credit_reservations']) {
      expect(tablesOf(full)).toContain(table);
    }
    // Amounts are 64-bit on PostgreSQL.
    expect(full.columns.find((c) => c.table === 'model_calls' && c.column === 'creditsNano')?.type).toBe('bigint');

    await migrator.down({ to: 0 });
    expect(tablesOf(await schemaOf(db))).toEqual(['migrations']);
    expect(await migrator.executed()).toEqual([]);

    expect(await migrateUp(db)).toEqual(all);
    expect(await schemaOf(db)).toEqual(full);
    expect(await migrateUp(db)).toEqual([]);
  });

  it('lets instances that start together migrate a fresh database once', async () => {
    const fresh = await createTestDatabase('migrations_race');
    const instances = Array.from({ length: 3 }, () => openDatabase({ sqlitePath: '', databaseUrl: fresh.url }));
    try {
      const applied = await Promise.all(instances.map((i) => migrateUp(i)));
      const expected = (await createMigrator(db).executed()).map((m) => m.name);
      // One instance applied every migration; the others found nothing left to do.
      expect(applied.filter((a) => a.length > 0)).toEqual([expected]);
      expect(applied.filter((a) => a.length === 0)).toHaveLength(2);
      const rows = await instances[0]!.query<{ name: string }>(`SELECT name FROM migrations ORDER BY name`, { type: QueryTypes.SELECT });
      expect(rows.map((r) => r.name)).toEqual(expected);
    } finally {
      await Promise.all(instances.map((i) => i.close()));
      await fresh.drop();
    }
  });
});
