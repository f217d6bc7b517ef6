/**
 * A fake AI provider: one node:http server speaking the OpenAI, Anthropic, Gemini, Bedrock and
 * Ideogram wire formats with deterministic content, scriptable faults and request recording.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { TINY_PNG } from './content.js';
import { type Exchange, resetBeforeHeaders, sendError, sendJson } from './exchange.js';
import { replayingDuplex } from './replaying-duplex.js';
import { credentialOf, faultMatches, invalidKeyBody, isStreamed, modelOf, routeFor } from './routing.js';
import type {
  FakeDefaults,
  FakeFault,
  FakeProtocol,
  FakeUpstream,
  RecordedRequest,
  StartFakeUpstreamOptions,
} from './types.js';

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
      raw,
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
      noUsage: fault?.noUsage ?? defaults.noUsage ?? false,
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
    if (delay) {
      // Dropped if the server closes first.
      const timer = setTimeout(() => {
        delayed.delete(timer);
        run();
      }, delay);
      delayed.add(timer);
    } else run();
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
  /** Timers of answers held back by `delayMs`, cleared on close. */
  const delayed = new Set<NodeJS.Timeout>();
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
        for (const timer of delayed) clearTimeout(timer);
        delayed.clear();
        server.close(() => resolve());
        h1.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
