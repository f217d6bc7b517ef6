/**
 * API.md §14 in the dashboard, in Chromium: the admin sets a key's requests a minute on the keys
 * page, the key's calls beyond it are refused, and the page shows "used / limit"; an app's and a
 * user's limits are edited the same way; the member sees the limits that apply to them on My keys.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { chatOnce, createKey, seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { logIn, openPage, tid, waitForText } from './helpers/ui.js';

const MEMBER_DID = 'user_e2e_limited_ana';

/** Minutes are the windows: the calls of a check start early enough in one to end in it. */
async function earlyInAMinute(): Promise<void> {
  const end = Date.now() + 30_000;
  while (new Date().getUTCSeconds() >= 45) {
    if (Date.now() > end) throw new Error('the clock did not move on');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('limits in the dashboard', () => {
  let hub: E2eHub;
  let browser: BrowserSession;
  let page: Page;
  let memberKey = '';

  beforeAll(async () => {
    hub = await startE2eHub();
    await seedOpenAI(hub);
    memberKey = (await createKey(hub, { name: 'Ana script', role: 'member', userDid: MEMBER_DID })).key;
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('sets a key’s requests a minute on the keys page; the key’s next calls beyond it are refused and the page counts them', async () => {
    await logIn(page, hub.url, hub.adminKey);
    await openPage(page, 'keys');
    const row = page.locator('[data-testid="key-row"][data-key-name="Ana script"]');
    await waitForText(tid(row, 'key-limits'), 'None');
    await tid(row, 'key-limits-edit').click();
    await tid(row, 'key-limits-form-rpm').fill('2');
    await tid(row, 'key-limits-form-models').fill('openai/*');
    await tid(row, 'key-limits-form-submit').click();
    await waitForText(tid(row, 'key-limits'), '0 / 2 requests/min');
    expect((await hub.api('GET', '/api/access-keys')).body.find((k: { name: string }) => k.name === 'Ana script').limits).toEqual({
      rpm: 2,
      tpm: null,
      maxConcurrent: null,
      models: ['openai/*'],
      budget: null,
    });

    await earlyInAMinute();
    expect((await chatOnce(hub, memberKey, 'one')).status).toBe(200);
    expect((await chatOnce(hub, memberKey, 'two')).status).toBe(200);
    const refused = await chatOnce(hub, memberKey, 'three');
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('rate_limit_exceeded');

    await page.reload();
    await waitForText(tid(row, 'key-limits'), '2 / 2 requests/min');
    // At 1280 px a limited key's row still fits: Revoke is reached without scrolling sideways.
    expect(await tid(page, 'keys-table').evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth + 1)).toBe(true);
    await saveScreenshot(page, 'keys-limits');
  });

  it('edits an app’s and a user’s limits, and refuses a bad number in the form', async () => {
    expect((await hub.api('POST', '/api/apps', { name: 'Limited app' })).status).toBe(201);
    await page.reload();
    const app = page.locator('[data-testid="app-row"]').first();
    await tid(app, 'app-limits-edit').click();
    await tid(app, 'app-limits-form-budget').fill('5');
    await tid(app, 'app-limits-form-period').selectOption('week');
    await tid(app, 'app-limits-form-submit').click();
    await waitForText(tid(app, 'app-limits'), '0 / 5 credits this week');

    const user = page.locator(`[data-testid="user-row"][data-user-did="${MEMBER_DID}"]`);
    await tid(user, 'user-limits-edit').click();
    await tid(user, 'user-limits-form-maxConcurrent').fill('1.5');
    await tid(user, 'user-limits-form-submit').click();
    await waitForText(tid(user, 'user-limits-form-error'), 'whole number');
    await tid(user, 'user-limits-form-maxConcurrent').fill('4');
    await tid(user, 'user-limits-form-submit').click();
    await waitForText(tid(user, 'user-limits'), '0 / 4 at once');
    expect((await hub.api('GET', '/api/users')).body.find((u: { did: string }) => u.did === MEMBER_DID).limits).toMatchObject({ maxConcurrent: 4 });
  });

  it('shows the member the limits that apply to them on My keys', async () => {
    await page.context().clearCookies();
    await logIn(page, hub.url, memberKey);
    await openPage(page, 'my-keys');
    await waitForText(tid(page, 'my-limits-key'), /requests\/min/);
    expect(await tid(page, 'my-limits-key').innerText()).toMatch(/2 \/ 2 requests\/min|0 \/ 2 requests\/min/);
    await waitForText(tid(page, 'my-limits-user'), '/ 4 at once');
    await saveScreenshot(page, 'my-limits');
  });
});
