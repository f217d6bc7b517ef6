/** What the targets are sent: one chat request, in the OpenAI format and in the AIGNE transport protocol. */
import { BENCH_MODEL } from './hub.js';
import { countWords } from './stats.js';

const SYSTEM = 'You are a terse assistant that answers in one line.';
const USER = 'Summarize why a gateway should add as little latency as it can to every call';
const messages = [
  { role: 'system', content: SYSTEM },
  { role: 'user', content: USER },
];

/** What a target is sent, and the text its streams end with. */
export interface Bodies {
  json: string;
  stream: string;
  streamEnd: string;
}

export const OPENAI_BODIES: Bodies = {
  json: JSON.stringify({ model: BENCH_MODEL, messages }),
  stream: JSON.stringify({ model: BENCH_MODEL, messages, stream: true }),
  streamEnd: 'data: [DONE]',
};

/** POST /api/v2/chat: the AIGNE transport protocol; a stream ends with the event that carries the usage. */
const aigneInput = (streaming: boolean) => JSON.stringify({ agent: '$CHAT_MODEL', input: { messages, modelOptions: { model: BENCH_MODEL } }, options: { streaming } });
const AIGNE_BODIES: Bodies = { json: aigneInput(false), stream: aigneInput(true), streamEnd: '"usage"' };

/** Where the hubs are called, and with what, for the chosen API. */
export function hubRequest(api: 'v1' | 'v2'): { path: string; bodies: Bodies } {
  return api === 'v2' ? { path: '/api/v2/chat', bodies: AIGNE_BODIES } : { path: '/api/v1/chat/completions', bodies: OPENAI_BODIES };
}

/** What the fake upstream reports: words in, and "Echo: <last user text>" words out. */
export const INPUT_TOKENS = countWords(SYSTEM) + countWords(USER);
export const OUTPUT_TOKENS = countWords(`Echo: ${USER}`);
