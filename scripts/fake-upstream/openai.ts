/** OpenAI wire format: chat completions (JSON and SSE), embeddings, images, models. */
import {
  countWords,
  echoReply,
  embeddingFor,
  embeddingToBase64,
  jsonReply,
  nextId,
  splitArguments,
  splitReply,
  TINY_PNG_BASE64,
  valueFromSchema,
} from './content.js';
import { providerErrorObject } from './errors.js';
import { type Exchange, sendError, sendJson, sendStream, textOf } from './exchange.js';

interface OpenAIMessage {
  role: string;
  content?: unknown;
}

interface Answer {
  text?: string;
  toolCall?: { id: string; name: string; arguments: string };
  inputTokens: number;
  outputTokens: number;
}

/** Decide the deterministic answer to a chat completion request. */
function answerOpenAIChat(ex: Exchange): Answer {
  const body = ex.body ?? {};
  const messages: OpenAIMessage[] = Array.isArray(body.messages) ? body.messages : [];
  let inputTokens = 0;
  let lastUserText = '';
  for (const m of messages) {
    const t = textOf(m?.content);
    inputTokens += countWords(t);
    if (m?.role === 'user') lastUserText = t;
  }
  const last = messages[messages.length - 1];
  const tools: any[] = Array.isArray(body.tools) ? body.tools : [];
  const choice = body.tool_choice;
  let tool: any;
  if (ex.toolCall) {
    tool = { function: { name: ex.toolCall.name }, args: ex.toolCall.arguments };
  } else if (tools.length && choice !== 'none' && last?.role === 'user' && ex.reply === undefined) {
    const wanted = choice && typeof choice === 'object' ? choice.function?.name : undefined;
    tool = (wanted && tools.find((t) => t?.function?.name === wanted)) || tools[0];
  }
  if (tool) {
    const args = JSON.stringify(tool.args ?? valueFromSchema(tool.function?.parameters, lastUserText));
    return {
      toolCall: { id: nextId('call_'), name: String(tool.function?.name ?? 'tool'), arguments: args },
      inputTokens,
      outputTokens: countWords(args),
    };
  }
  let text: string;
  if (ex.reply !== undefined) text = ex.reply;
  else {
    const rf = body.response_format;
    if (rf?.type === 'json_object') text = jsonReply(undefined, lastUserText);
    else if (rf?.type === 'json_schema') text = jsonReply(rf.json_schema?.schema, lastUserText);
    else text = echoReply(lastUserText);
  }
  return { text, inputTokens, outputTokens: countWords(text) };
}

