import type { KeyLimits } from './key-limits.js';
import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

/** An application authorized to use the hub. */
export class App extends Model<InferAttributes<App>, InferCreationAttributes<App>> {
  declare id: string;
  declare name: string;
  declare did: string;
  /** API.md §14 limits (null: none of its own). */
  declare limits: CreationOptional<KeyLimits | null>;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initApp(sequelize: Sequelize): typeof App {
  const Bound = boundClass(App);
  Bound.init(
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      name: { type: DataTypes.STRING(200), allowNull: false },
      did: { type: DataTypes.STRING(128), allowNull: false, unique: true },
      limits: { type: DataTypes.JSON, allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'apps' },
  );
  return Bound;
}
