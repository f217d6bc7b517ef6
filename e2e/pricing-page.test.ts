/**
 * Prices in the browser: a visitor reads the public price list without signing in; an admin imports
 * rates from the price table on the rates page, sees the rate check's flags and the bell's
 * notification, and runs the model health checks from the providers page.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { logIn, openPage, tid, waitForText } from './helpers/ui.js';

describe('pricing in the browser', () => {
  let hub: E2eHub;
  let providerId = '';
  let visitor: BrowserSession;
  let admin: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    hub = await startE2eHub();
    ({ providerId } = await seedOpenAI(hub, { inputRate: '0.0000015', outputRate: '0.000006' }));
    const image = await hub.api('POST', `/api/ai-providers/${providerId}/model-rates`, { model: 'dall-e-3', type: 'imageGeneration', inputRate: '0', outputRate: '0.04' });
    expect(image.status).toBe(201);
    // Sold under the table's 10 USD per 1M output tokens: the rate check flags it.
    const cheap = await hub.api('POST', `/api/ai-providers/${providerId}/model-rates`, { model: 'gpt-4.1', type: 'chatCompletion', inputRate: '0.000002', outputRate: '0.000001' });
    expect(cheap.status).toBe(201);
    visitor = await launchBrowser();
    admin = await launchBrowser();
    page = await admin.newPage();
  });

  afterAll(async () => {
    await visitor?.close();
    await admin?.close();
    await hub?.close();
  });

  it('shows every served model in credits to a visitor who has not signed in', async () => {
    const anon = await visitor.newPage();
    await anon.goto(`${hub.url}/pricing`);
    await tid(anon, 'pricing-table').waitFor();
    expect(await anon.evaluate(() => window.location.hash)).toBe('#/pricing');
    expect(await tid(anon, 'login-form').count()).toBe(0);
    const row = (model: string) => anon.locator(`[data-testid="pricing-row"][data-model="${model}"]`);
    expect(await row('openai/gpt-4o-mini').locator('[data-testid="pricing-input"]').innerText()).toBe('1.5');
    expect(await row('openai/gpt-4o-mini').locator('[data-testid="pricing-output"]').innerText()).toBe('6');
    expect(await row('openai/dall-e-3').locator('[data-testid="pricing-image"]').innerText()).toBe('0.04');
    await saveScreenshot(anon, 'pricing');

    await tid(anon, 'pricing-filter').fill('dall');
    await waitForText(tid(anon, 'pricing-table'), (text) => !text.includes('gpt-4o-mini'));
    await tid(anon, 'public-sign-in').click();
    await tid(anon, 'login-form').waitFor();
  });

  it('imports a rate from the price table and flags the one sold below cost', async () => {
    await logIn(page, hub.url, hub.adminKey);
    await openPage(page, 'rates');
    await tid(page, 'rates-table').waitFor();
    const flagsOf = (model: string) => page.locator(`[data-testid="rate-row"][data-model="${model}"] [data-testid="rate-flags"]`);
    await waitForText(flagsOf('gpt-4.1'), 'Below cost');
    // Ten times the table's price: not below cost, but far from it.
    expect(await flagsOf('gpt-4o-mini').innerText()).toBe('Drifted');

    await tid(page, 'rate-import-toggle').click();
    await tid(page, 'catalog-import').waitFor();
    await tid(page, 'catalog-search').fill('gpt-4o');
    await page.locator('[data-testid="catalog-row"][data-model="gpt-4o"] input[type="checkbox"]').check();
    await tid(page, 'catalog-margin').fill('0.2');
    await saveScreenshot(page, 'rates-import');
    await tid(page, 'catalog-import-selected').click();
    await waitForText(tid(page, 'catalog-result'), '1 created');
    // 2.5 and 10 USD per 1M tokens, +20 %, at 1 credit per USD.
    const imported = page.locator('[data-testid="rate-row"][data-model="gpt-4o"]');
    await imported.waitFor();
    expect(await imported.locator('[data-testid="rate-input"]').innerText()).toBe('0.000003');
    expect(await imported.locator('[data-testid="rate-output"]').innerText()).toBe('0.000012');

    // The check told the admins once: the bell shows it when opened.
    await tid(page, 'notification-bell').click();
    await tid(page, 'notification-panel').waitFor();
    await waitForText(tid(page, 'notification-unread'), '1');
    expect(await page.locator('[data-testid="notification-item"][data-type="rate.below_cost"]').count()).toBe(1);
    await tid(page, 'notification-mark-read').click();
    await tid(page, 'notification-unread').waitFor({ state: 'detached' });
  });

  it('runs the model health checks from the providers page and shows their results', async () => {
    await openPage(page, 'providers');
    await tid(page, 'provider-row').waitFor();
    await tid(page, 'health-check-now').click();
    const row = page.locator('[data-testid="model-health-row"][data-model="gpt-4o-mini"]');
    await row.waitFor();
    expect(await row.getAttribute('data-ok')).toBe('true');
    expect(await page.locator('[data-testid="model-health-row"][data-model="dall-e-3"]').count()).toBe(0);
    expect(hub.upstream.requests.some((r) => r.path.endsWith('/chat/completions') && (r.body as { model?: string }).model === 'gpt-4o-mini')).toBe(true);
  });
});
