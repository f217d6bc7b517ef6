/**
 * The CPU time of a PostgreSQL server on this machine, so that a read's cost counts the database's
 * work too (with SQLite that work is in the hub's own process): the postmaster's, that of its
 * children gone (reaped, so in its cutime/cstime), and that of its children alive (the backends).
 */
import fs from 'node:fs';
import { QueryTypes, Sequelize } from 'sequelize';

const TICKS_PER_SECOND = 100;

/** utime, stime, cutime, cstime and the parent pid from /proc/<pid>/stat; undefined when gone. */
function stat(pid: number): { ppid: number; own: number; children: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command name the fields start at 3 (state): ppid is 4, utime..cstime are 14..17.
    return { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined;
  }
}

function serverTicks(postmaster: number): number {
  const main = stat(postmaster);
  if (!main) return NaN;
  let ticks = main.own + main.children;
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === postmaster) continue;
    const s = stat(pid);
    if (s?.ppid === postmaster) ticks += s.own;
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
    const backend = stat(Number(row!.pid));
    if (!backend || !stat(backend.ppid)) return undefined;
    const postmaster = backend.ppid;
    return () => (serverTicks(postmaster) * 1000) / TICKS_PER_SECOND;
  } finally {
    await db.close();
  }
}
