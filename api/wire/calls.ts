/** API.md §7: the call log, one row per accepted model request. */

export type CallStatus = 'processing' | 'success' | 'failed' | 'aborted';
export type CallType = 'chatCompletion' | 'embedding' | 'imageGeneration' | 'audio' | 'video';

/** A row of `GET /api/model-calls` (a Page of them); the CSV export has the same columns. */
export interface ModelCallView {
  id: string;
  model: string;
  providerId: string | null;
  credentialId: string | null;
  type: CallType;
  status: CallStatus;
  inputTokens: number;
  outputTokens: number;
  /** Decimal string. */
  credits: string;
  /** Milliseconds. */
  duration: number | null;
  ttfb: number | null;
  providerTtfb: number | null;
  errorReason: string | null;
  userDid: string | null;
  appId: string | null;
  createdAt: string;
}

/** The query of `GET /api/model-calls` (and, without `limit` and `cursor`, of the export). */
export interface ModelCallQuery {
  userDid?: string;
  appId?: string;
  model?: string;
  status?: CallStatus;
  /** ISO 8601 date(-time) or epoch milliseconds. */
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}
