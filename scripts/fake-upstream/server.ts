/**
 * A fake AI provider: one node:http server speaking the OpenAI, Anthropic, Gemini, Bedrock and
 * Ideogram wire formats with deterministic content, scriptable faults and request recording.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { handleAnthropicMessages } from './anthropic.js';
import { handleBedrock, parseBedrockPath } from './bedrock.js';
import { TINY_PNG } from './content.js';
import { type Exchange, resetBeforeHeaders, sendError, sendJson } from './exchange.js';
import { handleGemini, parseGeminiPath } from './gemini.js';
import { handleIdeogram } from './ideogram.js';
import { handleOpenAIChat, handleOpenAIEmbeddings, handleOpenAIImages, handleOpenAIModels } from './openai.js';
import type {
  FakeDefaults,
  FakeFault,
  FakeProtocol,
  FakeUpstream,
  RecordedRequest,
  StartFakeUpstreamOptions,
} from './types.js';

type Handler = (ex: Exchange) => void;

interface Route {
  protocol: FakeProtocol;
  handler: Handler;
}

/** Which handler serves a path. OpenAI-family routes match on their suffix so any base path works. */
export function routeFor(method: string, path: string): Route | undefined {
  if (path === '/v1/chat/completions' || path.endsWith('/chat/completions')) return { protocol: 'openai', handler: handleOpenAIChat };
  if (path === '/v1/messages' || path.endsWith('/v1/messages')) return { protocol: 'anthropic', handler: handleAnthropicMessages };
  if (path.startsWith('/model/')) return { protocol: 'bedrock', handler: handleBedrock };
  if (path.includes('/models/') && path.includes(':')) return { protocol: 'gemini', handler: handleGemini };
  if (path.startsWith('/v1beta/models') || path.startsWith('/v1/models/')) return { protocol: 'gemini', handler: handleGemini };
  if (path.endsWith('/embeddings')) return { protocol: 'openai', handler: handleOpenAIEmbeddings };
  if (path.endsWith('/images/generations')) return { protocol: 'openai', handler: handleOpenAIImages };
  if (path.includes('/ideogram-v3/')) return { protocol: 'ideogram', handler: handleIdeogram };
  if (method === 'GET' && path.endsWith('/models')) return { protocol: 'openai', handler: handleOpenAIModels };
  return undefined;
}

/** The credential a request carries, whatever the provider's convention. */
export function credentialOf(req: IncomingMessage, query: string): string | undefined {
  const auth = req.headers.authorization;
  if (auth) {
    if (auth.startsWith('Bearer ')) return auth.slice(7);
    const m = /Credential=([^/,\s]+)/.exec(auth);
    if (m) return m[1];
    return auth;
  }
  const h = req.headers['x-api-key'] ?? req.headers['x-goog-api-key'] ?? req.headers['api-key'];
  if (typeof h === 'string') return h;
  if (query) {
    const m = /(?:^|&)key=([^&]+)/.exec(query);
    if (m) return decodeURIComponent(m[1]!);
  }
  return undefined;
}

function modelOf(protocol: FakeProtocol, path: string, body: any): string | undefined {
  if (protocol === 'gemini') return parseGeminiPath(path)?.model;
  if (protocol === 'bedrock') return parseBedrockPath(path)?.model;
  return body && typeof body === 'object' && typeof body.model === 'string' ? body.model : undefined;
}

function faultMatches(f: FakeFault, protocol: FakeProtocol, path: string, apiKey: string | undefined, model: string | undefined): boolean {
  const m = f.match;
  if (!m) return true;
  if (m.apiKey !== undefined && m.apiKey !== apiKey) return false;
  if (m.path !== undefined && !path.includes(m.path)) return false;
  if (m.model !== undefined && m.model !== model) return false;
  if (m.protocol !== undefined && m.protocol !== protocol) return false;
  return true;
}

function invalidKeyBody(protocol: FakeProtocol): { status: number; body: unknown } {
  switch (protocol) {
    case 'anthropic':
      return { status: 401, body: { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } } };
    case 'gemini':
      return {
        status: 400,
        body: {
          error: {
            code: 400,
            message: 'API key not valid. Please pass a valid API key.',
            status: 'INVALID_ARGUMENT',
            details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }],
          },
        },
      };
    case 'bedrock':
      return { status: 403, body: { message: 'The security token included in the request is invalid.' } };
    case 'ideogram':
      return { status: 401, body: { detail: 'Invalid API key' } };
    default:
      return {
        status: 401,
        body: { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } },
      };
  }
}

