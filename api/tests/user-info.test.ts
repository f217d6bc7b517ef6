/**
 * API.md §13 read the way AIGNE clients read it: @blocklet/aigne-hub's `getUserInfo` finds the hub's
 * mount point in `/__blocklet__.js?type=json` and GETs `{mount}/api/user/info` with the key as
 * Bearer; the AIGNE CLI's `aigne hub` shows name, DID, total / used / available credits and the
 * payment and profile links from it. Also `/api/user/credit/*` and the credit-aware `/api/v2/status`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUB_COMPONENT_DID } from '../routes/blocklet-js.js';
import { addProvider, startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

const PAYMENT_LINK = 'https://pay.example.com/buy-credits';

/** `UserInfoResult` as @blocklet/aigne-hub (packages/ai-kit/src/api/types/user.ts) and the AIGNE CLI declare it. */
interface UserInfoResult {
  user: { did: string; fullName: string; email?: string | null; avatar?: string | null };
  enableCredit: boolean;
  creditBalance: { balance: string; total: string; grantCount: number; pendingCredit: string } | null;
  paymentLink: string | null;
  currency?: unknown;
  profileLink: string;
  creditPrefix?: string;
}

const joinURL = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;

/** @blocklet/aigne-hub's getRemoteBaseUrl + getUserInfo, over fetch instead of axios. */
async function getUserInfo(baseUrl: string, accessKey: string): Promise<UserInfoResult> {
  const origin = new URL(baseUrl).origin;
  const blocklet = (await (await fetch(joinURL(origin, '__blocklet__.js?type=json'))).json()) as { componentMountPoints?: { did: string; mountPoint: string }[] };
  const component = (blocklet.componentMountPoints ?? []).find((x) => x?.did === HUB_COMPONENT_DID);
  const base = component ? joinURL(origin, component.mountPoint) : baseUrl;
  const res = await fetch(joinURL(base, '/api/user/info'), { headers: { Authorization: `Bearer ${accessKey}` } });
  if (!res.ok) throw new Error(`user info: HTTP ${res.status}`);
  return (await res.json()) as UserInfoResult;
}

/** What the AIGNE CLI's printHubDetails (packages/cli/src/commands/hub.ts) takes from it. */
function cliHubDetails(userInfo: UserInfoResult | null) {
  return {
    user: { name: userInfo?.user.fullName || '', did: userInfo?.user.did || '', email: userInfo?.user.email || '' },
    credits: {
      available: userInfo?.creditBalance?.balance || '0',
      total: userInfo?.creditBalance?.total || '0',
      used: String(parseFloat(userInfo?.creditBalance?.total || '0') - parseFloat(userInfo?.creditBalance?.balance || '0')),
    },
    links: { payment: userInfo?.paymentLink || '', profile: userInfo?.profileLink || '' },
    enableCredit: userInfo?.enableCredit || false,
  };
}

