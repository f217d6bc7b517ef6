/**
 * The Blocklet bundle in a real Blocklet Server on this machine: a fresh server (offline), an empty
 * app, the bundle deployed into it as its component; then, through the server's router, the hub's
 * health, its discovery entry, its refusal of anonymous callers, the server's session (owner →
 * admin, guest → member), a preference saved in the server applied by the running hub, and the
 * dashboard in Chromium (sign-in through the server's login, signed in by the server's session, in 中文).
 * DID Wallet sign-in itself cannot run offline: the session is the server's signed login token.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../e2e/helpers/browser.js';
import { englishWordsOnPage } from '../e2e/helpers/english-words.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const jwt = require('jsonwebtoken') as { sign(payload: object, secret: string, options?: object): string };

const ROOT = path.resolve(import.meta.dirname, '..');
const HUB_DID = 'z8ia3xzq2tMq8CRHfaXj1BTYJyYnEcHbqP8cJ';
const MAX_OUTPUT = 64 * 1024 * 1024;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Process managers the server and the CLI's modules start in the user's home; found alive before the run, they are left alone. */
const PM2_HOMES = [path.join(os.homedir(), '.arcblock/abtnode'), path.join(os.homedir(), '.pm2')];

function livePm2Daemon(home: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(home, 'pm2.pid'), 'utf8').trim());
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** The ends of the server's own logs, to say why it failed. */
function serverLogTails(serverDir: string): string {
  const dir = path.join(serverDir, '.blocklet-server/logs/_abtnode');
  if (!fs.existsSync(dir)) return '(no server logs)';
  return fs
    .readdirSync(dir)
    .filter((f) => /error.*\.log$/.test(f) && fs.statSync(path.join(dir, f)).size > 0)
    .map((f) => `--- ${f}\n${fs.readFileSync(path.join(dir, f), 'utf8').split('\n').slice(-15).join('\n')}`)
    .join('\n');
}

/**
 * The environment for the server's commands: without this test run's own variables. With vitest's
 * NODE_ENV=test the server skips its database migrations ("no such table: jobs").
 */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const key of Object.keys(env)) if (key === 'NODE_ENV' || key.startsWith('VITEST') || key === 'TEST') delete env[key];
  return env;
}

/** Runs one step of the setup and says how long it took (where a slow CI run spends its time). */
async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const value = await work();
  process.stderr.write(`blocklet test: ${what} took ${Math.round((Date.now() - started) / 1000)} s\n`);
  return value;
}

