import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

const nano = (allowNull = false) => ({ type: DataTypes.BIGINT, allowNull, defaultValue: 0 });

export async function up({ context: qi }: Ctx): Promise<void> {
  // One row per user: a cache of the ledger (balance) and of the open reservations (held), written
  // in the same transaction as the rows it summarizes.
  await qi.createTable('credit_accounts', {
    userDid: { type: DataTypes.STRING(128), primaryKey: true },
    balanceNano: nano(),
    heldNano: nano(),
    unreportedNano: nano(),
    syncedAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });

  await qi.createTable('credit_grants', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    amountNano: nano(),
    remainingNano: nano(),
    source: { type: DataTypes.STRING(32), allowNull: false, defaultValue: 'admin' },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    grantedBy: { type: DataTypes.STRING(128), allowNull: true },
    expiresAt: { type: DataTypes.DATE, allowNull: true },
    expiredAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('credit_grants', ['userDid', 'expiresAt'], { name: 'credit_grants_user_expires' });
  await qi.addIndex('credit_grants', ['expiresAt'], { name: 'credit_grants_expires' });

  // The ledger: append-only; a user's balance is the sum of their amounts.
  await qi.createTable('credit_transactions', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    type: { type: DataTypes.STRING(16), allowNull: false },
    amountNano: { type: DataTypes.BIGINT, allowNull: false },
    balanceAfterNano: { type: DataTypes.BIGINT, allowNull: false },
    reason: { type: DataTypes.STRING(500), allowNull: true },
    modelCallId: { type: DataTypes.STRING(64), allowNull: true },
    grantId: { type: DataTypes.STRING(64), allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('credit_transactions', ['userDid', 'createdAt'], { name: 'credit_transactions_user_created' });
  await qi.addIndex('credit_transactions', ['modelCallId', 'type'], { name: 'credit_transactions_call_type', unique: true });

  await qi.createTable('credit_reservations', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    amountNano: { type: DataTypes.BIGINT, allowNull: false },
    modelCallId: { type: DataTypes.STRING(64), allowNull: true },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('credit_reservations', ['expiresAt'], { name: 'credit_reservations_expires' });

  // Outbox of usage reports to Payment Kit: the id is the meter event's idempotency key.
  await qi.createTable('meter_reports', {
    id: { type: DataTypes.STRING(200), primaryKey: true },
    usageId: { type: DataTypes.STRING(64), allowNull: false },
    userDid: { type: DataTypes.STRING(128), allowNull: false },
    fromNano: { type: DataTypes.BIGINT, allowNull: false },
    toNano: { type: DataTypes.BIGINT, allowNull: false },
    status: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'pending' },
    attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    lastError: { type: DataTypes.STRING(1000), allowNull: true },
    nextAttemptAt: { type: DataTypes.DATE, allowNull: false },
    sentAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
    updatedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('meter_reports', ['status', 'nextAttemptAt'], { name: 'meter_reports_status_next' });
  // At most one report in flight per usage bucket, so that a retry never re-cuts a range.
  await qi.sequelize.query(`CREATE UNIQUE INDEX meter_reports_one_pending ON meter_reports ("usageId") WHERE "status" = 'pending'`);
}

export async function down({ context: qi }: Ctx): Promise<void> {
  for (const table of ['meter_reports', 'credit_reservations', 'credit_transactions', 'credit_grants', 'credit_accounts']) {
    await qi.dropTable(table);
  }
}
