/**
 * Every chat format module paired with every other: a request of A → the hub's ChatRequest → a
 * request of B → ChatRequest again keeps what both formats can say (messages, tool calls and their
 * results, tools, tool choice, sampling, the output cap); and the hub's events → A's answer → events
 * → B's answer is B's answer of the events themselves (text, tool calls, usage).
 */
import { describe, expect, it } from 'vitest';
import type { ChatEvent, ChatMessage, ChatRequest } from '../../providers/types.js';
import { eventsFromAigneChunks, fromAigneChatInput, toAigneChatInput, toAigneChunk, type AigneChatInput } from './aigne-chat.js';
import { anthropicMessagesAnswer, eventsFromAnthropicMessage } from './anthropic-messages-answer.js';
import { anthropicMessagesSchema, fromAnthropicMessages, toAnthropicMessages } from './anthropic-messages.js';
import { ChatAccumulator, type ChatAnswer } from './chat-answer.js';
import { eventsFromHubChat, fromHubChatRequest, hubChatAnswer, hubChatSchema, toHubChatRequest } from './hub-chat.js';
import { eventsFromOpenAICompletion, openAIChatAnswer } from './openai-chat-answer.js';
import { fromOpenAIChatRequest, openAIChatRequestSchema, toOpenAIChatRequest } from './openai-chat.js';
import { eventsFromResponse, openAIResponsesAnswer } from './openai-responses-answer.js';
import { fromOpenAIResponses, openAIResponsesSchema, toOpenAIResponses } from './openai-responses.js';
import { aigneChatInputSchema } from './aigne-chat.js';

interface Format {
  name: string;
  /** ChatRequest → this format's request, checked against the format's own schema. */
  to(req: ChatRequest): unknown;
  from(request: unknown, model: string): ChatRequest;
  /** The hub's events → this format's whole answer → events again. */
  answer(events: ChatEvent[]): ChatEvent[];
}

const whole = (answer: ChatAnswer, events: ChatEvent[]) => {
  const acc = new ChatAccumulator();
  for (const e of events) acc.add(e);
  return answer.whole(acc, acc.usage ?? { inputTokens: 0, outputTokens: 0 });
};
const parse = <T>(schema: { parse(v: unknown): T }, v: unknown) => schema.parse(JSON.parse(JSON.stringify(v)));

const FORMATS: Format[] = [
  {
    name: 'openai-chat',
    to: (r) => parse(openAIChatRequestSchema, toOpenAIChatRequest(r)),
    from: (r, m) => fromOpenAIChatRequest(r as never, m),
    answer: (events) => eventsFromOpenAICompletion(whole(openAIChatAnswer({ id: 'chatcmpl-1', model: 'm', includeUsage: true }), events) as never),
  },
  {
    name: 'aigne-chat',
    to: (r) => parse(aigneChatInputSchema, toAigneChatInput(r)),
    from: (r, m) => fromAigneChatInput(r as AigneChatInput, m),
    answer: (events) => eventsFromAigneChunks(events.map((e) => toAigneChunk(e, 'm')).filter((c): c is object => c !== null)),
  },
  {
    name: 'hub-chat',
    to: (r) => parse(hubChatSchema, toHubChatRequest(r)),
    from: (r, m) => fromHubChatRequest(r as never, m),
    answer: (events) => eventsFromHubChat(whole(hubChatAnswer('m'), events) as never),
  },
  {
    name: 'anthropic-messages',
    to: (r) => parse(anthropicMessagesSchema, toAnthropicMessages(r)),
    from: (r, m) => fromAnthropicMessages(r as never, m),
    answer: (events) => eventsFromAnthropicMessage(whole(anthropicMessagesAnswer({ id: 'msg_1', model: 'm' }), events) as never),
  },
  {
    name: 'openai-responses',
    to: (r) => parse(openAIResponsesSchema, toOpenAIResponses(r)),
    from: (r, m) => fromOpenAIResponses(r as never, [], m),
    answer: (events) => eventsFromResponse(whole(openAIResponsesAnswer({ id: 'resp_1', model: 'm', request: { model: 'm', input: 'x' } }), events) as never),
  },
];

