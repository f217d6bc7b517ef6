import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const timestamps = {
  createdAt: { type: DataTypes.DATE, allowNull: false },
  updatedAt: { type: DataTypes.DATE, allowNull: false },
};

export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.createTable('users', {
    did: { type: DataTypes.STRING(128), primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: true },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    ...timestamps,
  });

  await qi.createTable('access_keys', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    keyHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    keyPrefix: { type: DataTypes.STRING(32), allowNull: false },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
    appId: { type: DataTypes.STRING(128), allowNull: true },
    expiresAt: { type: DataTypes.DATE, allowNull: true },
    revokedAt: { type: DataTypes.DATE, allowNull: true },
    lastUsedAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('access_keys', ['userDid'], { name: 'access_keys_user_did' });

  await qi.createTable('apps', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    name: { type: DataTypes.STRING(200), allowNull: false },
    did: { type: DataTypes.STRING(128), allowNull: false, unique: true },
    ...timestamps,
  });

  await qi.createTable('ai_providers', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    name: { type: DataTypes.STRING(64), allowNull: false, unique: true },
    displayName: { type: DataTypes.STRING(200), allowNull: false },
    baseUrl: { type: DataTypes.STRING(1000), allowNull: true },
    region: { type: DataTypes.STRING(64), allowNull: true },
    enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
    rank: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 100 },
    config: { type: DataTypes.JSON, allowNull: true },
    ...timestamps,
  });

  await qi.createTable('ai_credentials', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    providerId: {
      type: DataTypes.STRING(64),
      allowNull: false,
      references: { model: 'ai_providers', key: 'id' },
      onDelete: 'CASCADE',
    },
    name: { type: DataTypes.STRING(200), allowNull: false },
    credentialType: { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'api_key' },
    encryptedValue: { type: DataTypes.TEXT, allowNull: false },
    maskedValue: { type: DataTypes.JSON, allowNull: false },
    weight: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 100 },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'active' },
    disabledReason: { type: DataTypes.STRING(500), allowNull: true },
    cooldownUntil: { type: DataTypes.DATE, allowNull: true },
    failureCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    usageCount: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lastUsedAt: { type: DataTypes.DATE, allowNull: true },
    lastErrorAt: { type: DataTypes.DATE, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('ai_credentials', ['providerId'], { name: 'ai_credentials_provider_id' });
  await qi.addIndex('ai_credentials', ['providerId', 'name'], { name: 'ai_credentials_provider_name', unique: true });

  await qi.createTable('ai_model_rates', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    providerId: {
      type: DataTypes.STRING(64),
      allowNull: false,
      references: { model: 'ai_providers', key: 'id' },
      onDelete: 'CASCADE',
    },
    model: { type: DataTypes.STRING(200), allowNull: false },
    type: { type: DataTypes.STRING(32), allowNull: false },
    inputRate: { type: DataTypes.STRING(64), allowNull: false },
    outputRate: { type: DataTypes.STRING(64), allowNull: false },
    cacheReadRate: { type: DataTypes.STRING(64), allowNull: true },
    cacheWriteRate: { type: DataTypes.STRING(64), allowNull: true },
    unitCosts: { type: DataTypes.JSON, allowNull: true },
    modelMetadata: { type: DataTypes.JSON, allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('ai_model_rates', ['providerId', 'model', 'type'], { name: 'ai_model_rates_provider_model_type', unique: true });
  await qi.addIndex('ai_model_rates', ['model'], { name: 'ai_model_rates_model' });

  await qi.createTable('model_calls', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    traceId: { type: DataTypes.STRING(64), allowNull: true },
    requestId: { type: DataTypes.STRING(64), allowNull: true },
    model: { type: DataTypes.STRING(200), allowNull: false },
    providerId: { type: DataTypes.STRING(64), allowNull: true },
    credentialId: { type: DataTypes.STRING(64), allowNull: true },
    type: { type: DataTypes.STRING(32), allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false },
    stream: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    inputTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    outputTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    cacheReadTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    cacheWriteTokens: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    creditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    usageEstimated: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    duration: { type: DataTypes.INTEGER, allowNull: true },
    ttfb: { type: DataTypes.INTEGER, allowNull: true },
    providerTtfb: { type: DataTypes.INTEGER, allowNull: true },
    errorReason: { type: DataTypes.STRING(1000), allowNull: true },
    errorCode: { type: DataTypes.STRING(64), allowNull: true },
    userDid: { type: DataTypes.STRING(128), allowNull: true },
    appId: { type: DataTypes.STRING(128), allowNull: true },
    ...timestamps,
  });
  await qi.addIndex('model_calls', ['createdAt'], { name: 'model_calls_created_at' });
  await qi.addIndex('model_calls', ['userDid', 'createdAt'], { name: 'model_calls_user_created' });
  await qi.addIndex('model_calls', ['appId', 'createdAt'], { name: 'model_calls_app_created' });
  await qi.addIndex('model_calls', ['model', 'createdAt'], { name: 'model_calls_model_created' });
  await qi.addIndex('model_calls', ['status', 'createdAt'], { name: 'model_calls_status_created' });

  await qi.createTable('usages', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    periodStart: { type: DataTypes.DATE, allowNull: false },
    userDid: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
    appId: { type: DataTypes.STRING(128), allowNull: false, defaultValue: '' },
    model: { type: DataTypes.STRING(200), allowNull: false },
    providerId: { type: DataTypes.STRING(64), allowNull: false, defaultValue: '' },
    type: { type: DataTypes.STRING(32), allowNull: false },
    calls: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    inputTokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    outputTokens: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    creditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    reportedCreditsNano: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
    ...timestamps,
  });
  await qi.addIndex('usages', ['periodStart', 'userDid', 'appId', 'model', 'providerId', 'type'], {
    name: 'usages_bucket',
    unique: true,
  });
  await qi.addIndex('usages', ['userDid', 'periodStart'], { name: 'usages_user_period' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['usages', 'model_calls', 'ai_model_rates', 'ai_credentials', 'ai_providers', 'apps', 'access_keys', 'users']) {
    await qi.dropTable(table);
  }
}
