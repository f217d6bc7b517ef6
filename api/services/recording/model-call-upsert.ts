/**
 * One multi-row `INSERT … ON CONFLICT ("id") DO UPDATE` for a batch of ModelCall rows, written as
 * plain SQL with values escaped by Sequelize for the dialect (dates and booleans stored exactly as
 * the model stores them). Same statement on SQLite and PostgreSQL; no model instances per row.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Models } from '../../store/models/index.js';
import { quoteName as quote, sqlLiteral } from '../../store/sql-literal.js';
import type { ModelCallRow } from '../../store/models/model-call.js';

const PLAIN_DEFAULTS = new Set(['number', 'boolean', 'string']);

export type ModelCallUpsert = (rows: ModelCallRow[], transaction?: Transaction) => Promise<void>;

export function createModelCallUpsert(models: Models, updatable: readonly string[]): ModelCallUpsert {
  const model = models.ModelCall;
  const sequelize = model.sequelize as Sequelize;
  const table = model.getTableName() as string;
  const attributes = Object.entries(model.getAttributes()).map(([key, a]) => ({
    key: key as keyof ModelCallRow,
    column: a.field ?? key,
    // Written for a column a row leaves out: a plain default, not one Sequelize computes (NOW, UUIDV4).
    fallback: PLAIN_DEFAULTS.has(typeof a.defaultValue) ? (a.defaultValue as unknown) : null,
  }));
  const byKey = new Map(attributes.map((a) => [a.key as string, a]));
  const head = `INSERT INTO ${quote(table)} (${attributes.map((a) => quote(a.column)).join(', ')}) VALUES `;
  const tail = ` ON CONFLICT (${quote(byKey.get('id')!.column)}) DO UPDATE SET ${updatable
    .map((k) => byKey.get(k)!.column)
    .map((c) => `${quote(c)} = excluded.${quote(c)}`)
    .join(', ')}`;

  const literal = sqlLiteral(sequelize);

  return async (rows, transaction) => {
    if (rows.length === 0) return;
    // Literals are collected and joined once (appending them one by one leaves a chain of partial strings per row).
    const tuple: string[] = new Array(attributes.length);
    const values = rows.map((row) => {
      for (let j = 0; j < attributes.length; j++) {
        const a = attributes[j]!;
        const v = row[a.key];
        tuple[j] = literal(v === undefined ? a.fallback : v);
      }
      return `(${tuple.join(', ')})`;
    });
    // Typed as an INSERT, so Sequelize does not lower-case the whole statement to guess its kind.
    await sequelize.query(head + values.join(', ') + tail, { raw: true, type: QueryTypes.INSERT, transaction });
  };
}
