/**
 * A gateway core in-process for the ModelCall tests: a real SQLite store, the routing table over
 * it, the call recorder with the credit ledger and usage hooks, and providers that point at a fake
 * upstream. Each test mounts its own handler (the real chat route, or one that drives a ModelCall
 * by hand) behind the real request context and error handler, on a server of its own (`listen(0)`).
 */
import type { AddressInfo } from 'node:net';
import express, { type Request, type Response } from 'express';
import { afterEach } from 'vitest';
import { QueryTypes } from 'sequelize';
import { startFakeUpstream, type FakeUpstream } from '../../../scripts/fake-upstream/index.js';
import { createLogger } from '../../lib/logger.js';
import type { Caller } from '../../services/access-keys.js';
import { createGateway, type Gateway, type GatewayDeps } from '../../services/gateway/gateway.js';
import { RoutingTable } from '../../services/gateway/routing.js';
import type { CallRecord } from '../../services/gateway/call-record.js';
import type { CallTiming } from '../../services/observability/call-timing.js';
import { requestContext } from '../../middlewares/request-context.js';
import { errorHandler } from '../../middlewares/error-handler.js';
import { chatCompletionsHandler } from '../../routes/v1/chat-completions.js';
import { hubRecorder } from './recorder-fixture.js';
import { credentialRow, providerRow, rateRow } from './routing-rows.js';
import { tempStores, type TempStore } from './temp-store.js';
import { waitFor } from './wait-for.js';

export const USER = 'did:abt:zUser1';
export const member = (patch: Partial<Caller> = {}): Caller => ({ userDid: USER, role: 'member', keyId: 'key-1', appId: null, name: null, limits: null, via: 'access-key', ...patch });

export interface ProviderRow {
  name?: string;
  rank?: number;
  keys?: string[];
  /** model → [inputRate, outputRate] */
  rates?: Record<string, [string, string]>;
}

/** A chat request to the default model. */
export const chat = (text: string, patch: Record<string, unknown> = {}) => ({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: text }], ...patch });

export type Handler = (req: Request, res: Response, gateway: Gateway) => Promise<void>;


export async function startModelCallCore(store: TempStore, options: { caller?: Caller | null; gateway?: Partial<GatewayDeps> } = {}) {
  const { models, sequelize } = store;
  const upstream: FakeUpstream = await startFakeUpstream();
  const { recorder, ledger, logs } = hubRecorder(store);
  const routing = new RoutingTable({ models, env: {}, openCredential: (row) => JSON.parse(row.encryptedValue) as Record<string, string>, billingEnabled: true });
  const logger = createLogger({ level: 'info', write: (line) => void logs.push(JSON.parse(line)) });
  const gateway = createGateway({ models, routing, recorder, billing: ledger, logger, upstreamTimeoutMs: 10_000, statsFlushMs: 60_000, ...options.gateway });
  const settled: { record: CallRecord; timing: CallTiming | undefined }[] = [];
  gateway.onCallSettled((record, timing) => void settled.push({ record, timing }));

  let handler: Handler = chatCompletionsHandler(gateway) as Handler;
  const app = express();
  app.use(express.json());
  app.use(requestContext());
  let caller: Caller | null = options.caller === undefined ? member() : options.caller;
  app.use((req, _res, next) => {
    req.ctx.caller = caller;
    next();
  });
  app.post('/call', (req, res) => handler(req, res, gateway));
  app.use(errorHandler(logger));
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/call`;

  const addProvider = async (p: ProviderRow = {}) => {
    const { id } = await providerRow(models, p.name ?? 'openai', { baseUrl: `${upstream.url}/v1`, rank: p.rank ?? 100 });
    for (const key of p.keys ?? ['sk-a']) {
      await credentialRow(models, id, { api_key: key }, { name: key });
    }
    for (const [model, [inputRate, outputRate]] of Object.entries(p.rates ?? { 'gpt-4o-mini': ['0.000001', '0.000002'] })) {
      await rateRow(models, id, model, 'chatCompletion', { inputRate, outputRate });
    }
    routing.invalidate();
    return id;
  };

  const select = <T extends object>(sql: string, replacements: unknown[] = []) => sequelize.query<T>(sql, { type: QueryTypes.SELECT, replacements });
  return {
    upstream,
    gateway,
    routing,
    ledger,
    recorder,
    logs,
    settled,
    url,
    addProvider,
    /** The caller of the next requests (null: none). */
    as(next: Caller | null) {
      caller = next;
    },
    /** Mounts `h` as the handler of POST /call (the real chat route until then). */
    handle(h: Handler) {
      handler = h;
    },
    post: (body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body), signal }),
    /** The call's row once the recorder has written it. */
    async row(id: string) {
      await recorder.flush();
      return (await select<Record<string, any>>('SELECT * FROM model_calls WHERE id = ?', [id]))[0];
    },
    async rows() {
      await recorder.flush();
      return select<Record<string, any>>('SELECT * FROM model_calls ORDER BY "createdAt"');
    },
    async charges() {
      await recorder.flush();
      return (await select<{ modelCallId: string; amountNano: number }>(`SELECT "modelCallId", "amountNano" FROM credit_transactions WHERE "type" = 'charge'`)).map((r) => [r.modelCallId, Number(r.amountNano)]);
    },
    balance: async () => (await ledger.balance(USER)).balanceNano,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await upstream.close();
    },
  };
}

export type ModelCallCore = Awaited<ReturnType<typeof startModelCallCore>>;

/** Call at a test file's top level: the returned function starts a core on a store of its own, both closed after the test. */
export function modelCallCores(): (options?: Parameters<typeof startModelCallCore>[1]) => Promise<ModelCallCore> {
  const openStore = tempStores();
  const started: ModelCallCore[] = [];
  // Registered after the stores' hook: runs before it (vitest runs after-hooks in reverse).
  afterEach(async () => {
    for (const c of started.splice(0)) await c.close();
  });
  return async (options) => {
    const c = await startModelCallCore(await openStore(), options);
    started.push(c);
    return c;
  };
}

/** The call's row once it is settled (not `processing`). */
export function settledRow(c: ModelCallCore, id: string): Promise<Record<string, any>> {
  return waitFor(async () => {
    const row = await c.row(id);
    return row?.status !== 'processing' && row;
  });
}
