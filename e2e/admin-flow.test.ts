/**
 * An admin's first session, end to end: the real hub serving the built dashboard, Chromium, and a
 * fake OpenAI upstream. Each step builds on the one before (provider → credential → rate → key →
 * a streamed chat → the call log → the usage charts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { downloadText, logIn, navLabels, openPage, tid, waitForText } from './helpers/ui.js';

const PROVIDER_KEY = 'sk-e2e-upstream-key-4242';
const QUESTION = 'How does the hub pick a provider?';
const INPUT_RATE = '0.0000015';
const OUTPUT_RATE = '0.000006';
// 7 question words at 0.0000015 + 39 answer words at 0.000006, exactly.
const CALL_CREDITS = '0.0002445';
const ANSWER =
  'The hub looks up the model rate, picks an enabled provider by rank, then rotates its credentials by weight. ' +
  'A credential that answers 429 or keeps failing is cooled down, and the request fails over to the next one.';

describe('admin flow in the browser', () => {
  let hub: E2eHub;
  let browser: BrowserSession;
  let page: Page;
  let providerId = '';
  let callId = '';

  beforeAll(async () => {
    hub = await startE2eHub();
    browser = await launchBrowser();
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.url });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('refuses a wrong key, then logs in with the admin key and shows every admin page in the nav', async () => {
    await page.goto(`${hub.url}/`);
    await tid(page, 'login-form').waitFor();
    await saveScreenshot(page, 'login');

    await tid(page, 'login-key').fill('not-a-real-key');
    await tid(page, 'login-submit').click();
    await waitForText(tid(page, 'login-error'), /invalid|revoked|expired/i);
    expect(await tid(page, 'session-user').count()).toBe(0);

    await tid(page, 'login-key').fill(hub.adminKey);
    await tid(page, 'login-submit').click();
    await tid(page, 'session-user').waitFor();
    await page.waitForFunction(() => window.location.hash === '#/providers');
    expect(await navLabels(page)).toEqual(['Providers', 'Model rates', 'Usage', 'Call log', 'Access keys & apps', 'Playground', 'My keys', 'Credits', 'Pricing']);
    expect(await tid(page, 'session-user').innerText()).toMatch(/admin/i);
  });

  it('adds the OpenAI provider pointed at the fake upstream, then a credential, through the forms', async () => {
    await tid(page, 'empty-state').waitFor();
    await tid(page, 'provider-add').click();
    const form = tid(page, 'provider-form');
    await tid(form, 'provider-form-select').selectOption('openai');
    await tid(form, 'provider-form-base-url').fill(`${hub.upstream.url}/v1`);
    await tid(form, 'provider-form-submit').click();

    const row = page.locator('[data-testid="provider-row"][data-provider-name="openai"]');
    await row.waitFor();
    providerId = (await row.getAttribute('data-provider-id')) ?? '';
    expect(providerId).not.toBe('');
    await waitForText(tid(row, 'provider-base-url'), `${hub.upstream.url}/v1`);
    await waitForText(tid(row, 'provider-enabled'), 'Enabled');
    expect(await tid(page, 'provider-form').count()).toBe(0);

    await tid(row, 'credential-add').click();
    const credForm = tid(row, 'credential-form');
    await tid(credForm, 'credential-form-name').fill('primary');
    await tid(credForm, 'credential-form-field-api_key').fill(PROVIDER_KEY);
    expect(await tid(credForm, 'credential-form-validate').isChecked()).toBe(true);
    await tid(credForm, 'credential-form-submit').click();

    const credential = tid(row, 'credential-row');
    await credential.waitFor();
    await waitForText(tid(credential, 'credential-status'), 'Active');
    const masked = await tid(credential, 'credential-masked').innerText();
    expect(masked).not.toContain(PROVIDER_KEY);
    expect(masked).toMatch(/4242/);
    expect(await page.content()).not.toContain(PROVIDER_KEY);
    // The credential was checked against the upstream with the key that was typed.
    expect(hub.upstream.requests.some((r) => r.apiKey === PROVIDER_KEY)).toBe(true);
    await saveScreenshot(page, 'providers');
  });

  it('adds a model rate for gpt-4o-mini from the provider card', async () => {
    const row = page.locator(`[data-testid="provider-row"][data-provider-id="${providerId}"]`);
    await tid(row, 'provider-rates-link').click();
    await page.waitForFunction(() => window.location.hash.startsWith('#/rates'));
    await tid(page, 'empty-state').waitFor();

    await tid(page, 'rate-add').click();
    const form = tid(page, 'rate-form');
    await tid(form, 'rate-form-model').fill('gpt-4o-mini');
    await tid(form, 'rate-form-input-rate').fill(INPUT_RATE);
    await tid(form, 'rate-form-output-rate').fill(OUTPUT_RATE);
    await tid(form, 'rate-form-submit').click();

    const rate = page.locator('[data-testid="rate-row"][data-model="gpt-4o-mini"]');
    await rate.waitFor();
    expect(await tid(rate, 'rate-input').innerText()).toBe(INPUT_RATE);
    expect(await tid(rate, 'rate-output').innerText()).toBe(OUTPUT_RATE);
    expect(await tid(page, 'rate-form').count()).toBe(0);
    await saveScreenshot(page, 'rates');
  });

  it('creates an access key that is shown once, with a copy button', async () => {
    await openPage(page, 'keys');
    await tid(page, 'create-key-form').waitFor();
    await tid(page, 'create-key-name').fill('reporting app');
    await tid(page, 'create-key-role').selectOption('member');
    await tid(page, 'create-key-submit').click();

    const box = tid(page, 'created-key-box');
    await box.waitFor();
    const key = (await tid(box, 'created-key').innerText()).trim();
    expect(key).toMatch(/^aigne_[A-Za-z0-9_-]{32,}$/);
    const copy = tid(box, 'created-key-copy');
    expect(await copy.innerText()).toBe('Copy');
    await copy.click();
    await waitForText(copy, 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

    const keyRow = page.locator('[data-testid="key-row"][data-key-name="reporting app"]');
    await keyRow.waitFor();
    await waitForText(tid(keyRow, 'key-status'), 'Active');
    expect(await keyRow.innerText()).not.toContain(key);
    // At 1280 px the whole row fits: nothing to scroll sideways to reach Revoke.
    const fits = await tid(page, 'keys-table').evaluate((table) => {
      const wrap = table.parentElement!;
      return wrap.scrollWidth <= wrap.clientWidth + 1;
    });
    expect(fits).toBe(true);
    const revoke = tid(keyRow, 'key-revoke');
    expect(await revoke.innerText()).toBe('Revoke');
    const card = (await tid(page, 'keys-table').locator('xpath=ancestor::div[contains(@class,"card")][1]').boundingBox())!;
    const button = (await revoke.boundingBox())!;
    expect(button.x + button.width).toBeLessThanOrEqual(card.x + card.width);
    await saveScreenshot(page, 'keys');

    // The key works against the API…
    const models = await hub.api('GET', '/api/v1/models', undefined, key);
    expect(models.status).toBe(200);
    // …and is never shown again.
    await page.reload();
    await keyRow.waitFor();
    expect(await tid(page, 'created-key-box').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
  });

  it('streams an answer in the playground: text appears while it is still streaming, then the tokens', async () => {
    hub.upstream.setDefaults({ reply: ANSWER, chunkDelayMs: 120 });
    await openPage(page, 'playground');
    const select = tid(page, 'playground-model');
    await select.waitFor();
    await page.waitForFunction(() => (document.querySelector('[data-testid="playground-model"]') as HTMLSelectElement | null)?.value === 'openai/gpt-4o-mini');

    await tid(page, 'playground-input').fill(QUESTION);
    await tid(page, 'playground-send').click();
    await waitForText(tid(page, 'playground-question'), QUESTION);

    const answer = tid(page, 'playground-answer');
    const text = tid(answer, 'playground-answer-text');
    // Mid-answer: some words are on screen, the turn is still streaming, Stop is offered.
    const partial = await waitForText(text, (s) => s.split(/\s+/).length >= 14);
    expect(await answer.getAttribute('data-streaming')).toBe('true');
    expect(ANSWER.startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(ANSWER.length);
    expect(await tid(page, 'playground-stop').isVisible()).toBe(true);
    expect(await tid(page, 'playground-usage').count()).toBe(0);
    await saveScreenshot(page, 'playground');

    await page.locator('[data-testid="playground-answer"][data-streaming="false"]').waitFor({ timeout: 30_000 });
    expect((await text.innerText()).trim()).toBe(ANSWER);
    const inputTokens = QUESTION.split(/\s+/).length;
    const outputTokens = ANSWER.split(/\s+/).length;
    await waitForText(tid(answer, 'playground-tokens'), (s) => s.includes(String(inputTokens)) && s.includes(String(outputTokens)));
    expect(await tid(page, 'playground-stop').count()).toBe(0);
    expect(await tid(page, 'playground-error').count()).toBe(0);
    callId = (await answer.getAttribute('data-call-id')) ?? '';
    expect(callId).not.toBe('');
    hub.upstream.setDefaults({});
  });

  it('finds the call in the call log, opens its details, and exports the rows as CSV', async () => {
    await openPage(page, 'calls');
    const row = page.locator(`[data-testid="call-row"][data-call-id="${callId}"]`);
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('success');
    const rowText = await row.innerText();
    expect(rowText).toContain('gpt-4o-mini');
    expect(rowText).toContain('Success');
    expect(rowText).toContain(CALL_CREDITS);

    await row.click();
    const details = tid(page, 'call-details');
    await details.waitFor();
    const detailsText = await details.innerText();
    expect(detailsText).toContain(callId);
    expect(detailsText).toContain(`OpenAI (${providerId})`);
    expect(detailsText).toMatch(/primary \(/);
    expect(detailsText).toContain(String(QUESTION.split(/\s+/).length));
    expect(detailsText).toContain(String(ANSWER.split(/\s+/).length));
    expect(detailsText).toContain(CALL_CREDITS);
    // With the details open beside it, the table still fits without sideways scrolling.
    expect(await tid(page, 'calls-table').evaluate((table) => table.parentElement!.scrollWidth <= table.parentElement!.clientWidth + 1)).toBe(true);
    await saveScreenshot(page, 'calls', { fullPage: true });

    const csv = await downloadText(page, () => tid(page, 'calls-export').click());
    expect(csv.name).toMatch(/\.csv$/);
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toMatch(/\bid\b/);
    expect(lines[0]).toMatch(/\bstatus\b/);
    const line = lines.find((l) => l.includes(callId));
    expect(line).toBeDefined();
    expect(line).toContain('success');
    expect(line).toContain('gpt-4o-mini');
  });

  it('shows the call in the usage totals, charts and breakdown', async () => {
    await openPage(page, 'usage');
    const calls = tid(page, 'usage-total-calls');
    const value = await waitForText(calls, /calls\s*\d+/i);
    expect(Number(value.replace(/[^\d]/g, ''))).toBeGreaterThanOrEqual(1);
    const tokens = await waitForText(tid(page, 'usage-total-tokens'), /\d/);
    expect(tokens).toContain(String(QUESTION.split(/\s+/).length + ANSWER.split(/\s+/).length));
    // The credits total is the call's exact cost, not a rounded one.
    expect(await waitForText(tid(page, 'usage-total-credits'), /\d/)).toContain(CALL_CREDITS);
    for (const chart of ['usage-chart-calls', 'usage-chart-tokens', 'usage-chart-credits', 'usage-chart-latency']) {
      expect(await tid(page, chart).isVisible()).toBe(true);
      // Every y-axis label is drawn inside the chart, none cut off at the left edge.
      const clipped = await tid(page, chart).evaluate((figure) =>
        [...figure.querySelectorAll<SVGTextElement>('text.chart-axis')].filter((label) => label.getBBox().x < 0).map((label) => label.textContent),
      );
      expect(clipped, chart).toEqual([]);
    }
    const breakdown = page.locator('[data-testid="usage-breakdown-row"]');
    await breakdown.first().waitFor();
    expect(await breakdown.first().innerText()).toContain('gpt-4o-mini');
    expect(await breakdown.first().innerText()).toContain(CALL_CREDITS);
    await saveScreenshot(page, 'usage', { fullPage: true });
  });
});
