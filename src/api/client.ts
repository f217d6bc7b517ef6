/**
 * The dashboard's one way to reach the hub. Every call goes through `request()`, which sends the
 * session cookie and turns the hub's error body (`{"error": {"message", "type", "code"}}`) into an
 * `ApiError`.
 */
import { readSseEvents } from './sse';
import type {
  AccessKey,
  App,
  CatalogEntry,
  ChatMessage,
  ChatStreamResult,
  ChatUsage,
  CreateAccessKeyInput,
  CreateCredentialInput,
  CreateProviderInput,
  CreatedAccessKey,
  Credential,
  CredentialTestResult,
  CreditTransaction,
  Credits,
  GrantInput,
  HubModel,
  ModelCall,
  ModelCallFilters,
  ModelRate,
  ModelRateInput,
  Page,
  Provider,
  SessionUser,
  UpdateCredentialInput,
  UpdateProviderInput,
  UsageGroupBy,
  UsageRow,
} from './types';

export * from './types';

export const MODEL_CALL_ID_HEADER = 'x-aigne-hub-model-call-id';

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly code?: string;
  /** Top-up link sent with 402 insufficient_credits. */
  readonly link?: string;
  /** Seconds from `Retry-After`, when the hub sent one. */
  readonly retryAfter?: number;

  constructor(
    status: number,
    type: string,
    message: string,
    extra: { code?: string; link?: string; retryAfter?: number } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.code = extra.code;
    this.link = extra.link;
    this.retryAfter = extra.retryAfter;
  }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'insufficient_credits',
  403: 'permission_denied',
  404: 'not_found',
  409: 'conflict',
  413: 'invalid_request_error',
  429: 'rate_limit_exceeded',
  502: 'upstream_error',
  503: 'no_available_provider',
  504: 'upstream_timeout',
};

function fallbackType(status: number): string {
  return TYPE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'http_error');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Build an ApiError from a parsed `{"error": {...}}` object (HTTP body or SSE event). */
export function errorFromBody(status: number, body: unknown, fallbackMessage?: string, retryAfter?: number): ApiError {
  const err = isRecord(body) ? body.error : undefined;
  if (isRecord(err)) {
    const message = typeof err.message === 'string' && err.message ? err.message : fallbackMessage ?? `HTTP ${status}`;
    const type = typeof err.type === 'string' && err.type ? err.type : fallbackType(status);
    return new ApiError(status, type, message, {
      code: typeof err.code === 'string' ? err.code : undefined,
      link: typeof err.link === 'string' ? err.link : undefined,
      retryAfter,
    });
  }
  if (typeof err === 'string' && err) return new ApiError(status, fallbackType(status), err, { retryAfter });
  return new ApiError(status, fallbackType(status), fallbackMessage || `HTTP ${status}`, { retryAfter });
}

/** Turn a non-2xx response into an ApiError; tolerant of non-JSON bodies (a proxy's HTML page). */
export async function parseErrorResponse(res: Response): Promise<ApiError> {
  const retryHeader = res.headers.get('retry-after');
  const retryAfter = retryHeader !== null && /^\d+$/.test(retryHeader.trim()) ? Number(retryHeader) : undefined;
  let text = '';
  try {
    text = await res.text();
  } catch {
    text = '';
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  const plain = body === undefined && text && text.length <= 200 && !text.trimStart().startsWith('<') ? text.trim() : '';
  return errorFromBody(res.status, body, plain || res.statusText || `HTTP ${res.status}`, retryAfter);
}

type UnauthorizedHandler = () => void;
let unauthorizedHandler: UnauthorizedHandler | null = null;

/** Called when any request (other than the session probe and login) answers 401. */
export function setUnauthorizedHandler(handler: UnauthorizedHandler | null): void {
  unauthorizedHandler = handler;
}

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Do not call the unauthorized handler on 401 (the session probe and login themselves). */
  quiet401?: boolean;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body, credentials: 'same-origin', signal: options.signal });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
  }
  if (!res.ok) {
    const error = await parseErrorResponse(res);
    if (res.status === 401 && !options.quiet401) unauthorizedHandler?.();
    throw error;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

/** Accepts a bare array or a `{data: [...]}` envelope. */
export function asList<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (isRecord(body)) {
    for (const field of ['data', 'items', 'list', 'results']) {
      const value = body[field];
      if (Array.isArray(value)) return value as T[];
    }
  }
  return [];
}

