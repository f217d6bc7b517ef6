/**
 * A settled call's line in the call journal: its final ModelCall row and the flush hooks' data, as
 * JSON written out field by field (flat-json.ts says why). `createdAt` is written as epoch
 * milliseconds, cheaper than date text, and `updatedAt` not at all: the batch that writes the row
 * sets it. Recovery reads dates in both forms (lines of older runs carry ISO text).
 */
import { flatJson, jsonStringOrNull as str } from '../../lib/flat-json.js';
import type { ModelCallRow } from '../../store/models/model-call.js';

export function journalLine(r: ModelCallRow, hooks?: Record<string, unknown>): string {
  const row =
    `{"id":${str(r.id)},"traceId":${str(r.traceId)},"requestId":${str(r.requestId ?? null)},"model":${str(r.model)},` +
    `"providerId":${str(r.providerId ?? null)},"credentialId":${str(r.credentialId ?? null)},"type":${str(r.type)},"status":${str(r.status)},` +
    `"stream":${r.stream},"inputTokens":${r.inputTokens},"outputTokens":${r.outputTokens},"cacheReadTokens":${r.cacheReadTokens},` +
    `"cacheWriteTokens":${r.cacheWriteTokens},"creditsNano":${r.creditsNano},"usageEstimated":${r.usageEstimated},"attempts":${r.attempts},` +
    `"duration":${r.duration ?? null},"ttfb":${r.ttfb ?? null},"providerTtfb":${r.providerTtfb ?? null},` +
    `"errorReason":${str(r.errorReason ?? null)},"errorCode":${str(r.errorCode ?? null)},"userDid":${str(r.userDid ?? null)},"appId":${str(r.appId ?? null)},` +
    `"accessKeyId":${str(r.accessKeyId ?? null)},` +
    `"createdAt":${r.createdAt ? r.createdAt.getTime() : null}}`;
  return hooks ? `{"row":${row},"hooks":${flatJson(hooks)}}\n` : `{"row":${row}}\n`;
}
