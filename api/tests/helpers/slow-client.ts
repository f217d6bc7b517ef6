/**
 * A client that takes a streamed answer only once the hub's writes to it are refused, and what the
 * hub holds for it meanwhile: the test of backpressure from the client back to the upstream.
 */
import type { ServerResponse } from 'node:http';
import { expect } from 'vitest';
import { chatCompletionsHandler } from '../../routes/v1/chat-completions.js';
import { settledRow, type ModelCallCore } from './model-call-fixture.js';
import { waitFor } from './wait-for.js';

/** Events of 64 KB in the upstream's answer: far more than the sockets on the way hold. */
const EVENTS = 384;
const EVENT_BYTES = 64 * 1024;

/**
 * Streams a 24 MB answer to a client that reads only once the hub's writes to it are refused, and
 * checks that the hub held at most one upstream read's events for it (512 KB, against megabytes
 * when it reads on), that all of it arrived, and the call's row.
 */
export async function expectPacedByClient(c: ModelCallCore, body: Record<string, unknown>): Promise<void> {
  c.upstream.setDefaults({ reply: Array(EVENTS).fill('w'.repeat(EVENT_BYTES)).join(' '), chunks: EVENTS });
  const { response, held, bytes } = await readWhenRefused(c, { ...body, stream: true });
  expect(response.status).toBe(200);
  expect(held).toBeLessThan(512 * 1024);
  expect(bytes).toBeGreaterThan(EVENTS * EVENT_BYTES);
  const row = await settledRow(c, response.headers.get('x-aigne-hub-model-call-id')!);
  expect(row).toMatchObject({ status: 'success', usageEstimated: 0, outputTokens: EVENTS });
}

/**
 * Posts `body` to the chat route, reads nothing until the hub's response to it needs a drain (its
 * socket is full), then reads it all. `held` is the most the hub's response held unsent, at that
 * moment and after each read: a relay that went on reading the upstream holds what the upstream sent
 * meanwhile (megabytes); one that waits holds at most one upstream read's events beyond its buffer.
 */
async function readWhenRefused(c: ModelCallCore, body: unknown): Promise<{ response: Response; held: number; bytes: number }> {
  let answer: ServerResponse | undefined;
  c.handle((req, res, gateway) => {
    answer = res;
    return chatCompletionsHandler(gateway)(req, res);
  });
  const response = await c.post(body);
  await waitFor(async () => answer!.writableNeedDrain);
  let held = answer!.writableLength;
  let bytes = 0;
  const reader = response.body!.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    held = Math.max(held, answer!.writableLength);
    bytes += read.value.length;
  }
  return { response, held, bytes };
}
