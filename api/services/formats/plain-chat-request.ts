/**
 * Most chat requests are text messages with a few plain options. `isPlainChatRequest` recognizes
 * such a request when it is valid, so that validation takes it as it is instead of running the
 * zod schema (openai-chat.ts): on the request's path, where each request runs through all of the
 * hub's code once and finds little of it in the CPU's caches, the schema cost ~9 µs of the ~90 µs
 * between a request's arrival and its upstream request (`npm run bench` phase A, marks around the
 * step); this check costs ~1 µs.
 *
 * It only ever says yes to what the schema accepts and gives back unchanged (a test holds the two
 * together over generated requests). Everything else — tools, content parts, tool messages, stop
 * lists, response formats, and every invalid request — goes through the schema, which stays the
 * one definition of what is valid and of the error messages.
 */

const TEXT_ROLES = new Set(['system', 'developer', 'user', 'assistant']);
/** Members the schema checks in ways this check does not repeat. */
const LEFT_TO_SCHEMA = new Set(['tools', 'tool_choice', 'response_format']);

const nullish = (v: unknown) => v === undefined || v === null;
const inRange = (v: unknown, min: number, max: number) => nullish(v) || (typeof v === 'number' && v >= min && v <= max);
const positiveInt = (v: unknown) => nullish(v) || (Number.isSafeInteger(v) && (v as number) > 0);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isTextMessage(m: unknown): boolean {
  if (!isObject(m) || !TEXT_ROLES.has(m.role as string)) return false;
  return (nullish(m.content) || typeof m.content === 'string') && (m.name === undefined || typeof m.name === 'string') && m.tool_calls === undefined;
}

function plainMember(key: string, v: unknown): boolean {
  switch (key) {
    case 'model':
      return typeof v === 'string' && v.length > 0 && v.length <= 200 && v.trim() === v;
    case 'messages':
      return Array.isArray(v) && v.length > 0 && v.every(isTextMessage);
    case 'stream':
    case 'parallel_tool_calls':
      return nullish(v) || typeof v === 'boolean';
    case 'stream_options':
      return nullish(v) || (isObject(v) && (nullish(v.include_usage) || typeof v.include_usage === 'boolean'));
    case 'temperature':
      return inRange(v, 0, 2);
    case 'top_p':
      return inRange(v, 0, 1);
    case 'presence_penalty':
    case 'frequency_penalty':
      return inRange(v, -2, 2);
    case 'max_tokens':
    case 'max_completion_tokens':
      return positiveInt(v);
    case 'n':
      return nullish(v) || v === 1;
    case 'stop':
    case 'user':
      return nullish(v) || typeof v === 'string';
    default:
      // Members the schema does not know pass through it as they are.
      return !LEFT_TO_SCHEMA.has(key);
  }
}

/** Whether `body` is a valid text-only chat request that the schema would give back unchanged. */
export function isPlainChatRequest(body: unknown): boolean {
  if (!isObject(body) || body.model === undefined || body.messages === undefined) return false;
  for (const key of Object.keys(body)) if (!plainMember(key, body[key])) return false;
  return true;
}