function asPage<T>(body: unknown): Page<T> {
  const data = asList<T>(body);
  const next = isRecord(body) && typeof body.next === 'string' && body.next ? body.next : undefined;
  return next ? { data, next } : { data };
}

/** Unwrap `{provider: {...}}`-style envelopes when a single resource comes wrapped. */
function unwrap<T>(body: unknown, field: string): T {
  if (isRecord(body) && isRecord(body[field]) && !('id' in body)) return body[field] as T;
  if (isRecord(body) && isRecord(body.data) && !('id' in body)) return body.data as T;
  return body as T;
}

export function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params as Record<string, unknown>)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

// §1 auth -----------------------------------------------------------------------------------------

/** The logged-in user, or null when there is no valid session. */
export async function getSession(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    const body = await request<{ user?: SessionUser | null }>('GET', '/api/auth/session', { signal, quiet401: true });
    return body?.user ?? null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export async function login(key: string): Promise<SessionUser | null> {
  const body = await request<{ user?: SessionUser } | undefined>('POST', '/api/auth/login', {
    body: { key },
    quiet401: true,
  });
  return body?.user ?? (await getSession());
}

export async function logout(): Promise<void> {
  await request<void>('POST', '/api/auth/logout', { quiet401: true });
}

// §5 providers, credentials, model rates ----------------------------------------------------------

export async function listProviders(signal?: AbortSignal): Promise<Provider[]> {
  const list = asList<Provider>(await request('GET', '/api/ai-providers', { signal }));
  return list.map((p) => ({ ...p, credentials: Array.isArray(p.credentials) ? p.credentials : [] }));
}

export async function getProviderCatalog(signal?: AbortSignal): Promise<CatalogEntry[]> {
  const list = asList<CatalogEntry>(await request('GET', '/api/ai-providers/catalog', { signal }));
  return list.map((entry) => ({
    ...entry,
    credentialFields: Array.isArray(entry.credentialFields) ? entry.credentialFields : [],
    capabilities: Array.isArray(entry.capabilities) ? entry.capabilities : [],
  }));
}

export async function createProvider(input: CreateProviderInput): Promise<Provider> {
  return unwrap<Provider>(await request('POST', '/api/ai-providers', { body: input }), 'provider');
}

export async function updateProvider(id: string, input: UpdateProviderInput): Promise<Provider> {
  return unwrap<Provider>(await request('PUT', `/api/ai-providers/${enc(id)}`, { body: input }), 'provider');
}

export async function deleteProvider(id: string): Promise<void> {
  await request<void>('DELETE', `/api/ai-providers/${enc(id)}`);
}

export async function addCredential(providerId: string, input: CreateCredentialInput): Promise<Credential> {
  return unwrap<Credential>(
    await request('POST', `/api/ai-providers/${enc(providerId)}/credentials`, { body: input }),
    'credential',
  );
}

export async function updateCredential(
  providerId: string,
  credentialId: string,
  input: UpdateCredentialInput,
): Promise<Credential> {
  return unwrap<Credential>(
    await request('PUT', `/api/ai-providers/${enc(providerId)}/credentials/${enc(credentialId)}`, { body: input }),
    'credential',
  );
}

export async function deleteCredential(providerId: string, credentialId: string): Promise<void> {
  await request<void>('DELETE', `/api/ai-providers/${enc(providerId)}/credentials/${enc(credentialId)}`);
}

/** A failed test comes back either as an error status or as a 200 body that says so. */
export async function testCredential(providerId: string, credentialId: string): Promise<CredentialTestResult> {
  try {
    const body = await request<unknown>(
      'POST',
      `/api/ai-providers/${enc(providerId)}/credentials/${enc(credentialId)}/test`,
    );
    if (isRecord(body)) {
      const failed = body.ok === false || body.success === false || body.valid === false;
      const reason = body.error ?? body.message;
      const message = isRecord(reason) && typeof reason.message === 'string' ? reason.message : typeof reason === 'string' ? reason : undefined;
      return { ok: !failed, message };
    }
    return { ok: true };
  } catch (error) {
    if (error instanceof ApiError && error.status !== 401 && error.status !== 403 && error.status !== 404) {
      return { ok: false, message: error.message };
    }
    throw error;
  }
}

export async function listModelRates(providerId: string, signal?: AbortSignal): Promise<ModelRate[]> {
  return asList<ModelRate>(await request('GET', `/api/ai-providers/${enc(providerId)}/model-rates`, { signal }));
}

export async function createModelRate(providerId: string, input: ModelRateInput): Promise<ModelRate> {
  return unwrap<ModelRate>(
    await request('POST', `/api/ai-providers/${enc(providerId)}/model-rates`, { body: input }),
    'rate',
  );
}

export async function updateModelRate(providerId: string, rateId: string, input: Partial<ModelRateInput>): Promise<ModelRate> {
  return unwrap<ModelRate>(
    await request('PUT', `/api/ai-providers/${enc(providerId)}/model-rates/${enc(rateId)}`, { body: input }),
    'rate',
  );
}

export async function deleteModelRate(providerId: string, rateId: string): Promise<void> {
  await request<void>('DELETE', `/api/ai-providers/${enc(providerId)}/model-rates/${enc(rateId)}`);
}

// §6 access keys and apps -------------------------------------------------------------------------

export async function listAccessKeys(signal?: AbortSignal): Promise<AccessKey[]> {
  return asList<AccessKey>(await request('GET', '/api/access-keys', { signal }));
}

export async function createAccessKey(input: CreateAccessKeyInput): Promise<CreatedAccessKey> {
  return unwrap<CreatedAccessKey>(await request('POST', '/api/access-keys', { body: input }), 'accessKey');
}

export async function revokeAccessKey(id: string): Promise<void> {
  await request<void>('DELETE', `/api/access-keys/${enc(id)}`);
}

export async function listApps(signal?: AbortSignal): Promise<App[]> {
  return asList<App>(await request('GET', '/api/apps', { signal }));
}

export async function createApp(input: { name: string; did?: string }): Promise<App> {
  return unwrap<App>(await request('POST', '/api/apps', { body: input }), 'app');
}

export async function deleteApp(id: string): Promise<void> {
  await request<void>('DELETE', `/api/apps/${enc(id)}`);
}

// §7 credits, usage, calls ------------------------------------------------------------------------

export async function getCredits(signal?: AbortSignal): Promise<Credits> {
  const body = await request<Record<string, unknown>>('GET', '/api/user/credits', { signal });
  const link = [body?.link, body?.topUpLink, body?.paymentLink].find((v) => typeof v === 'string' && v);
  return {
    balance: String(body?.balance ?? '0'),
    currency: typeof body?.currency === 'string' ? body.currency : 'credits',
    pending: String(body?.pending ?? '0'),
    ...(link ? { link: link as string } : {}),
  };
}

export async function listCreditTransactions(
  params: { limit?: number; cursor?: string } = {},
  signal?: AbortSignal,
): Promise<Page<CreditTransaction>> {
  return asPage<CreditTransaction>(
    await request('GET', `/api/user/credits/transactions${queryString(params)}`, { signal }),
  );
}

export async function grantCredits(input: GrantInput): Promise<unknown> {
  return request('POST', '/api/credits/grants', { body: input });
}

export async function listModelCalls(filters: ModelCallFilters = {}, signal?: AbortSignal): Promise<Page<ModelCall>> {
  return asPage<ModelCall>(await request('GET', `/api/model-calls${queryString(filters)}`, { signal }));
}

export function modelCallsExportUrl(filters: ModelCallFilters = {}): string {
  const { cursor: _cursor, limit: _limit, ...rest } = filters;
  return `/api/model-calls/export${queryString(rest)}`;
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : 0;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

function toNullableNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

const GROUP_KEY_FIELDS = ['key', 'group', 'day', 'date', 'model', 'provider', 'providerId', 'app', 'appId', 'user', 'userDid', 'id'];

function groupKey(row: Record<string, unknown>): string {
  for (const field of GROUP_KEY_FIELDS) {
    const value = row[field];
    if (typeof value === 'string' || typeof value === 'number') return String(value);
  }
  return '';
}

function toUsageRow(raw: Record<string, unknown>, key: string): UsageRow {
  const credits = raw.credits;
  return {
    key,
    calls: toNumber(raw.calls),
    errors: toNumber(raw.errors),
    inputTokens: toNumber(raw.inputTokens),
    outputTokens: toNumber(raw.outputTokens),
    credits: typeof credits === 'string' ? credits : typeof credits === 'number' ? String(credits) : '0',
    p50Ms: toNullableNumber(raw.p50Ms),
    p95Ms: toNullableNumber(raw.p95Ms),
  };
}

/**
 * Normalizes the stats body: an array (or `{data}`) of rows that carry their group value, or an
 * object keyed by group value.
 */
export function normalizeUsage(body: unknown): UsageRow[] {
  const fromList = (list: unknown[]) => list.filter(isRecord).map((row) => toUsageRow(row, groupKey(row)));
  const fromMap = (map: Record<string, unknown>) =>
    Object.entries(map)
      .filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]))
      .map(([key, row]) => toUsageRow(row, key));
  if (Array.isArray(body)) return fromList(body);
  if (!isRecord(body)) return [];
  for (const field of ['data', 'groups', 'items', 'rows']) {
    const value = body[field];
    if (Array.isArray(value)) return fromList(value);
    if (isRecord(value)) return fromMap(value);
  }
  return fromMap(body);
}

