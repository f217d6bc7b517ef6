/**
 * A credit-billed member, end to end: with credit billing on, a member key sees only the
 * Playground and Credits; a call without credits is refused; the admin grants credits from the
 * Credits page; the member's call is charged at the model's rate and shows up in their balance,
 * transactions and calls.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type BrowserSession } from './helpers/browser.js';
import { createKey, seedOpenAI, startE2eHub, type E2eHub } from './helpers/hub.js';
import { saveScreenshot } from './helpers/screenshots.js';
import { logIn, navLabels, openPage, tid, waitForText } from './helpers/ui.js';

const MEMBER_DID = 'user_e2e_member_ada';
const QUESTION = 'What are credits for here?';
const ANSWER = 'Credits pay for each call at the rate of its model.';
const INPUT_RATE = '0.0001';
const OUTPUT_RATE = '0.0002';
const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
// 5 words in at 0.0001 + 11 words out at 0.0002 = 0.0027 credits.
const CALL_COST = '0.0027';
const BALANCE_AFTER = '4.9973';

describe('a member with credits, in the browser', () => {
  let hub: E2eHub;
  let memberKey = '';
  let admin: BrowserSession;
  let member: BrowserSession;
  let adminPage: Page;
  let memberPage: Page;

  beforeAll(async () => {
    expect(words(QUESTION) * Number(INPUT_RATE) + words(ANSWER) * Number(OUTPUT_RATE)).toBeCloseTo(Number(CALL_COST), 9);
    hub = await startE2eHub({ CREDIT_BASED_BILLING_ENABLED: 'true' });
    await seedOpenAI(hub, { inputRate: INPUT_RATE, outputRate: OUTPUT_RATE });
    memberKey = (await createKey(hub, { name: 'Ada', role: 'member', userDid: MEMBER_DID })).key;
    hub.upstream.setDefaults({ reply: ANSWER });
    admin = await launchBrowser();
    member = await launchBrowser();
    adminPage = await admin.newPage();
    memberPage = await member.newPage();
  });

  afterAll(async () => {
    await member?.close();
    await admin?.close();
    await hub?.close();
  });

  it('logs the member in to the Playground with only Playground, My keys and Credits in the nav', async () => {
    await logIn(memberPage, hub.url, memberKey);
    await memberPage.waitForFunction(() => window.location.hash === '#/playground');
    expect(await navLabels(memberPage)).toEqual(['Playground', 'My keys', 'Credits', 'Pricing']);
    expect(await tid(memberPage, 'session-user').innerText()).toMatch(/Member/);

    await memberPage.goto(`${hub.url}/#/providers`);
    await tid(memberPage, 'forbidden').waitFor();
    expect(await tid(memberPage, 'provider-row').count()).toBe(0);
  });

  it('shows a zero balance and refuses a call the member cannot pay for', async () => {
    await openPage(memberPage, 'credits');
    await waitForText(tid(memberPage, 'credits-balance'), /^0\s+credits$/);
    expect(await tid(memberPage, 'grant-form').count()).toBe(0);

    await openPage(memberPage, 'playground');
    await tid(memberPage, 'playground-input').fill(QUESTION);
    await tid(memberPage, 'playground-send').click();
    await waitForText(tid(memberPage, 'playground-error'), /credit/i);
    expect((await tid(memberPage, 'playground-answer-text').innerText()).trim()).toBe('');
  });

  it('lets the admin grant credits to the member from the Credits page', async () => {
    await logIn(adminPage, hub.url, hub.adminKey);
    await openPage(adminPage, 'credits');
    const form = tid(adminPage, 'grant-form');
    await form.waitFor();
    await tid(form, 'grant-user').fill(MEMBER_DID);
    await tid(form, 'grant-amount').fill('5');
    await tid(form, 'grant-reason').fill('Welcome credits');
    await tid(form, 'grant-submit').click();
    await adminPage.locator('[data-testid="grant-notice"], [data-testid="grant-error"]').first().waitFor();
    expect(await tid(adminPage, 'grant-error').count(), await adminPage.locator('[data-testid="grant-error"]').allInnerTexts().then(String)).toBe(0);
    await waitForText(tid(adminPage, 'grant-notice'), `Granted 5 credits to ${MEMBER_DID}.`);
  });

  it('charges the member’s next call at the model’s rate and shows it on the Credits page', async () => {
    await openPage(memberPage, 'credits');
    await waitForText(tid(memberPage, 'credits-balance'), /^5\s+credits$/);

    await openPage(memberPage, 'playground');
    if (await tid(memberPage, 'playground-clear').count()) await tid(memberPage, 'playground-clear').click();
    expect(await tid(memberPage, 'playground-answer').count()).toBe(0);
    await tid(memberPage, 'playground-input').fill(QUESTION);
    await tid(memberPage, 'playground-send').click();
    const answer = memberPage.locator('[data-testid="playground-answer"][data-streaming="false"]');
    await answer.waitFor({ timeout: 30_000 });
    expect(await tid(answer, 'playground-error').count(), await answer.innerText()).toBe(0);
    await waitForText(tid(answer, 'playground-answer-text'), ANSWER);
    await waitForText(tid(answer, 'playground-tokens'), `${words(QUESTION)} in · ${words(ANSWER)} out`);
    await waitForText(tid(answer, 'playground-credits'), `${CALL_COST} credits`);

    await openPage(memberPage, 'credits');
    await waitForText(tid(memberPage, 'credits-balance'), new RegExp(`^${BALANCE_AFTER.replace('.', '\\.')}\\s+credits$`));
    const transactions = tid(memberPage, 'transaction-row');
    await transactions.first().waitFor();
    const ledger = (await transactions.allInnerTexts()).join('\n');
    expect(ledger).toContain('Welcome credits');
    expect(ledger).toContain('5');
    expect(ledger).toContain(`-${CALL_COST}`);

    const call = memberPage.locator('[data-testid="call-row"][data-status="success"]');
    await call.first().waitFor();
    expect(await call.count()).toBe(1);
    expect(await call.first().innerText()).toContain(CALL_COST);
    await saveScreenshot(memberPage, 'credits', { fullPage: true });
  });
});
