import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { KeyLimits } from './key-limits.js';
import type { Role } from './user.js';
import { boundClass } from './bound-class.js';

export class AccessKey extends Model<InferAttributes<AccessKey>, InferCreationAttributes<AccessKey>> {
  declare id: string;
  declare name: string;
  /** sha256 of the key; the key itself is never stored. */
  declare keyHash: string;
  /** First characters of the key, for recognising it in lists (`aigne_AbCd…`). */
  declare keyPrefix: string;
  declare userDid: string;
  declare role: Role;
  declare appId: string | null;
  /** API.md §14 limits of this key (validated before it is stored). */
  declare limits: CreationOptional<KeyLimits | null>;
  declare expiresAt: Date | null;
  declare revokedAt: Date | null;
  declare lastUsedAt: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAccessKey(sequelize: Sequelize): typeof AccessKey {
  const Bound = boundClass(AccessKey);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      name: { type: DataTypes.STRING(200), allowNull: false },
      keyHash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      keyPrefix: { type: DataTypes.STRING(32), allowNull: false },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
      appId: { type: DataTypes.STRING(128), allowNull: true },
      limits: { type: DataTypes.JSON, allowNull: true },
      expiresAt: { type: DataTypes.DATE, allowNull: true },
      revokedAt: { type: DataTypes.DATE, allowNull: true },
      lastUsedAt: { type: DataTypes.DATE, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'access_keys' },
  );
  return Bound;
}
