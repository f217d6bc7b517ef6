/**
 * Starts a throw-away PostgreSQL server from npm (embedded-server.ts, in a process of its own that
 * stops the server and removes its directory when this process closes its input or dies).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface EmbeddedServer {
  url: string;
  /** The server's temporary directory (removed on stop). */
  dir: string;
  /** The keeper process. */
  pid: number;
  stop(): Promise<void>;
}

const root = path.resolve(import.meta.dirname, '../../..');
const KEEPER = path.join(import.meta.dirname, 'embedded-server.ts');

export function startEmbeddedPostgres(timeoutMs = 120_000): Promise<EmbeddedServer> {
  // Its own process group: a Ctrl-C meant for the test run reaches the keeper as the end of its input.
  const keeper = spawn(process.execPath, ['--import', 'tsx', KEEPER], {
    cwd: root,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
  let stdout = '';
  let stderr = '';
  keeper.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      keeper.kill('SIGKILL');
      reject(new Error(`embedded PostgreSQL did not start: ${why}\n${stderr}`));
    };
    const timer = setTimeout(() => fail(`no answer in ${timeoutMs} ms`), timeoutMs);
    const early = (code: number | null) => fail(`the keeper exited with ${code}`);
    keeper.once('exit', early);
    keeper.stdout!.on('data', (d) => {
      stdout += d;
      const newline = stdout.indexOf('\n');
      if (newline < 0) return;
      clearTimeout(timer);
      keeper.removeListener('exit', early);
      const { url, dir } = JSON.parse(stdout.slice(0, newline)) as { url: string; dir: string };
      // The test run must not wait on the keeper if nobody calls stop().
      keeper.unref();
      for (const stream of [keeper.stdin, keeper.stdout, keeper.stderr] as unknown as { unref?: () => void }[]) stream.unref?.();
      resolve({
        url,
        dir,
        pid: keeper.pid!,
        async stop() {
          keeper.ref();
          keeper.stdin!.end();
          let timer: NodeJS.Timeout | undefined;
          const deadline = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), 30_000)));
          if ((await Promise.race([exited, deadline])) === 'late') keeper.kill('SIGKILL');
          clearTimeout(timer);
        },
      });
    });
  });
}
