import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type NotificationSeverity = 'info' | 'success' | 'warning' | 'error';

/** How one sink fared with one notification. */
export interface DeliveryState {
  status: 'sent' | 'failed' | 'skipped';
  attempts: number;
  error?: string;
  at: string;
}

/** An event told to people (kept for admins; sent once to the configured sinks). */
export class Notification extends Model<InferAttributes<Notification>, InferCreationAttributes<Notification>> {
  declare id: string;
  declare eventKey: string;
  declare type: string;
  declare severity: NotificationSeverity;
  declare title: string;
  declare message: string;
  /** The user the event is about (credits events), else null. */
  declare userDid: string | null;
  declare data: Record<string, unknown> | null;
  declare deliveries: Record<string, DeliveryState> | null;
  declare readAt: Date | null;
  declare createdAt: Date;
}

export function initNotification(sequelize: Sequelize): typeof Notification {
  const Bound = boundClass(Notification);
  Bound.init(
    {
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
    },
    { sequelize, tableName: 'notifications', timestamps: false },
  );
  return Bound;
}
