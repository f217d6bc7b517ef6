/** The usage statistics against the reference query, and the back-fill, on SQLite. */
import fs from 'node:fs';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { afterEach, describe } from 'vitest';
import { createMigrator } from '../../store/migrate.js';
import { initModels } from '../../store/models/index.js';
import { openDatabase } from '../../store/sequelize.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { usageStatsSuite } from './usage-stats-suite.js';

const opened: { dir: string; sequelize: Sequelize }[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.sequelize.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
});

async function openAt(to?: string) {
  const dir = makeTempDir();
  const sequelize = openDatabase({ sqlitePath: path.join(dir, 'aikit.db') });
  opened.push({ dir, sequelize });
  await createMigrator(sequelize).up(to ? { to } : undefined);
  return { sequelize, models: initModels(sequelize) };
}

describe('usage statistics on SQLite', () => {
  usageStatsSuite({ open: () => openAt(), openAt });
});