async function poll<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('the bundle in a real Blocklet Server', () => {
  let cli = '';
  let serverDir = '';
  let httpPort = 0;
  let serverKey = '';
  let appDid = '';
  let domain = '';
  let sessionSecret = '';
  let started = false;
  const daemonsBefore = PM2_HOMES.map(livePm2Daemon);

  const blocklet = (...args: string[]) => run(cli, args, { cwd: serverDir, maxBuffer: MAX_OUTPUT, env: serverEnv() });
  const admin = async (...args: string[]) => {
    const { stdout } = await run('node', [path.join(ROOT, 'scripts/blocklet/server-admin.cjs'), ...args], {
      cwd: serverDir,
      maxBuffer: MAX_OUTPUT,
      env: { ...serverEnv(), AIGNE_HUB_SERVER_KEY: serverKey },
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  };
  /** A request to the app through the server's router, as its domain. */
  const viaRouter = async (pathname: string, headers: Record<string, string> = {}) => {
    const res = await request(`http://127.0.0.1:${httpPort}${pathname}`, { headers: { host: domain, ...headers } });
    const text = await res.body.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body, headers: res.headers };
  };
  const loginToken = (role: string, did: string, fullName: string) => jwt.sign({ did, role, fullName, provider: 'wallet' }, sessionSecret, { expiresIn: '1h' });

  beforeAll(async () => {
    cli = (await timed('the CLI', () => run('bash', [path.join(ROOT, 'scripts/blocklet/install-cli.sh')], { maxBuffer: MAX_OUTPUT, env: serverEnv() }))).stdout.trim().split('\n').at(-1)!;
    const bundleDir = path.join(ROOT, '.blocklet/bundle');
    // A bundle older than the build (`npm run build`) is made again.
    const mtime = (file: string) => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0);
    const built = Math.max(mtime(path.join(ROOT, 'dist/api/index.js')), mtime(path.join(ROOT, 'dist/web/index.html')));
    if (mtime(path.join(bundleDir, 'blocklet.yml')) < built) {
      await timed('the bundle', () => run('bash', [path.join(ROOT, 'scripts/blocklet/bundle.sh')], { cwd: ROOT, maxBuffer: MAX_OUTPUT, env: serverEnv() }));
    }
    for (const file of ['blocklet.prefs.json', 'logo.png', 'dist/web/index.html']) expect(fs.existsSync(path.join(bundleDir, file)), file).toBe(true);

    serverDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-blocklet-server-'));
    httpPort = await freePort();
    const httpsPort = await freePort();
    await timed('server init', () => blocklet('server', 'init', '-y', '--mode', 'debug', '--http-port', String(httpPort), '--https-port', String(httpsPort), '--no-https'));
    // Offline: no launcher to register with.
    const configFile = path.join(serverDir, '.blocklet-server/config.yml');
    fs.writeFileSync(configFile, fs.readFileSync(configFile, 'utf8').replace(/registerUrl: .*/, "registerUrl: ''"));
    started = true;
    await timed('server start', () => blocklet('server', 'start')).catch((err) => {
      throw new Error(`blocklet server start failed: ${err.message}\n${serverLogTails(serverDir)}`);
    });

    serverKey = JSON.stringify(await admin('bootstrap'));
    appDid = (await admin('create-app', 'AIGNE Hub')).appDid;
    await timed('deploy', () => blocklet('deploy', bundleDir, '--app-id', appDid, '--mount-point', '/'));
    let startAsked = false;
    const status = await timed('the hub to run', () => poll(
      'the hub to run',
      async () => {
        const s = await admin('status', appDid);
        const hub = s.components.find((c: { did: string }) => c.did === HUB_DID);
        // A deploy starts a new component; should the server have left it stopped, start it once.
        if (hub?.status === 'stopped' && !startAsked) {
          startAsked = true;
          await admin('start', appDid);
        }
        return hub?.status === 'running' ? s : undefined;
      },
      600_000,
    ));
    domain = status.domains.find((d: string) => d.endsWith('.did.abtnet.io'));
    sessionSecret = (await admin('session-secret', appDid)).sessionSecret;
  });

  afterAll(async () => {
    if (started) {
      await blocklet('server', 'stop', '-f').catch(() => blocklet('server', 'stop', '-f').catch(() => undefined));
    }
    // The process managers this run started would restart the server's processes in a folder that is gone.
    PM2_HOMES.forEach((home, i) => {
      const pid = livePm2Daemon(home);
      if (pid && pid !== daemonsBefore[i]) process.kill(pid, 'SIGTERM');
    });
    if (serverDir) fs.rmSync(serverDir, { recursive: true, force: true });
  });

  it('runs the hub as the app’s component at /, answering its health through the router', async () => {
    const health = await viaRouter('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', db: 'ok' });
  });

  it('names the AIGNE Hub component in the server’s __blocklet__.js', async () => {
    const res = await viaRouter('/__blocklet__.js?type=json');
    expect(res.status).toBe(200);
    expect(res.body.componentMountPoints).toEqual(expect.arrayContaining([expect.objectContaining({ did: HUB_DID, mountPoint: '/' })]));
    expect(res.body.serverVersion).toBeTruthy();
  });

  it('refuses anonymous callers on admin routes', async () => {
    expect((await viaRouter('/api/access-keys')).status).toBe(401);
    expect((await viaRouter('/api/settings')).status).toBe(401);
  });

  it('takes the server’s session: owner and admin are admins, a guest is a member', async () => {
    for (const role of ['owner', 'admin']) {
      const res = await viaRouter('/api/auth/session', { cookie: `login_token=${loginToken(role, `z1${role}Did0000000000000000000000000`, role)}` });
      expect(res.body.user, role).toMatchObject({ role: 'admin' });
      expect((await viaRouter('/api/access-keys', { cookie: `login_token=${loginToken(role, 'z1ownerDid', role)}` })).status).toBe(200);
    }
    const guest = await viaRouter('/api/auth/session', { cookie: `login_token=${loginToken('guest', 'z1guestDid000000000000000000000000', 'Guest')}` });
    expect(guest.body.user).toMatchObject({ role: 'member' });
    expect((await viaRouter('/api/access-keys', { cookie: `login_token=${loginToken('guest', 'z1guestDid000000000000000000000000', 'Guest')}` })).status).toBe(403);
    const forged = jwt.sign({ did: 'z1forged', role: 'owner' }, 'not-the-server-secret-0123456789');
    expect((await viaRouter('/api/access-keys', { cookie: `login_token=${forged}` })).status).toBe(401);
  });

  it('applies preferences saved in the server while it runs: billing on, a grant, a provider out of rotation', async () => {
    const owner = { cookie: `login_token=${loginToken('owner', 'z1ownerDid', 'Owner')}` };
    const before = await viaRouter('/api/settings', owner);
    expect(before.body).toMatchObject({ source: 'blocklet', settings: { creditBillingEnabled: false, newUserCreditGrant: '0', excludedProviders: [] } });
    const pidBefore = (await admin('status', appDid)).components.find((c: { did: string }) => c.did === HUB_DID).pid;
    expect(pidBefore).toBeTruthy();

    await admin('configure', appDid, HUB_DID, JSON.stringify({ creditBillingEnabled: true, newUserCreditGrant: '2.5', excludedProviders: ['openai'] }));
    const after = await poll(
      'the hub to apply the preferences',
      async () => {
        const res = await viaRouter('/api/settings', owner);
        return res.body.settings?.creditBillingEnabled === true ? res.body.settings : undefined;
      },
      60_000,
    );
    expect(after).toMatchObject({ creditBillingEnabled: true, newUserCreditGrant: '2.5', excludedProviders: ['openai'] });
    const pidAfter = (await admin('status', appDid)).components.find((c: { did: string }) => c.did === HUB_DID).pid;
    expect(pidAfter).toBe(pidBefore);

    // A user first seen now gets the new grant.
    const newcomer = { cookie: `login_token=${loginToken('guest', 'z1newcomer0000000000000000000000', 'Newcomer')}` };
    expect((await viaRouter('/api/user/credits', newcomer)).body.balance).toBe('2.5');
  });

  it('shows the dashboard inside the server: its DID Wallet sign-in, then the signed-in dashboard in 中文', async () => {
    // The app's domain on port 80, as a user reaches it, lands on the server's router here.
    const browser = await launchBrowser({ locale: 'zh-CN', args: [`--host-resolver-rules=MAP ${domain} 127.0.0.1:${httpPort}`] });
    try {
      const origin = `http://${domain}`;
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      /** Waits for what the page should show; failing, says where the browser is and what it shows. */
      const shown = (selector: string) =>
        page
          .locator(selector)
          .waitFor({ timeout: 60_000 })
          .catch(async (err) => {
            const body = (await page.locator('body').innerText().catch(() => '')).slice(0, 400);
            throw new Error(`${err.message}\nat ${page.url()}: ${JSON.stringify(body)}\n${problems.join('\n')}`);
          });
      await page.goto(`${origin}/`);
      const login = page.locator('[data-testid="blocklet-login"]');
      await shown('[data-testid="blocklet-login"]');
      expect(await login.innerText()).toBe('使用 DID 钱包登录');
      expect(await login.getAttribute('href')).toMatch(/^\/\.well-known\/service\/login\?redirect=%2F/);
      expect(await englishWordsOnPage(page)).toEqual([]);
      // The server's login page is there (it asks for the wallet, which cannot connect offline).
      const loginPage = await request(`http://127.0.0.1:${httpPort}${await login.getAttribute('href')}`, { headers: { host: domain } });
      await loginPage.body.dump();
      expect(loginPage.statusCode).toBe(200);

      await browser.context.addCookies([{ name: 'login_token', value: loginToken('owner', 'z1ownerDid', '站长'), url: origin }]);
      // A new page load (a change of the hash alone would keep the signed-out page): the dashboard reads the session anew.
      await page.goto(`${origin}/#/providers`);
      await page.reload();
      await shown('[data-testid="session-user"]');
      expect(await page.locator('[data-testid="session-user"]').innerText()).toContain('管理员');
      await shown('[data-testid="nav-providers"][aria-current="page"]');
      await page.waitForFunction(() => !document.querySelector('[data-testid="loading"]'), undefined, { timeout: 60_000 });
      expect(await englishWordsOnPage(page, ['z1ownerDid'])).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
