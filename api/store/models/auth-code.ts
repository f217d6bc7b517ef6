import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import type { KeyLimits } from './key-limits.js';
import { boundClass } from './bound-class.js';

/** A one-time code of the authorize flow (API.md §16); the code itself is never stored. */
export class AuthCode extends Model<InferAttributes<AuthCode>, InferCreationAttributes<AuthCode>> {
  /** sha256 of the code. */
  declare codeHash: string;
  declare userDid: string;
  declare appName: string;
  declare callbackUrl: string;
  /** BASE64URL(SHA256(code_verifier)). */
  declare codeChallenge: string;
  declare limits: KeyLimits | null;
  declare expiresAt: Date;
  declare usedAt: Date | null;
  /** The key the code was exchanged for. */
  declare accessKeyId: string | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;
}

export function initAuthCode(sequelize: Sequelize): typeof AuthCode {
  const Bound = boundClass(AuthCode);
  Bound.init(
    {
      codeHash: { type: DataTypes.STRING(64), primaryKey: true },
      userDid: { type: DataTypes.STRING(128), allowNull: false },
      appName: { type: DataTypes.STRING(100), allowNull: false },
      callbackUrl: { type: DataTypes.STRING(2048), allowNull: false },
      codeChallenge: { type: DataTypes.STRING(64), allowNull: false },
      limits: { type: DataTypes.JSON, allowNull: true },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      usedAt: { type: DataTypes.DATE, allowNull: true },
      accessKeyId: { type: DataTypes.STRING(64), allowNull: true },
      createdAt: DataTypes.DATE,
      updatedAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'auth_codes' },
  );
  return Bound;
}
