/**
 * Gemini (Generative Language API) wire format: `/v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse`, `:embedContent`, `:batchEmbedContents`, `:predict` (Imagen),
 * `GET /v1beta/models`.
 */
import { countWords, echoReply, embeddingFor, jsonReply, nextId, splitReply, TINY_PNG_BASE64, valueFromSchema } from './content.js';
import { providerErrorObject } from './errors.js';
import { type Exchange, sendError, sendJson, sendStream } from './exchange.js';

/** `models/gemini-2.0-flash:generateContent` → ['gemini-2.0-flash', 'generateContent']. */
export function parseGeminiPath(path: string): { model: string; method: string } | undefined {
  const i = path.indexOf('/models/');
  if (i < 0) return undefined;
  const rest = decodeURIComponent(path.slice(i + 8));
  const colon = rest.lastIndexOf(':');
  if (colon < 0) return { model: rest, method: '' };
  return { model: rest.slice(0, colon), method: rest.slice(colon + 1) };
}

function partsText(parts: unknown): { text: string; hasFunctionResponse: boolean } {
  if (!Array.isArray(parts)) return { text: '', hasFunctionResponse: false };
  let text = '';
  let hasFunctionResponse = false;
  for (const p of parts) {
    if (!p || typeof p !== 'object') continue;
    if (typeof p.text === 'string') text += (text ? ' ' : '') + p.text;
    if (p.functionResponse) hasFunctionResponse = true;
  }
  return { text, hasFunctionResponse };
}

function googleError(ex: Exchange, status: number, message: string): void {
  sendError(ex, status, { error: { code: status, message, status: status === 400 ? 'INVALID_ARGUMENT' : 'NOT_FOUND' } });
}

export function handleGemini(ex: Exchange): void {
  const parsed = parseGeminiPath(ex.path);
  if (ex.req.method === 'GET') {
    sendJson(ex, 200, {
      models: ['gemini-2.0-flash', 'gemini-2.5-flash', 'text-embedding-004'].map((m) => ({
        name: `models/${m}`,
        displayName: m,
        supportedGenerationMethods: m.includes('embedding') ? ['embedContent'] : ['generateContent', 'countTokens'],
      })),
    });
    return;
  }
  if (!parsed) {
    googleError(ex, 404, `Unknown path ${ex.path}`);
    return;
  }
  switch (parsed.method) {
    case 'generateContent':
      generate(ex, parsed.model, false);
      return;
    case 'streamGenerateContent':
      generate(ex, parsed.model, true);
      return;
    case 'embedContent':
    case 'batchEmbedContents':
      embed(ex, parsed.method === 'batchEmbedContents');
      return;
    case 'predict':
      predict(ex);
      return;
    case 'countTokens':
      sendJson(ex, 200, { totalTokens: countContents(ex.body).tokens });
      return;
    default:
      googleError(ex, 404, `Method ${parsed.method} not found`);
  }
}

function countContents(body: any): { tokens: number; lastUserText: string; lastIsUser: boolean } {
  let tokens = countWords(partsText(body?.systemInstruction?.parts).text);
  let lastUserText = '';
  let lastIsUser = false;
  for (const c of Array.isArray(body?.contents) ? body.contents : []) {
    const { text, hasFunctionResponse } = partsText(c?.parts);
    tokens += countWords(text);
    const isUser = (c?.role ?? 'user') === 'user' && !hasFunctionResponse;
    if (isUser) lastUserText = text;
    lastIsUser = isUser;
  }
  return { tokens, lastUserText, lastIsUser };
}

