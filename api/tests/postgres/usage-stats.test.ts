/** The usage statistics against the reference query, and the back-fill, on PostgreSQL. */
import type { Sequelize } from 'sequelize';
import { afterEach } from 'vitest';
import { createMigrator } from '../../store/migrate.js';
import { initModels } from '../../store/models/index.js';
import { openDatabase } from '../../store/sequelize.js';
import { usageStatsSuite } from '../usage/usage-stats-suite.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { describePostgres } from './describe-postgres.js';

const opened: { database: TestDatabase; sequelize: Sequelize }[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.sequelize.close();
    await s.database.drop();
  }
});

async function openAt(to?: string) {
  const database = await createTestDatabase('usage_stats');
  const sequelize = openDatabase({ sqlitePath: '', databaseUrl: database.url });
  opened.push({ database, sequelize });
  await createMigrator(sequelize).up(to ? { to } : undefined);
  return { sequelize, models: initModels(sequelize) };
}

describePostgres('usage statistics on PostgreSQL', () => {
  usageStatsSuite({ open: () => openAt(), openAt });
});
