/** What the targets are sent: one chat request, in the OpenAI format and in the AIGNE transport protocol. */
import { BENCH_ANTHROPIC_MODEL, BENCH_MODEL } from './hub.js';
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

/** POST /api/v1/messages to the Anthropic provider: its stream ends with `message_stop`. */
const messagesBody = (stream: boolean) => JSON.stringify({ model: `anthropic/${BENCH_ANTHROPIC_MODEL}`, max_tokens: 256, system: SYSTEM, messages: [{ role: 'user', content: USER }], ...(stream ? { stream } : {}) });
const MESSAGES_BODIES: Bodies = { json: messagesBody(false), stream: messagesBody(true), streamEnd: 'event: message_stop' };

/** POST /api/v1/responses to the OpenAI provider, stored as the clients' default has it: its stream ends with `response.completed`. */
const responsesBody = (stream: boolean) => JSON.stringify({ model: `openai/${BENCH_MODEL}`, instructions: SYSTEM, input: USER, ...(stream ? { stream } : {}) });
const RESPONSES_BODIES: Bodies = { json: responsesBody(false), stream: responsesBody(true), streamEnd: 'event: response.completed' };

export type BenchApi = 'v1' | 'v2' | 'messages' | 'responses';

/** Where the hubs are called, and with what, for the chosen API. */
export function hubRequest(api: BenchApi): { path: string; bodies: Bodies } {
  switch (api) {
    case 'v2':
      return { path: '/api/v2/chat', bodies: AIGNE_BODIES };
    case 'messages':
      return { path: '/api/v1/messages', bodies: MESSAGES_BODIES };
    case 'responses':
      return { path: '/api/v1/responses', bodies: RESPONSES_BODIES };
    default:
      return { path: '/api/v1/chat/completions', bodies: OPENAI_BODIES };
  }
}

/** What the fake upstream reports: words in, and "Echo: <last user text>" words out. */
export const INPUT_TOKENS = countWords(SYSTEM) + countWords(USER);
export const OUTPUT_TOKENS = countWords(`Echo: ${USER}`);
