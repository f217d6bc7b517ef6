/**
 * Stores that ran the member-keys migration before it stopped indexing model_calls.accessKeyId drop
 * that index: a key's calls are read among its user's (model_calls_user_created), so every store has
 * the same indexes.
 */
import type { QueryInterface } from 'sequelize';

type Ctx = { context: QueryInterface };

export async function up({ context: qi }: Ctx): Promise<void> {
  await qi.sequelize.query('DROP INDEX IF EXISTS "model_calls_access_key_created"');
}

export async function down(): Promise<void> {}
