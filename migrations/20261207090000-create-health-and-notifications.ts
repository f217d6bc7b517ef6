import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  // One row per scheduled or on-demand check of a model (kept 24 hours).
  await qi.createTable('model_health_checks', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    runId: { type: DataTypes.STRING(64), allowNull: false },
    providerId: { type: DataTypes.STRING(64), allowNull: false },
    model: { type: DataTypes.STRING(200), allowNull: false },
    type: { type: DataTypes.STRING(32), allowNull: false },
    ok: { type: DataTypes.BOOLEAN, allowNull: false },
    latencyMs: { type: DataTypes.INTEGER, allowNull: true },
    error: { type: DataTypes.STRING(1000), allowNull: true },
    credentialId: { type: DataTypes.STRING(64), allowNull: true },
    checkedAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('model_health_checks', ['providerId', 'type', 'model', 'checkedAt'], { name: 'model_health_checks_model_time' });
  await qi.addIndex('model_health_checks', ['checkedAt'], { name: 'model_health_checks_checked_at' });

  // Events told to people; `eventKey` is unique, so an event is kept (and sent) once across instances.
  await qi.createTable('notifications', {
    id: { type: DataTypes.STRING(64), primaryKey: true },
    eventKey: { type: DataTypes.STRING(300), allowNull: false, unique: true },
    type: { type: DataTypes.STRING(64), allowNull: false },
    severity: { type: DataTypes.STRING(16), allowNull: false },
    title: { type: DataTypes.STRING(300), allowNull: false },
    message: { type: DataTypes.TEXT, allowNull: false },
    userDid: { type: DataTypes.STRING(128), allowNull: true },
    data: { type: DataTypes.JSON, allowNull: true },
    deliveries: { type: DataTypes.JSON, allowNull: true },
    readAt: { type: DataTypes.DATE, allowNull: true },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('notifications', ['createdAt'], { name: 'notifications_created_at' });

  // The last known state of what events are about (a credential, a model, a balance, a rate): only
  // the instance that changes it tells anyone.
  await qi.createTable('alert_states', {
    subject: { type: DataTypes.STRING(300), primaryKey: true },
    state: { type: DataTypes.STRING(300), allowNull: false },
    changedAt: { type: DataTypes.DATE, allowNull: false },
  });

  // Scheduled jobs: one row per job, claimed per run so that one instance runs each slot.
  await qi.createTable('job_runs', {
    name: { type: DataTypes.STRING(64), primaryKey: true },
    slot: { type: DataTypes.DATE, allowNull: true },
    owner: { type: DataTypes.STRING(64), allowNull: true },
    lockedUntil: { type: DataTypes.DATE, allowNull: true },
    lastStartedAt: { type: DataTypes.DATE, allowNull: true },
    lastFinishedAt: { type: DataTypes.DATE, allowNull: true },
    lastError: { type: DataTypes.STRING(1000), allowNull: true },
  });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('job_runs');
  await qi.dropTable('alert_states');
  await qi.dropTable('notifications');
  await qi.dropTable('model_health_checks');
}