function usageObject(inputTokens: number, outputTokens: number) {
  return {
    prompt_tokens: inputTokens,
    completion_tokens: outputTokens,
    total_tokens: inputTokens + outputTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

export function handleOpenAIChat(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || !Array.isArray(body.messages)) {
    sendError(ex, 400, {
      error: { message: "Missing required parameter: 'messages'.", type: 'invalid_request_error', param: 'messages', code: 'missing_required_parameter' },
    });
    return;
  }
  const model = String(body.model ?? 'gpt-4o-mini');
  const answer = answerOpenAIChat(ex);
  const id = nextId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  if (!body.stream) {
    const message = answer.toolCall
      ? {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: answer.toolCall.id, type: 'function', function: { name: answer.toolCall.name, arguments: answer.toolCall.arguments } }],
          refusal: null,
          annotations: [],
        }
      : { role: 'assistant', content: answer.text, refusal: null, annotations: [] };
    sendJson(ex, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: answer.toolCall ? 'tool_calls' : 'stop' }],
      ...(ex.noUsage ? {} : { usage: usageObject(answer.inputTokens, answer.outputTokens) }),
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
    });
    return;
  }
  const includeUsage = body.stream_options?.include_usage === true && !ex.noUsage;
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake","choices":[{"index":0,"delta":`;
  const usageNull = includeUsage ? ',"usage":null' : '';
  const chunk = (delta: string, finish: string | null = null) =>
    `${head}${delta},"logprobs":null,"finish_reason":${finish ? `"${finish}"` : 'null'}}]${usageNull}}\n\n`;
  const events: string[] = [];
  if (answer.toolCall) {
    const call = answer.toolCall;
    events.push(
      chunk(
        `{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"${call.id}","type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}],"refusal":null}`,
      ),
    );
    for (const fragment of splitArguments(call.arguments)) {
      events.push(chunk(`{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(fragment)}}}]}`));
    }
    events.push(chunk('{}', 'tool_calls'));
  } else {
    const { pieces, text } = splitReply(answer.text ?? '', ex.chunks);
    if (ex.chunks) answer.outputTokens = countWords(text);
    events.push(chunk('{"role":"assistant","content":"","refusal":null}'));
    for (const piece of pieces) events.push(chunk(`{"content":${JSON.stringify(piece)}}`));
    events.push(chunk('{}', 'stop'));
  }
  if (includeUsage) {
    events.push(
      `data: {"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"fp_fake","choices":[],"usage":${JSON.stringify(usageObject(answer.inputTokens, answer.outputTokens))}}\n\n`,
    );
  }
  events.push('data: [DONE]\n\n');
  sendStream(ex, {
    contentType: 'text/event-stream; charset=utf-8',
    events,
    errorEvent: (status) => `data: ${JSON.stringify(providerErrorObject('openai', status))}\n\n`,
  });
}

export function handleOpenAIEmbeddings(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || body.input === undefined) {
    sendError(ex, 400, {
      error: { message: "Missing required parameter: 'input'.", type: 'invalid_request_error', param: 'input', code: null },
    });
    return;
  }
  const raw = body.input;
  const inputs: string[] = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.map((x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x))) : [String(raw)];
  const dims = Number(body.dimensions) || ex.defaults.embeddingDimensions || 1536;
  const base64 = body.encoding_format === 'base64' && !ex.defaults.ignoreEncodingFormat;
  let tokens = 0;
  const data = inputs.map((text, index) => {
    tokens += countWords(text);
    const v = embeddingFor(text, dims);
    return { object: 'embedding', index, embedding: base64 ? embeddingToBase64(v) : v };
  });
  sendJson(ex, 200, { object: 'list', data, model: String(body.model ?? 'text-embedding-3-small'), usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

export function handleOpenAIImages(ex: Exchange): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || typeof body.prompt !== 'string') {
    sendError(ex, 400, {
      error: { message: "Missing required parameter: 'prompt'.", type: 'invalid_request_error', param: 'prompt', code: null },
    });
    return;
  }
  const model = String(body.model ?? 'dall-e-2');
  const n = Math.max(1, Number(body.n) || 1);
  const format = body.response_format ?? (model.startsWith('gpt-image') ? 'b64_json' : 'url');
  const data = [];
  for (let i = 0; i < n; i++) {
    const item: Record<string, unknown> =
      format === 'b64_json' ? { b64_json: TINY_PNG_BASE64 } : { url: `${ex.baseUrl}/__fake/image.png?i=${i}` };
    if (model === 'dall-e-3') item.revised_prompt = body.prompt;
    data.push(item);
  }
  const out: Record<string, unknown> = { created: Math.floor(Date.now() / 1000), data };
  if (model.startsWith('gpt-image')) {
    const input = countWords(body.prompt);
    out.usage = { input_tokens: input, output_tokens: n, total_tokens: input + n, input_tokens_details: { text_tokens: input, image_tokens: 0 } };
  }
  sendJson(ex, 200, out);
}

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'gpt-4.1-mini', 'text-embedding-3-small', 'dall-e-3', 'gpt-image-1'];
const MODELS_BODY = {
  object: 'list',
  data: MODELS.map((id) => ({ id, object: 'model', created: 0, owned_by: 'fake-upstream' })),
};

export function handleOpenAIModels(ex: Exchange): void {
  sendJson(ex, 200, MODELS_BODY);
}
