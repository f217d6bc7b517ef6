import type { ModelCallRow } from '../../store/models/model-call.js';

/** A ModelCall row as the gateway records it at a streamed call's start, with `patch` applied. */
export const modelCallRowOf = (id: string, patch: Partial<ModelCallRow> = {}): ModelCallRow => ({
  id,
  traceId: null,
  requestId: `req-${id}`,
  model: 'openai/gpt-4o-mini',
  providerId: 'p1',
  credentialId: 'c1',
  type: 'chatCompletion',
  status: 'processing',
  stream: true,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  creditsNano: 0,
  usageEstimated: false,
  attempts: 1,
  duration: null,
  ttfb: null,
  providerTtfb: null,
  errorReason: null,
  errorCode: null,
  userDid: 'user-1',
  appId: null,
  ...patch,
});