export async function getUsageStats(
  params: { from?: string; to?: string; groupBy: UsageGroupBy; userDid?: string },
  signal?: AbortSignal,
): Promise<UsageRow[]> {
  return normalizeUsage(await request('GET', `/api/usage/stats${queryString(params)}`, { signal }));
}

// §3/§4 models and the playground ------------------------------------------------------------------

export async function listModels(type: 'chat' | 'embedding' | 'image' = 'chat', signal?: AbortSignal): Promise<HubModel[]> {
  return asList<HubModel>(await request('GET', `/api/ai/models${queryString({ type })}`, { signal }));
}

/** The `provider/model` name to send for a model listed by `/api/ai/models`. */
export function qualifiedModelName(model: Pick<HubModel, 'model' | 'provider'>): string {
  if (!model.provider || model.model.startsWith(`${model.provider}/`)) return model.model;
  return `${model.provider}/${model.model}`;
}

export interface StreamChatOptions {
  model: string;
  messages: ChatMessage[];
  signal?: AbortSignal;
  /** Called with each piece of text as it arrives. */
  onDelta?: (text: string) => void;
  /** Called as soon as the response headers name the call. */
  onCallId?: (callId: string) => void;
  temperature?: number;
}

interface ChunkChoice {
  delta?: { content?: unknown };
  finish_reason?: unknown;
}

