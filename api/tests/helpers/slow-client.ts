/**
 * A client that takes a streamed answer only once the hub's writes to it are refused, and what the
 * hub holds for it meanwhile: the test of backpressure from the client back to the upstream.
 */
import type { ServerResponse } from 'node:http';
import { chatCompletionsHandler } from '../../routes/v1/chat-completions.js';
import type { ModelCallCore } from './model-call-fixture.js';
import { waitFor } from './wait-for.js';

/** An upstream answer of `events` events of 64 KB each: far more than the sockets on the way hold. */
export function bigAnswer(c: ModelCallCore, events: number): void {
  c.upstream.setDefaults({ reply: Array(events).fill('w'.repeat(64 * 1024)).join(' '), chunks: events });
}

/**
 * Posts `body` to the chat route, reads nothing until the hub's response to it needs a drain (its
 * socket is full), then reads it all. `held` is the most the hub's response held unsent, at that
 * moment and after each read: a relay that went on reading the upstream holds what the upstream sent
 * meanwhile (megabytes); one that waits holds at most one upstream read's events beyond its buffer.
 */
export async function readWhenRefused(c: ModelCallCore, body: unknown): Promise<{ response: Response; held: number; bytes: number }> {
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
