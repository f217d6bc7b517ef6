/**
 * The CPU time of a PostgreSQL server on this machine, so that a read's cost counts the database's
 * work too (with SQLite that work is in the hub's own process): the postmaster's, that of its
 * children gone (reaped, so in its cutime/cstime), and that of its children alive (the backends).
 */
import fs from 'node:fs';
import { QueryTypes, Sequelize } from 'sequelize';
import { procStat, TICKS_PER_SECOND } from '../procs.js';

function serverTicks(postmaster: number): number {
  const main = procStat(postmaster);
  if (!main) return NaN;
  let ticks = main.ownTicks + main.childrenTicks;
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    const s = procStat(pid);
    if (s?.ppid === postmaster) ticks += s.ownTicks;
  }
  return ticks;
}

/**
 * A reader of the server's total CPU ms, found through a backend's parent; undefined when the server
 * is not a process of this machine (its backend pid is then not ours to read).
 */
export async function postgresCpu(url: string): Promise<(() => number) | undefined> {
  const db = new Sequelize(url, { dialect: 'postgres', logging: false, pool: { max: 1 } });
  try {
    const [row] = await db.query<{ pid: number }>('SELECT pg_backend_pid() AS "pid"', { type: QueryTypes.SELECT });
    const backend = procStat(Number(row!.pid));
    if (!backend || !procStat(backend.ppid)) return undefined;
    const postmaster = backend.ppid;
    return () => (serverTicks(postmaster) * 1000) / TICKS_PER_SECOND;
  } finally {
    await db.close();
  }
}
