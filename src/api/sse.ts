/**
 * A server-sent events reader over a fetch body. Follows the EventSource parsing rules that
 * matter for the hub's streams: lines end in LF, CRLF or CR; `data:` lines of one event are
 * joined with LF; a blank line dispatches the event; lines starting with `:` are comments.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export async function* readSseEvents(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let dataLines: string[] = [];
  let eventName = '';
  let lastId: string | undefined;
  // A CR at the end of one chunk may be the first half of a CRLF split across chunks.
  let pendingCr = false;

  const onAbort = () => {
    reader.cancel().catch(() => undefined);
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  function* takeLine(line: string): Generator<SseEvent> {
    if (line === '') {
      if (dataLines.length > 0) {
        yield { event: eventName || 'message', data: dataLines.join('\n'), id: lastId };
      }
      dataLines = [];
      eventName = '';
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') dataLines.push(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id') lastId = value;
  }

  function* drain(): Generator<SseEvent> {
    let start = 0;
    for (let i = 0; i < buffer.length; i++) {
      const ch = buffer[i];
      if (pendingCr) {
        pendingCr = false;
        if (ch === '\n' && i === start) {
          start = i + 1;
          continue;
        }
      }
      if (ch === '\n' || ch === '\r') {
        yield* takeLine(buffer.slice(start, i));
        if (ch === '\r') {
          if (i + 1 < buffer.length) {
            if (buffer[i + 1] === '\n') i++;
          } else {
            pendingCr = true;
          }
        }
        start = i + 1;
      }
    }
    buffer = buffer.slice(start);
  }

  let finished = false;
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { value, done } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      buffer += decoder.decode(value, { stream: true });
      yield* drain();
    }
    buffer += decoder.decode();
    yield* drain();
    // A stream that ends without the final blank line still delivers its last event.
    if (buffer !== '') yield* takeLine(buffer);
    buffer = '';
    yield* takeLine('');
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // The consumer stopped early (break, throw or abort): tell the server we are gone.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
