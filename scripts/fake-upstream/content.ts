/**
 * Deterministic content shared by every wire format of the fake upstream.
 *
 * Rules (tests assert against them):
 * - The reply text is `Echo: <text of the last user message>` unless a scripted reply overrides it.
 * - Input tokens = number of whitespace-separated words across the text of all messages (system
 *   prompt included; image parts, tool definitions and tool-call arguments count 0).
 * - Output tokens = number of words of the reply text, or, for a tool-call reply, the number of words
 *   of the compact JSON of its arguments (`{"city":"Paris"}` is 1 word).
 * - With `chunks: N` the streamed reply is the reply's words cycled to exactly N words, one per chunk.
 * - Tool-call arguments and JSON replies are derived from the JSON schema: strings take the last
 *   user text, numbers 1, booleans true, arrays [], objects are filled recursively.
 */

/** Number of whitespace-separated words in `text`. */
export function countWords(text: string | undefined | null): number {
  if (!text) return 0;
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

export function echoReply(lastUserText: string): string {
  return lastUserText ? `Echo: ${lastUserText}` : 'Echo:';
}

/** Split a reply into streamed pieces: one word per piece (leading space kept), or exactly `chunks` words. */
export function splitReply(text: string, chunks?: number): { pieces: string[]; text: string } {
  const words = text.split(/\s+/).filter(Boolean);
  if (chunks && chunks > 0 && words.length > 0) {
    const out: string[] = [];
    for (let i = 0; i < chunks; i++) out.push((i === 0 ? '' : ' ') + words[i % words.length]);
    return { pieces: out, text: out.join('') };
  }
  if (words.length <= 1) return { pieces: [text], text };
  return { pieces: words.map((w, i) => (i === 0 ? w : ` ${w}`)), text: words.join(' ') };
}

/** Split a JSON argument string into a few fragments, the way providers stream tool arguments. */
export function splitArguments(json: string, parts = 3): string[] {
  if (json.length < parts * 2) return [json];
  const size = Math.ceil(json.length / parts);
  const out: string[] = [];
  for (let i = 0; i < json.length; i += size) out.push(json.slice(i, i + size));
  return out;
}

/** A value that satisfies a (simple) JSON schema, derived deterministically from `seedText`. */
export function valueFromSchema(schema: unknown, seedText: string, depth = 0): unknown {
  const s = (schema && typeof schema === 'object' ? schema : {}) as Record<string, unknown>;
  if (depth > 6) return null;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  if ('const' in s) return s.const;
  const anyOf = (s.anyOf ?? s.oneOf) as unknown[] | undefined;
  if (Array.isArray(anyOf) && anyOf.length) {
    const nonNull = anyOf.find((x) => !(x && typeof x === 'object' && (x as { type?: unknown }).type === 'null'));
    return valueFromSchema(nonNull ?? anyOf[0], seedText, depth + 1);
  }
  let type = s.type;
  if (Array.isArray(type)) type = type.find((t) => t !== 'null') ?? type[0];
  if (typeof type === 'string') type = type.toLowerCase();
  if (!type && s.properties) type = 'object';
  switch (type) {
    case 'string':
      return seedText;
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    case 'object':
    default: {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(props)) out[key] = valueFromSchema(value, seedText, depth + 1);
      return out;
    }
  }
}

/** The JSON text a fake model answers in JSON mode (`{"echo": ...}` without a schema). */
export function jsonReply(schema: unknown, lastUserText: string): string {
  if (schema && typeof schema === 'object') return JSON.stringify(valueFromSchema(schema, lastUserText));
  return JSON.stringify({ echo: lastUserText });
}

/** FNV-1a hash, used to seed deterministic embeddings. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A deterministic unit-length vector for `text` (same text → same vector). */
export function embeddingFor(text: string, dimensions: number): number[] {
  let state = hash(text) || 1;
  const v = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const x = ((state >>> 0) / 0xffffffff) * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) v[i] = Math.fround(v[i]! / norm);
  return v;
}

/** The vector as OpenAI's `encoding_format: "base64"` (little-endian float32). */
export function embeddingToBase64(v: number[]): string {
  return Buffer.from(new Float32Array(v).buffer).toString('base64');
}

/** A real 1×1 PNG. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const TINY_PNG = Buffer.from(TINY_PNG_BASE64, 'base64');

let idCounter = 0;
/** Short unique ids (`chatcmpl-…`, `msg_…`, `call_…`). */
export function nextId(prefix: string): string {
  idCounter = (idCounter + 1) % 1e9;
  return `${prefix}${Date.now().toString(36)}${idCounter.toString(36)}`;
}
