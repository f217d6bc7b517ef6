/** Bytes each table takes with its indexes: SQLite pages (dbstat) or PostgreSQL relations. */
import fs from 'node:fs';
import { QueryTypes, type Sequelize } from 'sequelize';

export type TableBytes = Record<string, number>;

export async function tableBytes(sequelize: Sequelize): Promise<TableBytes> {
  const out: TableBytes = {};
  if (sequelize.getDialect() === 'postgres') {
    const rows = await sequelize.query<{ name: string; bytes: number | string }>(
      `SELECT relname AS "name", pg_total_relation_size(oid) AS "bytes" FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace`,
      { type: QueryTypes.SELECT },
    );
    for (const r of rows) out[r.name] = Number(r.bytes);
    return out;
  }
  const rows = await sequelize.query<{ name: string; bytes: number }>(
    `SELECT COALESCE(m.tbl_name, s.name) AS "name", SUM(s.pgsize) AS "bytes" FROM dbstat s LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1`,
    { type: QueryTypes.SELECT },
  );
  for (const r of rows) out[r.name] = Number(r.bytes);
  return out;
}

/** The SQLite file and its WAL. */
export function fileBytes(file: string): number {
  let n = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) n += fs.statSync(f).size;
  return n;
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
