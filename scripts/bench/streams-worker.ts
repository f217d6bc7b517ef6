/**
 * Opens `count` streamed requests at once (one connection each) in its own process, reads every
 * stream to its end, and prints one JSON line: how many finished cleanly, errors, ttfb and duration.
 * Input: argv[2] = JSON StreamsSpec.
 */
import { Agent, request } from 'undici';
import { cpuShare } from './cpu-share.js';
import { percentile } from './stats.js';

export interface StreamsSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Text a complete stream ends with (`data: [DONE]` for the OpenAI API). */
  streamEnd: string;
  count: number;
  timeoutMs: number;
}

export interface StreamsResult {
  count: number;
  ok: number;
  errors: number;
  statusCodes: Record<string, number>;
  errorSamples: string[];
  ttfbMs: { p50: number; p99: number };
  durationMs: { p50: number; max: number };
  wallMs: number;
  /** The x-aigne-hub-model-call-id of every stream that finished cleanly (when the target sends it). */
  callIds: string[];
  /** CPU the client itself used, as a share of one core. */
  clientCpu: number;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]!) as StreamsSpec;
  const agent = new Agent({ connections: spec.count + 16, keepAliveTimeout: 10_000, headersTimeout: spec.timeoutMs, bodyTimeout: spec.timeoutMs });
  const statusCodes: Record<string, number> = {};
  const errorSamples: string[] = [];
  const ttfb: number[] = [];
  const durations: number[] = [];
  const callIds: string[] = [];
  let ok = 0;
  let errors = 0;
  const fail = (why: string) => {
    errors += 1;
    if (errorSamples.length < 10) errorSamples.push(why);
  };

  const one = async () => {
    const t0 = performance.now();
    try {
      const res = await request(spec.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...spec.headers },
        body: spec.body,
        dispatcher: agent,
      });
      statusCodes[res.statusCode] = (statusCodes[res.statusCode] ?? 0) + 1;
      let first = true;
      let tail = '';
      for await (const chunk of res.body) {
        if (first) {
          ttfb.push(performance.now() - t0);
          first = false;
        }
        tail = (tail + (chunk as Buffer).toString('utf8')).slice(-256);
      }
      durations.push(performance.now() - t0);
      if (res.statusCode !== 200) return fail(`status ${res.statusCode}: ${tail}`);
      if (!tail.includes(spec.streamEnd)) return fail(`stream ended without ${spec.streamEnd}: ${JSON.stringify(tail)}`);
      if (tail.includes('"error"')) return fail(`error event: ${tail}`);
      ok += 1;
      const id = res.headers['x-aigne-hub-model-call-id'];
      if (typeof id === 'string') callIds.push(id);
    } catch (err) {
      fail(err instanceof Error ? `${err.name}: ${err.message}` : String(err));
    }
  };

  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(Array.from({ length: spec.count }, one));
  const result: StreamsResult = {
    count: spec.count,
    ok,
    errors,
    statusCodes,
    errorSamples,
    ttfbMs: { p50: percentile(ttfb, 50), p99: percentile(ttfb, 99) },
    durationMs: { p50: percentile(durations, 50), max: Math.max(0, ...durations) },
    wallMs: performance.now() - started,
    callIds,
    clientCpu: cpuShare(cpu0, started),
  };
  await agent.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
