import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { Role } from './user.js';
import { boundClass } from './bound-class.js';

export class Session extends Model<InferAttributes<Session>, InferCreationAttributes<Session>> {
  /** sha256 of the cookie's value; the value itself is never stored. */
  declare id: string;
  /** The access key the session was opened with. */
  declare keyId: string;
  declare userDid: string;
  /** The key's role at login: a session ends when it changes. */
  declare role: Role;
  declare lastSeenAt: Date;
  declare expiresAt: Date;
  declare createdAt: CreationOptional<Date>;
}

export function initSession(sequelize: Sequelize): typeof Session {
  const Bound = boundClass(Session);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      keyId: { type: DataTypes.STRING(64), allowNull: false },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false },
      lastSeenAt: { type: DataTypes.DATE, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'sessions', updatedAt: false },
  );
  return Bound;
}
