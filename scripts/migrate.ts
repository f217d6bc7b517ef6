/** `npm run migrate [-- down]`: runs the database migrations outside of a start. */
import { loadConfig } from '../api/config.js';
import { createMigrator } from '../api/store/migrate.js';
import { openDatabase } from '../api/store/sequelize.js';

const config = await loadConfig();
const db = openDatabase({ sqlitePath: config.sqlitePath, databaseUrl: config.databaseUrl });
const migrator = createMigrator(db);
const direction = process.argv[2] === 'down' ? 'down' : 'up';
const done = direction === 'down' ? await migrator.down() : await migrator.up();
console.log(done.length ? `${direction}: ${done.map((m) => m.name).join(', ')}` : 'Nothing to migrate.');
console.log(`Database: ${config.databaseUrl ? 'PostgreSQL' : config.sqlitePath}`);
await db.close();
