/**
 * Answers a chat call in the client's format, whatever the attempt produced: the upstream's own
 * answer relayed (same wire), or the adapter's events translated; streamed with backpressure or
 * whole. Settles the call (usage from the upstream, else estimated) before the answer's last byte,
 * and ends a failed answer as API.md §2 says.
 */
import type { ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { sendJson, sendJsonText } from '../../lib/json-response.js';
import { SseParser, startSse, writeWithBackpressure } from '../../lib/sse.js';
import { finishWithError } from '../../middlewares/error-handler.js';
import { ChatAccumulator, estimateTokens, type ChatAnswer, type RelayedWhole } from '../formats/chat-answer.js';
import type { ModelCall } from './model-call.js';
import { eventsOf, type OpenedChat, type OpenedEvents } from './open-chat.js';
import type { ChatEvent } from '../../providers/types.js';

export async function answerChat(call: ModelCall, res: ServerResponse, opened: OpenedChat, answer: ChatAnswer, inputEstimate: number): Promise<void> {
  try {
    switch (opened.kind) {
      case 'relay-whole':
        return await sendRelayedWhole(call, res, opened.whole, inputEstimate);
      case 'relay-stream':
        return await relayStream(call, res, opened, inputEstimate);
      case 'events-whole':
        return await sendWhole(call, res, opened.events, answer, inputEstimate);
      case 'events-stream':
        return await streamEvents(call, res, opened.opened, answer, inputEstimate);
    }
  } catch (err) {
    await call.fail(err);
    finishWithError(res, err);
  }
}

async function sendRelayedWhole(call: ModelCall, res: ServerResponse, whole: RelayedWhole, inputEstimate: number) {
  if (whole.usage) call.setUsage(whole.usage);
  else call.setUsage({ inputTokens: inputEstimate, outputTokens: whole.outputEstimate() }, true);
  await call.succeed();
  call.markFirstByte();
  sendJsonText(res, whole.text(call.record.usage));
}

async function relayStream(call: ModelCall, res: ServerResponse, opened: Extract<OpenedChat, { kind: 'relay-stream' }>, inputEstimate: number) {
  const relay = opened.relay;
  // The first chunk is already here: the headers go out with its events, in one write.
  startSse(res, {}, { flush: false });
  call.markFirstByte();
  const parser = new SseParser();
  // Joins UTF-8 characters cut between reads.
  const decoder = new StringDecoder('utf8');
  let chunk: Buffer | null = opened.first;
  // What the read that brought the upstream's end produced leaves with the response's end, after the
  // call is settled: one write for the last events and the end.
  let last = '';
  // The headers are out (`res.headersSent` turns true at `writeHead`, before they are sent).
  let flushed = false;
  try {
    while (chunk) {
      // All events of one upstream read leave in one write.
      let out = '';
      let read = false;
      try {
        for (const event of parser.push(decoder.write(chunk))) out += relay.event(event);
        read = true;
      } finally {
        if (out && read && relay.ended) last += out;
        else if (out) {
          flushed = true;
          const pending = writeWithBackpressure(res, out);
          if (pending) await pending;
        } else if (!flushed) {
          // A read with no whole event yet: the client still learns at once that the answer is coming.
          flushed = true;
          res.flushHeaders();
        }
      }
      const next = await opened.rest.next();
      chunk = next.done ? null : next.value;
    }
  } catch (err) {
    // Cut short (client gone, upstream reset, an error event): the rest is not read, and what was
    // produced so far is charged.
    void opened.rest.return?.();
    if (relay.usage) call.setUsage(relay.usage);
    else call.setUsage({ inputTokens: inputEstimate, outputTokens: relay.outputEstimate(false) }, true);
    throw err;
  }
  if (relay.usage) call.setUsage(relay.usage);
  else call.setUsage({ inputTokens: inputEstimate, outputTokens: relay.outputEstimate(true) }, true);
  last += relay.end(call.record.usage, call.record.usageEstimated);
  await call.succeed();
  res.end(last);
}

async function sendWhole(call: ModelCall, res: ServerResponse, events: ChatEvent[], answer: ChatAnswer, inputEstimate: number) {
  const acc = new ChatAccumulator();
  for (const event of events) acc.add(event);
  if (acc.usage) call.setUsage(acc.usage);
  else call.setUsage({ inputTokens: inputEstimate, outputTokens: estimateTokens(acc.text) }, true);
  // Made before the call is settled: what a format keeps of it (stored responses) goes with its row.
  const body = answer.whole(acc, call.record.usage);
  await call.succeed();
  call.markFirstByte();
  sendJson(res, body);
}

async function streamEvents(call: ModelCall, res: ServerResponse, opened: OpenedEvents, answer: ChatAnswer, inputEstimate: number) {
  startSse(res);
  call.markFirstByte();
  let outputText = 0;
  const estimate = () => {
    if (!call.hasUsage) call.setUsage({ inputTokens: inputEstimate, outputTokens: Math.ceil(outputText / 4) }, true);
  };
  try {
    for await (const event of eventsOf(opened)) {
      if (event.type === 'usage') {
        call.setUsage(event.usage);
        continue;
      }
      if (event.type === 'text') outputText += event.text.length;
      const text = answer.streamEvent(event);
      if (text) {
        const pending = writeWithBackpressure(res, text);
        if (pending) await pending;
      }
    }
  } catch (err) {
    estimate();
    throw err;
  }
  estimate();
  // The last events leave together once the call is settled: one write.
  const last = answer.streamEnd(call.record.usage);
  await call.succeed();
  res.end(last);
}