/** Read an OpenAI chat.completion.chunk stream; stops at `[DONE]`, throws on an error event. */
export async function readChatStream(
  body: ReadableStream<Uint8Array>,
  handlers: { onDelta?: (text: string) => void; signal?: AbortSignal; status?: number } = {},
): Promise<Omit<ChatStreamResult, 'callId'>> {
  let text = '';
  let usage: ChatUsage | null = null;
  let finishReason: string | null = null;
  for await (const event of readSseEvents(body, handlers.signal)) {
    const data = event.data.trim();
    if (data === '[DONE]') break;
    if (!data) continue;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      continue;
    }
    if (!isRecord(chunk)) continue;
    if ('error' in chunk) throw errorFromBody(handlers.status && handlers.status >= 400 ? handlers.status : 502, chunk);
    const choices = Array.isArray(chunk.choices) ? (chunk.choices as ChunkChoice[]) : [];
    for (const choice of choices) {
      const content = choice?.delta?.content;
      if (typeof content === 'string' && content) {
        text += content;
        handlers.onDelta?.(content);
      }
      if (typeof choice?.finish_reason === 'string') finishReason = choice.finish_reason;
    }
    if (isRecord(chunk.usage)) {
      const u = chunk.usage;
      const promptTokens = toNumber(u.prompt_tokens);
      const completionTokens = toNumber(u.completion_tokens);
      usage = {
        promptTokens,
        completionTokens,
        totalTokens: u.total_tokens === undefined ? promptTokens + completionTokens : toNumber(u.total_tokens),
      };
    }
  }
  return { text, usage, finishReason };
}