const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'weather now', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };

const REQUEST: ChatRequest = {
  model: 'model-x',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'weather in Oslo and Lima?' },
    {
      role: 'agent',
      content: 'looking',
      toolCalls: [
        { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: { city: 'Oslo' } } },
        { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: { city: 'Lima' } } },
      ],
    },
    { role: 'tool', toolCallId: 'call_1', content: 'snow' },
    { role: 'tool', toolCallId: 'call_2', content: 'sun' },
    { role: 'user', content: [{ type: 'text', text: 'and this picture?' }, { type: 'url', url: 'https://example.com/cat.png' }] },
  ],
  tools: [weatherTool],
  toolChoice: { type: 'function', function: { name: 'get_weather' } },
  temperature: 0.5,
  topP: 0.9,
  maxTokens: 300,
};

/** What every format can say: roles, text, images, tool calls (arguments as objects), tool results, tools and options. */
function core(req: ChatRequest) {
  const text = (c: ChatMessage['content']) => (typeof c === 'string' ? c : (c ?? []).filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join(''));
  const images = (c: ChatMessage['content']) => (typeof c === 'string' || !c ? [] : c.filter((p) => p.type !== 'text').map((p) => (p.type === 'url' ? p.url : p.data)));
  return {
    messages: req.messages.map((m) => ({
      role: m.role,
      text: text(m.content),
      images: images(m.content),
      toolCalls: (m.toolCalls ?? []).map((t) => ({ id: t.id, name: t.function.name, arguments: typeof t.function.arguments === 'string' ? JSON.parse(t.function.arguments) : t.function.arguments })),
      toolCallId: m.toolCallId,
    })),
    tools: (req.tools ?? []).map((t) => ({ name: t.function.name, description: t.function.description, parameters: t.function.parameters })),
    toolChoice: req.toolChoice,
    temperature: req.temperature,
    topP: req.topP,
    maxTokens: req.maxTokens,
  };
}

const EVENTS: ChatEvent[] = [
  { type: 'text', text: 'Hello ' },
  { type: 'text', text: 'there.' },
  { type: 'toolCalls', toolCalls: [{ id: 'call_9', type: 'function', function: { name: 'get_weather', arguments: { city: 'Rome' } } }] },
  { type: 'usage', usage: { inputTokens: 12, outputTokens: 7 } },
];

/** Text joined, tool calls and usage: what a whole answer carries in every format. */
function answerCore(events: ChatEvent[]) {
  const acc = new ChatAccumulator();
  for (const e of events) acc.add(e);
  return {
    text: acc.text,
    toolCalls: acc.toolCalls.map((t) => ({ id: t.id, name: t.function.name, arguments: typeof t.function.arguments === 'string' ? JSON.parse(t.function.arguments) : t.function.arguments })),
    usage: acc.usage && { inputTokens: acc.usage.inputTokens, outputTokens: acc.usage.outputTokens },
  };
}

describe('chat formats translate into one another', () => {
  for (const a of FORMATS) {
    for (const b of FORMATS) {
      it(`a request of ${a.name} → ChatRequest → ${b.name} → ChatRequest keeps what both can say`, () => {
        const fromA = a.from(a.to(REQUEST), 'model-x');
        const throughB = b.from(b.to(fromA), 'model-x');
        expect(core(throughB)).toEqual(core(REQUEST));
      });

      it(`events → an answer of ${a.name} → events → an answer of ${b.name} is ${b.name}'s answer of the events`, () => {
        expect(answerCore(b.answer(a.answer(EVENTS)))).toEqual(answerCore(b.answer(EVENTS)));
        expect(answerCore(a.answer(EVENTS))).toEqual(answerCore(EVENTS));
      });
    }
  }
});
