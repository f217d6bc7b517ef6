/** Helpers for gateway tests: a hub wired to a fake upstream through the admin API. */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { bearer, startTestHub, type TestHub } from './hub.js';

export interface ProviderSetup {
  name: string;
  baseUrl?: string;
  keys?: string[];
  weights?: number[];
  rank?: number;
  rates?: { model: string; type?: 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video'; inputRate?: string; outputRate?: string }[];
}

export async function addProvider(t: TestHub, setup: ProviderSetup): Promise<{ id: string; credentialIds: string[] }> {
  const admin = bearer(t.adminKey);
  const created = await t.request.post('/api/ai-providers').set(admin).send({ name: setup.name, baseUrl: setup.baseUrl, rank: setup.rank });
  if (created.status !== 201) throw new Error(`provider: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.id as string;
  const credentialIds: string[] = [];
  for (const [i, key] of (setup.keys ?? []).entries()) {
    const credentialValue = setup.name === 'bedrock' ? { access_key_id: key, secret_access_key: `${key}-secret` } : { api_key: key };
    const c = await t.request.post(`/api/ai-providers/${id}/credentials`).set(admin).send({ name: `key-${i}`, credentialValue, weight: setup.weights?.[i] ?? 100, validate: false });
    if (c.status !== 201) throw new Error(`credential: ${c.status} ${JSON.stringify(c.body)}`);
    credentialIds.push(c.body.id);
  }
  for (const rate of setup.rates ?? []) {
    const r = await t.request
      .post(`/api/ai-providers/${id}/model-rates`)
      .set(admin)
      .send({ model: rate.model, type: rate.type ?? 'chatCompletion', inputRate: rate.inputRate ?? '0.000001', outputRate: rate.outputRate ?? '0.000002' });
    if (r.status !== 201) throw new Error(`rate: ${r.status} ${JSON.stringify(r.body)}`);
  }
  return { id, credentialIds };
}

export interface GatewayHarness {
  t: TestHub;
  upstream: FakeUpstream;
  server: Server;
  url: string;
  close(): Promise<void>;
}

export async function startGatewayHarness(env: Record<string, string | undefined> = {}, opts: { now?: () => Date } = {}): Promise<GatewayHarness> {
  const upstream = await startFakeUpstream();
  const t = await startTestHub(env, { now: opts.now });
  const server = t.hub.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    t,
    upstream,
    server,
    url,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await t.close();
      await upstream.close();
    },
  };
}

export async function modelCallRows(t: TestHub): Promise<Record<string, any>[]> {
  await t.hub.gateway.recorder.flush();
  const [rows] = await t.hub.sequelize.query('SELECT * FROM model_calls ORDER BY "createdAt" ASC');
  return rows as Record<string, any>[];
}

export async function modelCallRow(t: TestHub, id: string): Promise<Record<string, any> | undefined> {
  await t.hub.gateway.recorder.flush();
  const [rows] = await t.hub.sequelize.query('SELECT * FROM model_calls WHERE id = ?', { replacements: [id] });
  return (rows as Record<string, any>[])[0];
}

export { waitFor } from './wait-for.js';
