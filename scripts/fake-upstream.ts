/**
 * Run the fake upstream on its own:
 *   tsx scripts/fake-upstream.ts [--port 4010] [--host 127.0.0.1] [--chunk-delay-ms N] [--chunks N]
 *                                [--delay-ms N] [--reply TEXT] [--accept-keys k1,k2] [--no-record]
 *                                [--ignore-encoding-format]
 * Prints its URL on stdout; script it over HTTP with POST /__fake/enqueue, /__fake/defaults, /__fake/reset
 * and GET /__fake/requests.
 */
import { parseArgs } from 'node:util';
import { startFakeUpstream } from './fake-upstream/index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'chunk-delay-ms': { type: 'string' },
    chunks: { type: 'string' },
    'delay-ms': { type: 'string' },
    reply: { type: 'string' },
    'accept-keys': { type: 'string' },
    'no-record': { type: 'boolean', default: false },
    'ignore-encoding-format': { type: 'boolean', default: false },
  },
});

const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));

const up = await startFakeUpstream({
  port: Number(values.port),
  host: values.host,
  defaults: {
    chunkDelayMs: num(values['chunk-delay-ms']),
    chunks: num(values.chunks),
    delayMs: num(values['delay-ms']),
    reply: values.reply,
    acceptKeys: values['accept-keys']?.split(',').filter(Boolean),
    record: !values['no-record'],
    ignoreEncodingFormat: values['ignore-encoding-format'],
  },
});
console.log(up.url);

const stop = () => {
  void up.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
