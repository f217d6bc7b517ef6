/** The in-memory record of one accepted model request, settled into a ModelCall row. */
import type { PricedUsage } from '../billing/pricing.js';
import type { ModelCallStatus, ModelCallType } from '../../store/models/model-call.js';
import type { ModelCallRow } from '../../store/models/model-call.js';

export interface CallRecord {
  id: string;
  requestId: string;
  traceId: string | null;
  /** The model string the client sent (echoed back in responses). */
  model: string;
  type: ModelCallType;
  stream: boolean;
  userDid: string | null;
  appId: string | null;
  /** The caller's access key, if it used one. */
  accessKeyId: string | null;
  providerId: string | null;
  providerName: string | null;
  credentialId: string | null;
  attempts: number;
  status: ModelCallStatus;
  usage: PricedUsage;
  usageEstimated: boolean;
  creditsNano: number;
  errorReason: string | null;
  errorCode: string | null;
  /** performance.now() when the request arrived. */
  startedAt: number;
  createdAt: Date;
  ttfb: number | null;
  providerTtfb: number | null;
  duration: number | null;
}

/**
 * Every field spelled out: spreading `init` and then adding the rest makes V8 build the record in
 * dictionary mode, slow to build and to read for the rest of the call.
 */
export function newCallRecord(init: Pick<CallRecord, 'id' | 'requestId' | 'model' | 'type' | 'stream' | 'userDid' | 'appId' | 'accessKeyId' | 'startedAt'>): CallRecord {
  return {
    id: init.id,
    requestId: init.requestId,
    model: init.model,
    type: init.type,
    stream: init.stream,
    userDid: init.userDid,
    appId: init.appId,
    accessKeyId: init.accessKeyId,
    startedAt: init.startedAt,
    traceId: null,
    providerId: null,
    providerName: null,
    credentialId: null,
    attempts: 0,
    status: 'processing',
    usage: { inputTokens: 0, outputTokens: 0 },
    usageEstimated: false,
    creditsNano: 0,
    errorReason: null,
    errorCode: null,
    createdAt: new Date(),
    ttfb: null,
    providerTtfb: null,
    duration: null,
  };
}

const ms = (v: number | null) => (v === null ? null : Math.max(0, Math.round(v)));

export function toModelCallRow(r: CallRecord): ModelCallRow {
  return {
    id: r.id,
    traceId: r.traceId,
    requestId: r.requestId,
    model: r.model,
    providerId: r.providerId,
    credentialId: r.credentialId,
    type: r.type,
    status: r.status,
    stream: r.stream,
    inputTokens: r.usage.inputTokens,
    outputTokens: r.usage.outputTokens,
    cacheReadTokens: r.usage.cacheReadTokens ?? 0,
    cacheWriteTokens: r.usage.cacheWriteTokens ?? 0,
    creditsNano: r.creditsNano,
    usageEstimated: r.usageEstimated,
    attempts: r.attempts,
    duration: ms(r.duration),
    ttfb: ms(r.ttfb),
    providerTtfb: ms(r.providerTtfb),
    errorReason: r.errorReason,
    errorCode: r.errorCode,
    userDid: r.userDid,
    appId: r.appId,
    accessKeyId: r.accessKeyId,
    createdAt: r.createdAt,
    // Set again when the row is written; present from the start so that the row keeps its shape.
    updatedAt: r.createdAt,
  };
}