function generate(ex: Exchange, model: string, stream: boolean): void {
  const body = ex.body;
  if (!body || typeof body !== 'object' || !Array.isArray(body.contents) || body.contents.length === 0) {
    googleError(ex, 400, '* GenerateContentRequest.contents: contents is not specified');
    return;
  }
  const { tokens: inputTokens, lastUserText, lastIsUser } = countContents(body);
  const gen = body.generationConfig ?? {};
  const responseId = nextId('');
  const usage = (out: number) => ({ promptTokenCount: inputTokens, candidatesTokenCount: out, totalTokenCount: inputTokens + out });

  // Image output (gemini-*-image models).
  const modalities: string[] = Array.isArray(gen.responseModalities) ? gen.responseModalities.map(String) : [];
  if (modalities.some((m) => m.toUpperCase() === 'IMAGE')) {
    const n = Math.max(1, Number(gen.candidateCount) || 1);
    const candidates = Array.from({ length: n }, (_, index) => ({
      content: { role: 'model', parts: [{ inlineData: { mimeType: 'image/png', data: TINY_PNG_BASE64 } }] },
      finishReason: 'STOP',
      index,
    }));
    const payload = { candidates, usageMetadata: usage(n), modelVersion: model, responseId };
    if (stream) sendStream(ex, { contentType: 'text/event-stream', events: [`data: ${JSON.stringify(payload)}\r\n\r\n`], errorEvent });
    else sendJson(ex, 200, payload);
    return;
  }

  const declarations: any[] = [];
  for (const t of Array.isArray(body.tools) ? body.tools : []) {
    if (Array.isArray(t?.functionDeclarations)) declarations.push(...t.functionDeclarations);
  }
  const callingConfig = body.toolConfig?.functionCallingConfig ?? {};
  let call: { name: string; args: unknown } | undefined;
  if (ex.toolCall) call = { name: ex.toolCall.name, args: ex.toolCall.arguments };
  else if (declarations.length && callingConfig.mode !== 'NONE' && lastIsUser && ex.reply === undefined) {
    const allowed: string[] | undefined = callingConfig.allowedFunctionNames;
    const decl = (allowed?.length && declarations.find((d) => allowed.includes(d?.name))) || declarations[0];
    call = { name: String(decl?.name ?? 'tool'), args: valueFromSchema(decl?.parametersJsonSchema ?? decl?.parameters, lastUserText) };
  }
  if (call) {
    const out = countWords(JSON.stringify(call.args ?? {}));
    const payload = {
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: call.name, args: call.args ?? {} } }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usage(out),
      modelVersion: model,
      responseId,
    };
    if (stream) sendStream(ex, { contentType: 'text/event-stream', events: [`data: ${JSON.stringify(payload)}\r\n\r\n`], errorEvent });
    else sendJson(ex, 200, payload);
    return;
  }

  let text: string;
  if (ex.reply !== undefined) text = ex.reply;
  else if (gen.responseMimeType === 'application/json') text = jsonReply(gen.responseJsonSchema ?? gen.responseSchema, lastUserText);
  else text = echoReply(lastUserText);

  if (!stream) {
    sendJson(ex, 200, {
      candidates: [{ content: { role: 'model', parts: [{ text }] }, finishReason: 'STOP', index: 0 }],
      usageMetadata: usage(countWords(text)),
      modelVersion: model,
      responseId,
    });
    return;
  }
  const { pieces, text: streamed } = splitReply(text, ex.chunks);
  const out = countWords(streamed);
  const events = pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    const candidate = last
      ? `{"content":{"parts":[{"text":${JSON.stringify(piece)}}],"role":"model"},"finishReason":"STOP","index":0}`
      : `{"content":{"parts":[{"text":${JSON.stringify(piece)}}],"role":"model"},"index":0}`;
    const usageJson = last
      ? JSON.stringify(usage(out))
      : `{"promptTokenCount":${inputTokens},"totalTokenCount":${inputTokens}}`;
    return `data: {"candidates":[${candidate}],"usageMetadata":${usageJson},"modelVersion":${JSON.stringify(model)},"responseId":"${responseId}"}\r\n\r\n`;
  });
  sendStream(ex, { contentType: 'text/event-stream', events, errorEvent });
}

/** A mid-stream failure arrives as a bare JSON error object (what @google/genai checks each chunk for). */
function errorEvent(status: number): string {
  return JSON.stringify(providerErrorObject('gemini', status));
}

function embed(ex: Exchange, batch: boolean): void {
  const body = ex.body ?? {};
  const requests: any[] = batch ? (Array.isArray(body.requests) ? body.requests : []) : [body];
  if (!requests.length || requests.some((r) => !r?.content)) {
    googleError(ex, 400, '* EmbedContentRequest.content: content is not specified');
    return;
  }
  const embeddings = requests.map((r) => {
    const text = partsText(r.content?.parts).text;
    const dims = Number(r.outputDimensionality) || ex.defaults.embeddingDimensions || 768;
    return { values: embeddingFor(text, dims) };
  });
  sendJson(ex, 200, batch ? { embeddings } : { embedding: embeddings[0] });
}

function predict(ex: Exchange): void {
  const body = ex.body ?? {};
  const instances: any[] = Array.isArray(body.instances) ? body.instances : [];
  if (!instances.length || typeof instances[0]?.prompt !== 'string') {
    googleError(ex, 400, 'instances[0].prompt is required');
    return;
  }
  const n = Math.max(1, Number(body.parameters?.sampleCount) || 1);
  sendJson(ex, 200, {
    predictions: Array.from({ length: n }, () => ({ bytesBase64Encoded: TINY_PNG_BASE64, mimeType: 'image/png' })),
  });
}
