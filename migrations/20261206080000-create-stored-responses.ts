import { DataTypes, type QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  // Responses API answers kept for `previous_response_id` and GET /api/v1/responses/:id (API.md §11).
  await qi.createTable('stored_responses', {
    id: { type: DataTypes.STRING(80), primaryKey: true },
    userDid: { type: DataTypes.STRING(128), allowNull: true },
    model: { type: DataTypes.STRING(200), allowNull: false },
    /** The whole conversation's input items up to this response (earlier turns included). */
    input: { type: DataTypes.TEXT, allowNull: false },
    /** The response object as the client got it. */
    response: { type: DataTypes.TEXT, allowNull: false },
    expiresAt: { type: DataTypes.DATE, allowNull: false },
    createdAt: { type: DataTypes.DATE, allowNull: false },
  });
  await qi.addIndex('stored_responses', ['expiresAt'], { name: 'stored_responses_expires' });
}

export async function down({ context: qi }: Ctx): Promise<void> {
  await qi.dropTable('stored_responses');
}
