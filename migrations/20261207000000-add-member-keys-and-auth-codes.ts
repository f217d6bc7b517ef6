import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  // API.md §14 limits a key carries (validated JSON; null: none of its own).
  await qi.addColumn('access_keys', 'limits', { type: DataTypes.JSON, allowNull: true });

  // The key a call was made with: a member's page shows each key's calls and credits. No index of its
  // own (building one reads every call row at start): a key's calls are read among its user's.
  await qi.addColumn('model_calls', 'accessKeyId', { type: DataTypes.STRING(64), allowNull: true });

  // One-time codes of the authorize flow (API.md §16), by the sha256 of the code.
  await qi.createTable('auth_codes', {
    codeHash: { type: DataTypes.STRING(64), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    appName: { type: DataTypes.STRING(100), allowNull: false },
    callbackUrl: { type: DataTypes.STRING(2048), allowNull: false },
    codeChallenge: { type: DataTypes.STRING(64), allowNull: false },
    limits: { type: DataTypes.JSON, allowNull: true },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    usedAt: { type: DataTypes.DATE, allowNull: true },
    accessKeyId: { type: DataTypes.STRING(64), allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('auth_codes', ['expiresAt'], { name: 'auth_codes_expires_at' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('auth_codes');
  // Stores migrated when this migration still built it have the key's index.
  await qi.sequelize.query('DROP INDEX IF EXISTS "model_calls_access_key_created"');
  await qi.removeColumn('model_calls', 'accessKeyId');
  await qi.removeColumn('access_keys', 'limits');
}