describe.each([{ billing: 'on' }, { billing: 'off' }])('who am I and what can I spend, billing $billing', ({ billing }) => {
  const on = billing === 'on';
  let h: GatewayHarness;
  let admin: Record<string, string>;
  const member = async (name: string) => {
    const res = await h.t.request.post('/api/access-keys').set(admin).send({ name });
    return { key: res.body.key as string, userDid: res.body.userDid as string, auth: bearer(res.body.key) };
  };
  const chat = (auth: Record<string, string>) =>
    h.t.request.post('/api/v1/chat/completions').set(auth).send({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'one two three' }], max_tokens: 10 });
  const status = async (key: string, model = 'openai/gpt-4o-mini') => (await fetch(`${h.url}/api/v2/status?model=${encodeURIComponent(model)}`, { headers: { Authorization: `Bearer ${key}` } })).json();

  beforeAll(async () => {
    h = await startGatewayHarness({ CREDIT_BASED_BILLING_ENABLED: String(on), CREDIT_PAYMENT_LINK: PAYMENT_LINK });
    admin = bearer(h.t.adminKey);
    // A call costs 3 × 0.001 + 4 × 0.01 = 0.043 credits.
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-upstream-0000000000000032'], rates: [{ model: 'gpt-4o-mini', inputRate: '0.001', outputRate: '0.01' }] });
  });
  afterAll(() => h.close());

  it('answers /api/user/info as the clients read it', async () => {
    const m = await member('Ada Lovelace');
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '5', reason: 'welcome' });
    expect((await chat(m.auth)).status).toBe(200);

    const info = await getUserInfo(`${h.url}/some/page`, m.key);
    expect(Object.keys(info).sort()).toEqual(['creditBalance', 'creditPrefix', 'enableCredit', 'paymentLink', 'profileLink', 'user']);
    expect(info.user).toEqual({ did: m.userDid, fullName: 'Ada Lovelace', email: null, avatar: null });
    expect(info.profileLink).toBe(`${h.url}/#/credits`);
    expect(info.creditPrefix).toBe('');
    if (on) {
      expect(info).toMatchObject({ enableCredit: true, paymentLink: PAYMENT_LINK, creditBalance: { balance: '4.957', total: '5', grantCount: 1, pendingCredit: '0' } });
      expect(cliHubDetails(info)).toEqual({
        user: { name: 'Ada Lovelace', did: m.userDid, email: '' },
        credits: { available: '4.957', total: '5', used: String(5 - 4.957) },
        links: { payment: PAYMENT_LINK, profile: `${h.url}/#/credits` },
        enableCredit: true,
      });
    } else {
      expect(info).toMatchObject({ enableCredit: false, paymentLink: null, creditBalance: null });
      expect(cliHubDetails(info).enableCredit).toBe(false);
    }
    expect((await fetch(`${h.url}/api/user/info`)).status).toBe(401);
  });

  it('answers /api/user/credit/{balance,grants,transactions,payment-link} with the caller’s own', async () => {
    const m = await member('Grace');
    const other = await member('Other');
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '1', reason: 'first' });
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: m.userDid, amount: '2.5', reason: 'second' });
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: other.userDid, amount: '9' });
    expect((await chat(m.auth)).status).toBe(200);
    const get = (path: string) => h.t.request.get(`/api/user/credit/${path}`).set(m.auth);

    // The ledger holds grants and balances whether or not billing is on; only calls are charged by it.
    expect((await get('balance')).body).toEqual({ balance: on ? '3.457' : '3.5', total: '3.5', grantCount: 2, pendingCredit: '0' });
    const grants = (await get('grants')).body;
    expect(grants).toMatchObject({ count: 2, paging: { page: 1, pageSize: 20 } });
    expect(grants.list.map((g: any) => [g.amount, g.reason, g.status, g.userDid])).toEqual([
      ['2.5', 'second', 'granted', m.userDid],
      ['1', 'first', 'granted', m.userDid],
    ]);
    const tx = (await get('transactions')).body;
    expect(tx.count).toBe(on ? 3 : 2);
    expect(tx.list.map((t: any) => t.amount)).toEqual(on ? ['-0.043', '2.5', '1'] : ['2.5', '1']);
    const second = (await get('transactions?page=2&pageSize=1')).body;
    expect(second).toMatchObject({ count: on ? 3 : 2, paging: { page: 2, pageSize: 1 } });
    expect(second.list.map((t: any) => t.amount)).toEqual([on ? '2.5' : '1']);
    expect((await get('transactions?pageSize=500')).status).toBe(400);
    expect((await get('grants?page=0')).status).toBe(400);
    expect((await get('payment-link')).body).toBe(on ? PAYMENT_LINK : null);
    expect((await h.t.request.get('/api/user/credit/balance')).status).toBe(401);
  });

  it('tells a caller who cannot pay, on /api/v2/status, where to buy credits', async () => {
    const broke = await member('Broke');
    const before = await status(broke.key);
    if (on) {
      expect(before).toEqual({ available: false, error: expect.stringMatching(/^Insufficient credits/), code: 402, type: 'insufficient_credits', link: PAYMENT_LINK });
    } else {
      expect(before).toEqual({ available: true });
    }
    await h.t.request.post('/api/credits/grants').set(admin).send({ userDid: broke.userDid, amount: '0.5' });
    expect(await status(broke.key)).toEqual({ available: true });
    // The model is still looked at once the caller can pay.
    expect(await status(broke.key, 'no-such-model-anywhere')).toMatchObject({ available: false });
  });
});
