import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { boundClass } from './bound-class.js';

/** A Responses API answer kept for `previous_response_id` (JSON text: input items and the response). */
export class StoredResponse extends Model<InferAttributes<StoredResponse>, InferCreationAttributes<StoredResponse>> {
  declare id: string;
  declare userDid: string | null;
  declare model: string;
  declare input: string;
  declare response: string;
  declare expiresAt: Date;
  declare createdAt: Date;
}

export function initStoredResponse(sequelize: Sequelize): typeof StoredResponse {
  const Bound = boundClass(StoredResponse);
  Bound.init(
    {
      id: { type: DataTypes.STRING(80), primaryKey: true },
      userDid: { type: DataTypes.STRING(128), allowNull: true },
      model: { type: DataTypes.STRING(200), allowNull: false },
      input: { type: DataTypes.TEXT, allowNull: false },
      response: { type: DataTypes.TEXT, allowNull: false },
      expiresAt: { type: DataTypes.DATE, allowNull: false },
      createdAt: DataTypes.DATE,
    },
    { sequelize, tableName: 'stored_responses', updatedAt: false },
  );
  return Bound;
}
