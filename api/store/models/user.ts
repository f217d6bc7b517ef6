import type { KeyLimits } from './key-limits.js';
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

export type Role = 'admin' | 'member';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare did: string;
  declare name: string | null;
  declare role: Role;
  /** API.md §14 limits (null: none of its own). */
  declare limits: CreationOptional<KeyLimits | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initUser(sequelize: Sequelize): typeof User {
  const Bound = boundClass(User);
  Bound.init(
    {
      did: { type: DataTypes.STRING(128), primaryKey: true },
      name: { type: DataTypes.STRING(200), allowNull: true },
      role: { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'member' },
      limits: { type: DataTypes.JSON, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'users' },
  );
  return Bound;
}
