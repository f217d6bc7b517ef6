/**
 * `npm run demo`: a hub with no real provider keys. Starts the fake OpenAI-compatible upstream, a
 * hub on its own data directory (./data-demo), points an `openai` provider at the fake, creates an
 * access key, asks one question, and keeps both running so you can try the dashboard and the API.
 */
import path from 'node:path';
import { parseConfig } from '../api/config.js';
import { createHub } from '../api/hub.js';
import { startFakeUpstream } from './fake-upstream/index.js';

const port = Number(process.env.PORT ?? 3030);
const upstream = await startFakeUpstream({ port: Number(process.env.FAKE_UPSTREAM_PORT ?? 0) });
const config = parseConfig({
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  AIGNE_HUB_DATA_DIR: process.env.AIGNE_HUB_DATA_DIR ?? path.resolve('data-demo'),
  AIGNE_HUB_ADMIN_KEY: process.env.AIGNE_HUB_ADMIN_KEY ?? 'demo-admin-key-change-me-0000',
  ACCESS_LOG: 'false',
});
const hub = await createHub(config);
const server = hub.app.listen(port, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', () => resolve()));
const base = `http://127.0.0.1:${port}`;
const admin = { 'content-type': 'application/json', authorization: `Bearer ${config.adminKey}` };

async function api(method: string, url: string, body?: unknown) {
  const res = await fetch(`${base}${url}`, { method, headers: admin, body: body ? JSON.stringify(body) : undefined });
  const json = res.status === 204 ? null : await res.json();
  if (!res.ok && res.status !== 409) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const providers = (await api('GET', '/api/ai-providers')) as { id: string; name: string }[];
let provider = providers.find((p) => p.name === 'openai');
if (provider) await api('PUT', `/api/ai-providers/${provider.id}`, { baseUrl: `${upstream.url}/v1` });
else provider = await api('POST', '/api/ai-providers', { name: 'openai', baseUrl: `${upstream.url}/v1` });
await api('POST', `/api/ai-providers/${provider!.id}/credentials`, { name: 'demo key', credentialValue: { api_key: 'sk-demo-not-a-real-key-000' } });
await api('POST', `/api/ai-providers/${provider!.id}/model-rates`, { model: 'gpt-4o-mini', type: 'chatCompletion', inputRate: '0.00000015', outputRate: '0.0000006' });
const key = (await api('POST', '/api/access-keys', { name: `demo ${new Date().toISOString()}` })) as { key: string };

const answer = await fetch(`${base}/api/v1/chat/completions`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
  body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Hello, hub!' }] }),
}).then((r) => r.json());

console.log(`
AIGNE Hub demo
  dashboard      ${base}/   (log in with the admin key: ${config.adminKey})
  fake upstream  ${upstream.url}
  member key     ${key.key}

Asked "Hello, hub!" → ${JSON.stringify(answer.choices?.[0]?.message?.content)} (${answer.usage?.total_tokens} tokens)

Try it:
  curl ${base}/api/v1/chat/completions -H 'Authorization: Bearer ${key.key}' \\
    -H 'Content-Type: application/json' \\
    -d '{"model":"openai/gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Stream to me"}]}'

Ctrl-C stops both.`);

const stop = async () => {
  server.close();
  await hub.close();
  await upstream.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
