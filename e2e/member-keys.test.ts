/**
 * A member's own keys and an app that asks them for one, in Chromium: the example app of
 * scripts/pkce-example sends the browser to /auth/authorize, the member signs in and approves, the
 * app receives the code on its loopback callback, trades it for a key and calls the hub, and the call
 * is billed to the member. A denied request sends the browser back with `error=access_denied`. The
 * member's My keys page makes, shows once and revokes a key and counts each key's calls and credits
 * this month; the Credits page shows their usage and the "Buy credits" link.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoToCredits } from '../api/lib/decimal.js';
import { startExampleApp } from '../scripts/pkce-example/app.js';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { createKey, seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { openPage, tid, waitForText } from './helpers/ui.js';

const MEMBER_DID = 'user_e2e_member_lin';
const PAYMENT_LINK = 'https://pay.example.com/aigne-hub-credits';
const ANSWER = 'Notes are saved.';

describe('a member’s keys and the apps that ask for one, in the browser', () => {
  let hub: E2eHub;
  let memberKey = '';
  let browser: BrowserSession;
  let page: Page;
  let appCallCredits = '';

  const balance = async () => (await hub.api('GET', '/api/user/credits', undefined, memberKey)).body.balance as string;

  beforeAll(async () => {
    hub = await startE2eHub({ CREDIT_BASED_BILLING_ENABLED: 'true', CREDIT_PAYMENT_LINK: PAYMENT_LINK });
    await seedOpenAI(hub, { inputRate: '0.0001', outputRate: '0.0002' });
    hub.upstream.setDefaults({ reply: ANSWER });
    memberKey = (await createKey(hub, { name: 'Lin', role: 'member', userDid: MEMBER_DID })).key;
    expect((await hub.api('POST', '/api/credits/grants', { userDid: MEMBER_DID, amount: '3' })).status).toBe(201);
    browser = await launchBrowser();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('lets an app ask the member for a key, and bills the app’s call to the member', async () => {
    const app = await startExampleApp({ hubUrl: hub.url, appName: 'Note Taker', question: 'Save my notes', limits: { rpm: 30, budget: { credits: '1', period: 'day' } } });
    try {
      await page.goto(app.authorizeUrl);
      // Not signed in yet: the sign-in form says which app asks.
      await waitForText(tid(page, 'login-intro'), 'Note Taker asks for an access key');
      await tid(page, 'login-key').fill(memberKey);
      await tid(page, 'login-submit').click();

      await tid(page, 'authorize-card').waitFor();
      expect(await tid(page, 'authorize-app').innerText()).toBe('Note Taker');
      expect(await tid(page, 'authorize-origin').innerText()).toBe(new URL(app.callbackUrl).origin);
      expect(await tid(page, 'authorize-limits').innerText()).toBe('30 requests/min · 1 credits a day');
      expect(await tid(page, 'authorize-user').innerText()).toBe('Lin');
      await saveScreenshot(page, 'authorize');

      const before = await balance();
      await tid(page, 'authorize-approve').click();
      // The browser lands on the app's callback, where the app has traded the code and called the hub.
      await page.waitForURL((url) => url.href.startsWith(app.callbackUrl));
      await waitForText(page.locator('#result'), `Connected as ${MEMBER_DID}. The hub answered: ${ANSWER}`);
      const result = await app.result;
      expect(result).toMatchObject({ userDid: MEMBER_DID, answer: ANSWER });

      await hub.hub.gateway.recorder.flush();
      const [rows] = (await hub.hub.sequelize.query('SELECT "userDid", "appId", "creditsNano" FROM model_calls WHERE id = :id', { replacements: { id: result.modelCallId } })) as [
        { userDid: string; appId: string; creditsNano: number | string }[],
        unknown,
      ];
      expect(rows[0]).toMatchObject({ userDid: MEMBER_DID, appId: 'Note Taker' });
      const cost = Number(rows[0]!.creditsNano);
      expect(cost).toBeGreaterThan(0);
      appCallCredits = nanoToCredits(cost);
      expect(Math.round((Number(before) - Number(await balance())) * 1e9)).toBe(cost);
    } finally {
      await app.close();
    }
  });

  it('sends the browser back with access_denied when the member denies, and no key is made', async () => {
    const keysBefore = (await hub.api('GET', '/api/user/access-keys', undefined, memberKey)).body.length;
    const app = await startExampleApp({ hubUrl: hub.url, appName: 'Nosy App' });
    try {
      await page.goto(app.authorizeUrl);
      await waitForText(tid(page, 'authorize-app'), 'Nosy App');
      expect(await tid(page, 'authorize-limits').innerText()).toBe('None beyond your own');
      await tid(page, 'authorize-deny').click();
      await page.waitForURL((url) => url.href.startsWith(app.callbackUrl));
      expect(new URL(page.url()).searchParams.get('error')).toBe('access_denied');
      await expect(app.result).rejects.toThrow(/did not approve/);
    } finally {
      await app.close();
    }
    expect((await hub.api('GET', '/api/user/access-keys', undefined, memberKey)).body).toHaveLength(keysBefore);
  });

  it('refuses to show an approval for a callback that is not https: or loopback http:', async () => {
    await page.goto(`${hub.url}/auth/authorize?callback_url=${encodeURIComponent('http://evil.example.com/cb')}&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256&app_name=Evil`);
    await waitForText(tid(page, 'authorize-invalid'), /https:/);
    expect(await tid(page, 'authorize-approve').count()).toBe(0);
  });

  it('makes, shows once and revokes a key on My keys, with each key’s last use, calls and credits this month', async () => {
    // Still signed in from approving the app.
    await page.goto(`${hub.url}/`);
    await tid(page, 'session-user').waitFor({ state: 'attached' });
    await openPage(page, 'my-keys');
    const appRow = page.locator('[data-testid="my-key-row"][data-key-name="Note Taker"]');
    await appRow.waitFor();
    expect(await tid(appRow, 'my-key-calls').innerText()).toBe('1');
    expect(await tid(appRow, 'my-key-credits').innerText()).toBe(appCallCredits);
    expect(await tid(appRow, 'my-key-last-used').innerText()).not.toBe('Never');

    await tid(page, 'my-key-name').fill('laptop script');
    await tid(page, 'my-key-submit').click();
    const secret = (await tid(page, 'my-key').innerText()).trim();
    expect(secret).toMatch(/^aigne_/);
    expect(await tid(page, 'my-key-copy').isVisible()).toBe(true);
    const row = page.locator('[data-testid="my-key-row"][data-key-name="laptop script"]');
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('active');
    expect(await tid(row, 'my-key-calls').innerText()).toBe('0');
    // The key works as the member's own.
    expect((await hub.api('GET', '/api/user/credits', undefined, secret)).status).toBe(200);
    await tid(page, 'my-key-dismiss').click();
    expect(await tid(page, 'my-key').count()).toBe(0);
    await saveScreenshot(page, 'my-keys', { fullPage: true });

    await tid(row, 'my-key-revoke').click();
    await tid(row, 'my-key-revoke-confirm').click();
    await page.locator('[data-testid="my-key-row"][data-key-name="laptop script"][data-status="revoked"]').waitFor();
    expect((await hub.api('GET', '/api/user/credits', undefined, secret)).status).toBe(401);
  });

  it('shows the member’s own usage by day and by model, and a Buy credits link, on Credits', async () => {
    await openPage(page, 'credits');
    const buy = tid(page, 'credits-buy');
    await buy.waitFor();
    expect(await buy.innerText()).toBe('Buy credits');
    expect(await buy.getAttribute('href')).toBe(PAYMENT_LINK);

    const usage = tid(page, 'my-usage');
    await waitForText(tid(usage, 'usage-total-calls'), /^calls\s+1$/i);
    expect(await tid(usage, 'usage-chart-calls').count()).toBe(1);
    const model = usage.locator('[data-testid="usage-breakdown-row"][data-key="openai/gpt-4o-mini"]');
    await model.waitFor();
    expect(await model.locator('td').nth(1).innerText()).toBe('1');
    await saveScreenshot(page, 'my-usage', { fullPage: true });
  });
});
