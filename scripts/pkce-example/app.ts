/**
 * A small app that asks a hub's user for a key, the way any app would (API.md §16, OAuth PKCE):
 * it sends the browser to the hub's /auth/authorize with a code challenge, receives the one-time
 * code on its own loopback callback, trades it with the verifier for a key, and calls the hub with
 * that key. Nothing here knows the hub's insides: it speaks HTTP only.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExampleAppOptions {
  /** The hub, e.g. http://127.0.0.1:3030. */
  hubUrl: string;
  appName?: string;
  model?: string;
  question?: string;
  /** API.md §14 limits to ask for the key. */
  limits?: Record<string, unknown>;
}

export interface ExampleAppResult {
  key: string;
  userDid: string;
  answer: string;
  modelCallId: string | null;
}

export interface ExampleApp {
  /** Where to send the user's browser. */
  authorizeUrl: string;
  callbackUrl: string;
  /** Settles once the browser came back and the app called the hub with its new key. */
  result: Promise<ExampleAppResult>;
  close(): Promise<void>;
}

const page = (res: ServerResponse, status: number, text: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
  const escaped = text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res.end(`<!doctype html><title>Example app</title><p id="result">${escaped}</p>`);
};

export async function startExampleApp(options: ExampleAppOptions): Promise<ExampleApp> {
  const hub = options.hubUrl.replace(/\/+$/, '');
  // RFC 7636: the verifier stays here; only its SHA-256 travels with the browser.
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  let settle!: { resolve: (r: ExampleAppResult) => void; reject: (e: Error) => void };
  const result = new Promise<ExampleAppResult>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {});

  const finish = async (url: URL): Promise<ExampleAppResult> => {
    if (url.searchParams.get('state') !== state) throw new Error('the callback did not carry this app’s state');
    const denied = url.searchParams.get('error');
    if (denied) throw new Error(`the user did not approve (${denied})`);
    const exchange = await fetch(`${hub}/api/auth/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: url.searchParams.get('code'), code_verifier: verifier }),
    });
    const granted = (await exchange.json()) as { key?: string; userDid?: string; error?: { message: string } };
    if (!exchange.ok || !granted.key) throw new Error(`the hub refused the code: ${granted.error?.message ?? exchange.status}`);
    const call = await fetch(`${hub}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${granted.key}` },
      body: JSON.stringify({ model: options.model ?? 'openai/gpt-4o-mini', messages: [{ role: 'user', content: options.question ?? 'Hello from the example app' }] }),
    });
    const body = (await call.json()) as { choices?: { message?: { content?: string } }[]; error?: { message: string } };
    if (!call.ok) throw new Error(`the call with the new key failed: ${body.error?.message ?? call.status}`);
    return { key: granted.key, userDid: granted.userDid!, answer: body.choices?.[0]?.message?.content ?? '', modelCallId: call.headers.get('x-aigne-hub-model-call-id') };
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/callback') return page(res, 404, 'Not found');
    finish(url).then(
      (r) => {
        page(res, 200, `Connected as ${r.userDid}. The hub answered: ${r.answer}`);
        settle.resolve(r);
      },
      (err: Error) => {
        page(res, 400, err.message);
        settle.reject(err);
      },
    );
  };

  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const callbackUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const query = new URLSearchParams({
    callback_url: callbackUrl,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    app_name: options.appName ?? 'Example app',
    state,
    ...(options.limits ? { limits: JSON.stringify(options.limits) } : {}),
  });
  return {
    authorizeUrl: `${hub}/auth/authorize?${query}`,
    callbackUrl,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
