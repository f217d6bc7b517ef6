/** Debian's Chromium driven by playwright-core, one fresh profile per launch. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM_PATH)) return;
  if (process.env.CI) {
    throw new Error(`${CHROMIUM_PATH} is missing: the end-to-end tests need Debian's Chromium (apt-get install -y chromium)`);
  }
  process.stderr.write('e2e: installing chromium with apt-get\n');
  const apt = (...args: string[]) => execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    // A fresh machine may have no package lists yet: update them and try once more.
    try {
      apt('install', '-y', '-qq', 'chromium');
    } catch {
      apt('update', '-qq');
      apt('install', '-y', '-qq', 'chromium');
    }
  } catch (error) {
    throw new Error(`${CHROMIUM_PATH} is missing and apt-get install chromium failed (as root?): ${(error as Error).message}`);
  }
  if (!fs.existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is still missing after apt-get install chromium`);
}

export interface BrowserSession {
  context: BrowserContext;
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A persistent context on a throw-away profile directory (what `--user-data-dir` gives Chromium). */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; locale?: string; args?: string[] } = {}): Promise<BrowserSession> {
  ensureChromium();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aigne-hub-e2e-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...(options.args ?? [])],
    viewport: options.viewport ?? DESKTOP,
    acceptDownloads: true,
    locale: options.locale ?? 'en-US',
    timezoneId: 'UTC',
  });
  context.setDefaultTimeout(15_000);
  return {
    context,
    async newPage(viewport) {
      const page = await context.newPage();
      if (viewport) await page.setViewportSize(viewport);
      return page;
    },
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
