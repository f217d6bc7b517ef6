import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  // API.md §14 limits of apps and users (keys have theirs since the members' keys migration).
  await qi.addColumn('apps', 'limits', { type: DataTypes.JSON, allowNull: true });
  await qi.addColumn('users', 'limits', { type: DataTypes.JSON, allowNull: true });

  // Calls open now, per limited subject (`key:<id>`, `app:<id>`, `user:<did>`), when several hub
  // instances share a PostgreSQL database (one instance on SQLite counts in memory). A hold that
  // outlives its call (a crash) stops counting at `expiresAt`.
  await qi.createTable('limit_holds', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    subject: { type: DataTypes.STRING(200), allowNull: false },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('limit_holds', ['subject', 'expiresAt'], { name: 'limit_holds_subject_expires' });

  // Credits spent per limited subject and UTC day, for budgets (day, week, month, total).
  await qi.createTable('limit_spend', {
    subject: { type: DataTypes.STRING(200), primaryKey: true },
    day: { type: DataTypes.STRING(10), primaryKey: true },
    creditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
  });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('limit_spend');
  await qi.dropTable('limit_holds');
  await qi.removeColumn('users', 'limits');
  await qi.removeColumn('apps', 'limits');
}