/** Streamed chat through the OpenAI-compatible endpoint; the session cookie authenticates it. */
export async function streamChat(options: StreamChatOptions): Promise<ChatStreamResult> {
  let res: Response;
  try {
    res = await fetch('/api/v1/chat/completions', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({
        model: options.model,
        messages: options.messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
      }),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
  }
  const callId = res.headers.get(MODEL_CALL_ID_HEADER);
  if (!res.ok) {
    const error = await parseErrorResponse(res);
    if (res.status === 401) unauthorizedHandler?.();
    throw error;
  }
  if (callId) options.onCallId?.(callId);
  if (!res.body) throw new ApiError(res.status, 'server_error', 'The response has no body.');
  const contentType = res.headers.get('content-type') ?? '';
  if (contentType.includes('application/json')) {
    // A hub may answer a streamed request in one piece; accept it.
    const body = (await res.json()) as Record<string, unknown>;
    const choice = Array.isArray(body.choices) ? (body.choices[0] as Record<string, unknown>) : undefined;
    const message = choice && isRecord(choice.message) ? choice.message : undefined;
    const text = typeof message?.content === 'string' ? message.content : '';
    if (text) options.onDelta?.(text);
    const u = isRecord(body.usage) ? body.usage : undefined;
    return {
      callId,
      text,
      usage: u
        ? {
            promptTokens: toNumber(u.prompt_tokens),
            completionTokens: toNumber(u.completion_tokens),
            totalTokens: toNumber(u.total_tokens),
          }
        : null,
      finishReason: typeof choice?.finish_reason === 'string' ? choice.finish_reason : null,
    };
  }
  const result = await readChatStream(res.body, { onDelta: options.onDelta, signal: options.signal, status: res.status });
  return { callId, ...result };
}

/**
 * Credits of one call. Settlement happens just after the stream ends, so poll the caller's recent
 * calls a few times until the row is no longer `processing`.
 */
export async function findModelCall(
  callId: string,
  options: { userDid?: string; attempts?: number; delayMs?: number; signal?: AbortSignal } = {},
): Promise<ModelCall | null> {
  const attempts = options.attempts ?? 5;
  const delayMs = options.delayMs ?? 400;
  let found: ModelCall | null = null;
  for (let i = 0; i < attempts; i++) {
    const page = await listModelCalls({ userDid: options.userDid, limit: 20 }, options.signal);
    found = page.data.find((call) => call.id === callId) ?? null;
    if (found && found.status !== 'processing') return found;
    if (i < attempts - 1) await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  return found;
}
