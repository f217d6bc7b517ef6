/**
 * The dashboard in Chinese: a browser whose language is zh-CN gets every page in 中文, with no
 * English word left on screen or in labels (a key missing from the Chinese dictionary falls back
 * to English and fails here); the language menu switches to English and back, and the pick is kept.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { chatOnce, createKey, seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { logIn, openPage, tid, waitForText } from './helpers/ui.js';
import { englishWordsOnPage } from './helpers/english-words.js';

const REPLY = '积分用于按模型费率支付每次调用。';
const MEMBER_DID = 'user_e2e_zh_member';
const ADMIN_PAGES = ['providers', 'rates', 'usage', 'calls', 'keys', 'playground', 'my-keys', 'credits', 'pricing'];

/** Values the test itself put into the hub, shown as data (names, ids), never as interface text. */
const DATA = ['admin', 'primary'];

async function expectChinese(page: Page, where: string): Promise<void> {
  // No placeholder of a page still loading: its data is on screen.
  await page.waitForFunction(() => !document.querySelector('.state-loading, [data-testid="loading"]'));
  const words = await englishWordsOnPage(page, DATA);
  expect(words, `English on ${where}`).toEqual([]);
}

describe('the dashboard in Chinese', () => {
  let hub: E2eHub;
  let browser: BrowserSession;
  let page: Page;

  beforeAll(async () => {
    hub = await startE2eHub({ CREDIT_BASED_BILLING_ENABLED: 'true', NEW_USER_CREDIT_GRANT: '0' });
    hub.upstream.setDefaults({ reply: REPLY });
    await seedOpenAI(hub);
    const member = await createKey(hub, { name: '成员密钥', role: 'member', userDid: MEMBER_DID });
    const grant = await hub.api('POST', '/api/credits/grants', { userDid: MEMBER_DID, amount: '5', reason: '欢迎积分' });
    expect(grant.status).toBe(201);
    const admin = await hub.api('GET', '/api/auth/session');
    expect((await hub.api('POST', '/api/credits/grants', { userDid: admin.body.user.did, amount: '5' })).status).toBe(201);
    expect((await chatOnce(hub, member.key, '你好')).status).toBe(200);
    expect((await hub.api('POST', '/api/apps', { name: '报表应用' })).status).toBe(201);
    browser = await launchBrowser({ locale: 'zh-CN' });
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.close();
  });

  it('greets a zh-CN browser in Chinese on the sign-in page', async () => {
    await page.goto(`${hub.url}/`);
    await tid(page, 'login-form').waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await tid(page, 'login-submit').innerText()).toBe('登录');
    await expectChinese(page, 'the sign-in page');
  });

  it('shows every admin page in Chinese, with dates and numbers in the Chinese form', async () => {
    await logIn(page, hub.url, hub.adminKey);
    for (const name of ADMIN_PAGES) {
      await openPage(page, name);
      await page.locator(`[data-testid="nav-${name}"][aria-current="page"]`).waitFor();
      await expectChinese(page, `#/${name}`);
    }

    await openPage(page, 'providers');
    await tid(page, 'provider-add').click();
    await tid(page, 'provider-form').waitFor();
    await expectChinese(page, 'the new-provider form');

    await tid(page, 'notification-bell').click();
    await tid(page, 'notification-panel').waitFor();
    await expectChinese(page, 'the notifications panel');
    await tid(page, 'notification-bell').click();

    await openPage(page, 'calls');
    await page.locator('[data-testid="call-row"]').first().click();
    await tid(page, 'call-details').waitFor();
    await expectChinese(page, 'a call’s details');
    // 12月6日 08:15:02: the month and day in Chinese.
    expect(await tid(page, 'call-details').innerText()).toMatch(/\d{1,2}月\d{1,2}日/);

    await openPage(page, 'usage');
    await waitForText(tid(page, 'usage-total-calls'), /\d/);
    await expectChinese(page, 'the usage page with a call');

    await openPage(page, 'playground');
    await tid(page, 'playground-input').fill('积分是什么？');
    await tid(page, 'playground-send').click();
    const answer = page.locator('[data-testid="playground-answer"][data-streaming="false"]');
    await answer.waitFor({ timeout: 30_000 });
    expect(await tid(answer, 'playground-error').count(), await answer.innerText()).toBe(0);
    await waitForText(tid(page, 'playground-tokens'), /^输入 \d+ · 输出 \d+$/);
    await expectChinese(page, 'the playground after an answer');
  });

  it('shows the not-found page in Chinese, and the admins-only page to a member', async () => {
    await page.goto(`${hub.url}/#/no-such-page`);
    await tid(page, 'not-found').waitFor();
    await expectChinese(page, 'the not-found page');

    const member = await createKey(hub, { name: '另一位成员', role: 'member' });
    await tid(page, 'logout').click();
    await logIn(page, hub.url, member.key);
    await page.goto(`${hub.url}/#/providers`);
    await tid(page, 'forbidden').waitFor();
    await expectChinese(page, 'the admins-only page');
    await tid(page, 'logout').click();
    await tid(page, 'login-form').waitFor();

    await page.goto(`${hub.url}/#/pricing`);
    await tid(page, 'pricing-page').waitFor();
    await expectChinese(page, 'the public pricing page');

    const challenge = 'a'.repeat(43);
    await page.goto(`${hub.url}/auth/authorize?callback_url=${encodeURIComponent('http://127.0.0.1:9/cb')}&code_challenge=${challenge}&code_challenge_method=S256&app_name=${encodeURIComponent('笔记')}`);
    await waitForText(tid(page, 'login-intro'), /笔记/);
    await expectChinese(page, 'the sign-in page of an app asking for a key');
  });

  it('switches to English and back from the language menu, and keeps the pick after a reload', async () => {
    await logIn(page, hub.url, hub.adminKey);
    await tid(page, 'locale-switch').selectOption('en');
    await waitForText(tid(page, 'nav-providers'), 'Providers');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en-US');
    await page.reload();
    await waitForText(tid(page, 'nav-providers'), 'Providers');

    await tid(page, 'locale-switch').selectOption('zh');
    await waitForText(tid(page, 'nav-providers'), '服务商');
    await page.reload();
    await waitForText(tid(page, 'nav-providers'), '服务商');
    await expectChinese(page, 'the page after switching back');
  });

  it('follows Blocklet Server’s language cookie in an English browser', async () => {
    const english = await launchBrowser({ locale: 'en-US' });
    try {
      const other = await english.newPage();
      await english.context.addCookies([{ name: 'nf_lang', value: 'zh', url: hub.url }]);
      await other.goto(`${hub.url}/`);
      await waitForText(tid(other, 'login-submit'), '登录');
    } finally {
      await english.close();
    }
  });
});
