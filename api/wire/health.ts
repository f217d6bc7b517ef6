/** API.md §15: model health, as `GET /api/ai-providers/health` and `POST …/health/check` answer it. */
import type { RateType } from './providers.js';

export interface ModelHealthView {
  providerId: string;
  provider: string;
  providerDisplayName: string;
  model: string;
  type: RateType;
  lastCheckedAt: string;
  ok: boolean;
  latencyMs: number | null;
  /** The failure, as the hub reports upstream errors (never a secret). */
  error: string | null;
  /** Checks kept from the last 24 hours, and how many of them failed. */
  checks24h: number;
  failures24h: number;
}

export interface HealthAnswer {
  /** Minutes between scheduled checks (0: off; null when a cron pattern is set instead). */
  intervalMin: number | null;
  cron: string | null;
  nextRunAt: string | null;
  models: ModelHealthView[];
}
