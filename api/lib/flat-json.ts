/**
 * JSON text built with string templates, equal to what `JSON.stringify` gives, for the few places
 * on a call's answer path that write small records. There each request runs through all of the
 * hub's code once and finds little of it in the CPU's caches, and entering V8's stringifier costs
 * more than writing a small record by hand.
 */

/** Characters JSON.stringify escapes: quote, backslash, control characters, surrogates (lone ones). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `JSON.stringify(s)` for a string. */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** `JSON.stringify(s)` for a string or null. */
export const jsonStringOrNull = (s: string | null): string => (s === null ? 'null' : jsonString(s));

/**
 * `JSON.stringify(record)` for a plain object whose values are strings, finite numbers, booleans,
 * nulls or such records; any other value is written by `JSON.stringify`.
 */
export function flatJson(record: Record<string, unknown>): string {
  let out = '';
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const v = record[key];
    let text: string;
    if (typeof v === 'string') text = jsonString(v);
    else if (typeof v === 'number' && Number.isFinite(v)) text = `${v}`;
    else if (typeof v === 'boolean' || v === null) text = `${v}`;
    else if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !('toJSON' in v)) text = flatJson(v as Record<string, unknown>);
    else text = JSON.stringify(v);
    out += out ? `,${jsonString(key)}:${text}` : `${jsonString(key)}:${text}`;
  }
  return `{${out}}`;
}