export async function startFakeUpstream(options: StartFakeUpstreamOptions = {}): Promise<FakeUpstream> {
  const host = options.host ?? '127.0.0.1';
  const startDefaults: FakeDefaults = { ...options.defaults };
  let defaults: FakeDefaults = { ...startDefaults };
  const faults: FakeFault[] = [];
  const requests: RecordedRequest[] = [];
  let nextRequestId = 1;
  /** Provider requests open now, and the most open at once since the start (or the last reset). */
  const load = { open: 0, maxOpen: 0 };
  let baseUrl = '';
  const waiters = new Set<{ predicate: (r: RecordedRequest) => boolean; resolve: (r: RecordedRequest) => void }>();

  const notify = (r: RecordedRequest) => {
    if (waiters.size === 0) return;
    for (const w of waiters) {
      if (w.predicate(r)) {
        waiters.delete(w);
        w.resolve(r);
      }
    }
  };

  const takeFault = (protocol: FakeProtocol, path: string, apiKey: string | undefined, model: string | undefined): FakeFault | undefined => {
    for (let i = 0; i < faults.length; i++) {
      const f = faults[i]!;
      if (!faultMatches(f, protocol, path, apiKey, model)) continue;
      const times = f.times ?? 1;
      if (times > 0 && Number.isFinite(times)) {
        if (times <= 1) faults.splice(i, 1);
        else f.times = times - 1;
      }
      return f;
    }
    return undefined;
  };

  const enqueue = (...list: FakeFault[]) => {
    for (const f of list) faults.push({ ...f });
  };
  const setDefaults = (d: FakeDefaults) => {
    defaults = { ...defaults, ...d };
  };
  const reset = () => {
    faults.length = 0;
    requests.length = 0;
    load.maxOpen = load.open;
    defaults = { ...startDefaults };
  };

  const control = (req: IncomingMessage, res: ServerResponse, path: string, raw: string) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      reply(400, { error: 'invalid JSON' });
      return;
    }
    switch (`${req.method} ${path}`) {
      case 'POST /__fake/enqueue':
        enqueue(...(Array.isArray(body) ? body : [body ?? {}]));
        reply(200, { ok: true, queued: faults.length });
        return;
      case 'POST /__fake/defaults':
        setDefaults(body ?? {});
        reply(200, { ok: true, defaults });
        return;
      case 'POST /__fake/reset':
        reset();
        reply(200, { ok: true });
        return;
      case 'GET /__fake/requests':
        reply(200, requests);
        return;
      case 'GET /__fake/health':
        reply(200, { ok: true });
        return;
      case 'GET /__fake/image.png':
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': TINY_PNG.length });
        res.end(TINY_PNG);
        return;
      default:
        reply(404, { error: `unknown control path ${path}` });
    }
  };

  const serve = (req: IncomingMessage, res: ServerResponse, raw: Buffer | undefined) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q + 1);
    const method = req.method ?? 'GET';
    if (path.startsWith('/__fake/')) {
      control(req, res, path, raw ? raw.toString('utf8') : '');
      return;
    }
    const route = routeFor(method, path);
    const protocol = route?.protocol ?? 'unknown';
    load.open += 1;
    load.maxOpen = Math.max(load.maxOpen, load.open);
    res.once('close', () => (load.open -= 1));
    let body: any;
    if (raw && raw.length) {
      const text = raw.toString(protocol === 'ideogram' ? 'latin1' : 'utf8');
      const c = text.charCodeAt(0);
      if (c === 123 /* { */ || c === 91 /* [ */) {
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
      } else body = text;
    }
    const apiKey = credentialOf(req, query);
    const model = modelOf(protocol, path, body);
    let record: RecordedRequest | undefined;
    if (defaults.record !== false) {
      record = {
        id: nextRequestId++,
        method,
        path,
        query,
        headers: req.headers,
        apiKey,
        protocol,
        model,
        body,
        receivedAt: Date.now(),
        completed: false,
        aborted: false,
        reset: false,
      };
      requests.push(record);
      const limit = defaults.recordLimit ?? 1000;
      if (requests.length > limit) requests.splice(0, requests.length - limit);
      const r = record;
      res.once('close', () => {
        // writableEnded: we called end(); writableFinished alone is also true for an HTTP/2 stream reset by the client.
        if (res.writableEnded && res.writableFinished) r.completed = true;
        else if (!r.reset) r.aborted = true;
        notify(r);
      });
      notify(record);
    }
    const fault = faults.length ? takeFault(protocol, path, apiKey, model) : undefined;
    const ex: Exchange = {
      req,
      res,
      protocol,
      path,
      query,
      body,
      model,
      record,
      fault,
      defaults,
      baseUrl,
      reply: fault?.reply ?? defaults.reply,
      toolCall: fault?.toolCall ?? defaults.toolCall,
      chunks: fault?.chunks ?? defaults.chunks,
      chunkDelayMs: fault?.chunkDelayMs ?? defaults.chunkDelayMs ?? 0,
      cutEvents: fault?.cutEvents ?? defaults.cutEvents ?? false,
    };
    const run = () => {
      if (res.destroyed) return;
      if (fault?.reset === 'before-headers') {
        resetBeforeHeaders(ex);
        return;
      }
      if (fault?.status && (fault.afterChunks === undefined || !isStreamed(protocol, path, query, body))) {
        sendError(ex, fault.status, fault.body);
        return;
      }
      if (defaults.acceptKeys && !(apiKey && defaults.acceptKeys.includes(apiKey))) {
        const bad = invalidKeyBody(protocol);
        sendError(ex, bad.status, bad.body);
        return;
      }
      if (!route) {
        sendJson(ex, 404, { error: { message: `Unknown path ${method} ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
        return;
      }
      route.handler(ex);
    };
    const delay = fault?.delayMs ?? defaults.delayMs;
    if (delay) setTimeout(run, delay);
    else run();
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      // Drain (no body expected) and serve at once.
      req.resume();
      serve(req, res, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => serve(req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
  };
  const h1 = createServer(onRequest);
  h1.keepAliveTimeout = 65_000;
  h1.headersTimeout = 66_000;
  h1.requestTimeout = 0;
  // HTTP/2 without TLS (prior knowledge), as AWS's SDK speaks it; the compat API shares the handler.
  const h2 = createHttp2Server(onRequest as unknown as Parameters<typeof createHttp2Server>[0]);
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('data', (first: Buffer) => {
      // The HTTP/2 connection preface starts with "PRI * HTTP/2.0".
      if (first.length >= 3 && first[0] === 0x50 && first[1] === 0x52 && first[2] === 0x49) {
        h2.emit('connection', replayingDuplex(socket, first));
        return;
      }
      socket.pause();
      socket.unshift(first);
      h1.emit('connection', socket);
      socket.resume();
    });
  });
  server.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    port,
    host,
    requests,
    get open() {
      return load.open;
    },
    get maxOpen() {
      return load.maxOpen;
    },
    enqueue,
    setDefaults,
    reset,
    waitFor(predicate, timeoutMs = 5000) {
      const found = requests.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<RecordedRequest>((resolve, reject) => {
        const w = {
          predicate,
          resolve: (r: RecordedRequest) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`fake upstream: no matching request within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        h1.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}

/**
 * A duplex over `socket` that first replays `first`. The HTTP/2 session reads a plain socket
 * natively (bypassing `unshift`), so it gets this JS stream instead.
 */
function replayingDuplex(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(err, callback) {
      socket.destroy(err ?? undefined);
      callback(err);
    },
  });
  duplex.push(first);
  socket.on('data', (d: Buffer) => {
    if (!duplex.push(d)) socket.pause();
  });
  socket.on('end', () => duplex.push(null));
  socket.on('close', () => duplex.destroy());
  socket.on('error', (e) => duplex.destroy(e));
  return duplex;
}

function isStreamed(protocol: FakeProtocol, path: string, query: string, body: any): boolean {
  switch (protocol) {
    case 'gemini':
      return path.endsWith(':streamGenerateContent') || query.includes('alt=sse');
    case 'bedrock':
      return path.endsWith('/converse-stream');
    default:
      return body?.stream === true;
  }
}
