/** OTLP/HTTP export to an operator's collector, received by a tiny loopback HTTP server. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config.js';
import { addProvider, modelCallRow, startGatewayHarness, waitFor, type GatewayHarness } from './helpers/gateway.js';
import { bearer } from './helpers/hub.js';

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

describe('OTLP/HTTP export', () => {
  let h: GatewayHarness;
  let collector: http.Server;
  const received: Received[] = [];

  beforeAll(async () => {
    collector = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        received.push({ path: req.url ?? '', headers: req.headers, body: text ? JSON.parse(text) : undefined });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    collector.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => collector.once('listening', () => resolve()));
    const endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;
    h = await startGatewayHarness({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-token=abc%20123',
      OTEL_SERVICE_NAME: 'hub-under-test',
    });
    await addProvider(h.t, { name: 'openai', baseUrl: `${h.upstream.url}/v1`, keys: ['sk-otlp-key-00000000000000001'], rates: [{ model: 'gpt-4o-mini' }] });
  });
  afterAll(async () => {
    await h?.close();
    collector.closeAllConnections();
    await new Promise<void>((resolve) => collector.close(() => resolve()));
  });

  it('sends the spans of a call to <endpoint>/v1/traces with the configured headers and service name', async () => {
    const res = await fetch(`${h.url}/api/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(h.t.adminKey) },
      body: JSON.stringify({ model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'to the collector' }] }),
    });
    expect(res.status).toBe(200);
    const row = await modelCallRow(h.t, res.headers.get('x-aigne-hub-model-call-id')!);
    await h.t.hub.observability.tracing!.flush();

    const spans = await waitFor(async () => {
      const all: OtlpSpan[] = received
        .filter((r) => r.path === '/v1/traces')
        .flatMap((r) => r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans)));
      const mine = all.filter((s) => s.traceId === row!.traceId);
      return mine.length === 5 && mine;
    });
    const request = received.find((r) => r.path === '/v1/traces')!;
    expect(request.headers['content-type']).toMatch(/application\/json/);
    expect(request.headers['x-collector-token']).toBe('abc 123');
    const resource = request.body.resourceSpans[0].resource.attributes as { key: string; value: { stringValue?: string } }[];
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).toBe('hub-under-test');

    const root = spans.find((s) => !s.parentSpanId)!;
    expect(root.name).toBe('POST /api/v1/chat/completions');
    expect(spans.filter((s) => s.parentSpanId === root.spanId).map((s) => s.name).sort()).toEqual(['auth', 'provider call', 'routing', 'settle']);
    const attr = (s: OtlpSpan, key: string) => s.attributes.find((a) => a.key === key)?.value;
    expect(attr(root, 'aigne_hub.model_call_id')).toEqual({ stringValue: row!.id });
    expect(attr(root, 'gen_ai.usage.input_tokens')).toEqual({ intValue: 3 });
    const payload = JSON.stringify(received.map((r) => r.body));
    expect(payload).not.toContain('sk-otlp-key');
    expect(payload).not.toContain(h.t.adminKey);
    expect(payload).not.toContain('to the collector');
  });
});

describe('tracing settings', () => {
  it('derives the traces URL from the OTLP endpoint unless a traces endpoint is given, and validates them', () => {
    expect(parseConfig({}).tracing).toEqual({ enabled: true, otlpHeaders: {}, serviceName: 'aigne-hub', includeContent: false, sampleRatio: 1, observabilityUrl: undefined, otlpTracesUrl: undefined });
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).tracing.otlpTracesUrl).toBe('http://collector:4318/v1/traces');
    expect(
      parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp' }).tracing.otlpTracesUrl,
    ).toBe('https://traces.example/otlp');
    expect(parseConfig({ AIGNE_OBSERVABILITY_URL: 'http://127.0.0.1:7890/' }).tracing.observabilityUrl).toBe('http://127.0.0.1:7890');
    expect(parseConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'a=1, b = two%2Cthree' }).tracing.otlpHeaders).toEqual({ a: '1', b: 'two,three' });
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow(ConfigError);
    expect(() => parseConfig({ AIGNE_OBSERVABILITY_URL: 'ftp://x' })).toThrow(/AIGNE_OBSERVABILITY_URL/);
    expect(() => parseConfig({ OTEL_EXPORTER_OTLP_HEADERS: 'novalue' })).toThrow(/OTEL_EXPORTER_OTLP_HEADERS/);
    expect(() => parseConfig({ TRACING_ENABLED: 'sometimes' })).toThrow(/TRACING_ENABLED/);
  });
});
