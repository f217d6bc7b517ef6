import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  // Browser sessions: the id is the sha256 of the cookie's random value (the value is never stored).
  await qi.createTable('sessions', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    keyId: { type: DataTypes.STRING(64), allowNull: false },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    role: { type: DataTypes.STRING(16), allowNull: false },
    lastSeenAt: { type: DataTypes.DATE, allowNull: false },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('sessions', ['keyId'], { name: 'sessions_key_id' });
  await qi.addIndex('sessions', ['expiresAt'], { name: 'sessions_expires_at' });
  await qi.addIndex('sessions', ['lastSeenAt'], { name: 'sessions_last_seen_at' });

  // Counters of rate-limiter-flexible's PostgreSQL store, in the shape it reads and writes
  // (SQLite hubs count in memory and leave this table empty).
  await qi.createTable('rate_limits', {
    key: { type: DataTypes.STRING(255), primaryKey: true },
    points: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    expire: { type: DataTypes.BIGINT, allowNull: true },
  });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('rate_limits');
  await qi.dropTable('sessions');
}
