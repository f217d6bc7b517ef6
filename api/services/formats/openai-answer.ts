/**
 * A whole (non-streamed) OpenAI chat answer as the same-wire relay handles it: its usage, and its
 * text for the client with `model` set to the name the client asked for.
 *
 * `readAnswer` takes from the text only what it must (the `model` member and the `usage` object,
 * parsed on its own) and sends the rest on as the upstream wrote it, which is cheaper than parsing
 * the whole answer and writing it again (docs/performance.md). An answer whose text is not plainly
 * one object with a single `"model"` string member and a single `"usage"` object is parsed whole
 * instead, and an answer that is not a JSON object then fails as unreadable.
 */
import { jsonString } from '../../lib/flat-json.js';

export interface WholeAnswer {
  /** The `usage` object (`prompt_tokens`, `completion_tokens`, `prompt_tokens_details.cached_tokens`). */
  usage: Record<string, unknown> | undefined;
  /** The first choice's text (for estimating usage when the upstream reports none). */
  content(): string;
  /** The answer's text with its `model` set to `model`. */
  text(model: string): string;
}

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

/** Where the value of the member whose key ends before `at` starts (after the colon), or -1. */
function valueStart(text: string, at: number): number {
  while (isSpace(text.charCodeAt(at))) at++;
  if (text.charCodeAt(at) !== 0x3a) return -1;
  at++;
  while (isSpace(text.charCodeAt(at))) at++;
  return at;
}

/** The index past the string that starts at `at` (a quote), or -1. */
function stringEnd(text: string, at: number): number {
  for (let q = text.indexOf('"', at + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(q - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
  }
  return -1;
}

/**
 * The index past the object that starts at `at`, found by its braces alone; braces inside strings
 * can cut it short, which the caller's JSON.parse of the cut then rejects.
 */
function objectEnd(text: string, at: number): number {
  let depth = 1;
  let i = at + 1;
  while (depth > 0) {
    const close = text.indexOf('}', i);
    if (close < 0) return -1;
    const open = text.indexOf('{', i);
    if (open >= 0 && open < close) {
      depth++;
      i = open + 1;
    } else {
      depth--;
      i = close + 1;
    }
  }
  return i;
}

const OPENS_OBJECT = /^\s*\{/;

/** Where `token` is in `text` when it is there exactly once, else -1. */
function onlyOnce(text: string, token: string): number {
  const at = text.indexOf(token);
  return at >= 0 && text.indexOf(token, at + token.length) < 0 ? at : -1;
}

function parsedAnswer(json: Record<string, unknown>): WholeAnswer {
  return {
    usage: json.usage as Record<string, unknown> | undefined,
    content: () => (json.choices as { message?: { content?: string } }[] | undefined)?.[0]?.message?.content ?? '',
    text(model) {
      json.model = model;
      return JSON.stringify(json);
    },
  };
}

/**
 * The answer read from its text alone, or undefined when it has to be parsed whole. A quote inside
 * a JSON string is escaped, so `"model"` and `"usage"` found once and followed by a colon are the
 * answer's own members. The text must open an object and close it at its end, braces counted (an
 * answer cut short then fails the count, or the usage's parse, and is parsed whole).
 */
export function scanAnswer(text: string): WholeAnswer | undefined {
  if (!OPENS_OBJECT.test(text) || objectEnd(text, text.indexOf('{')) !== text.trimEnd().length) return undefined;
  const modelAt = onlyOnce(text, '"model"');
  const usageAt = onlyOnce(text, '"usage"');
  if (modelAt < 0 || usageAt < 0) return undefined;
  const nameAt = valueStart(text, modelAt + 7);
  const usageStart = valueStart(text, usageAt + 7);
  if (text.charCodeAt(nameAt) !== 0x22 || text.charCodeAt(usageStart) !== 0x7b) return undefined;
  const nameEnd = stringEnd(text, nameAt);
  const usageEnd = objectEnd(text, usageStart);
  if (nameEnd < 0 || usageEnd < 0) return undefined;
  let usage: Record<string, unknown>;
  try {
    usage = JSON.parse(text.slice(usageStart, usageEnd)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  return {
    usage,
    content: () => parsedAnswer(JSON.parse(text) as Record<string, unknown>).content(),
    text: (name) => `${text.slice(0, nameAt)}${jsonString(name)}${text.slice(nameEnd)}`,
  };
}

/** The answer, read from its text where it can be and parsed whole where it cannot; throws when it is not a JSON object. */
export function readAnswer(text: string): WholeAnswer {
  const scanned = scanAnswer(text);
  if (scanned) return scanned;
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('the answer is not a JSON object');
  return parsedAnswer(json as Record<string, unknown>);
}
