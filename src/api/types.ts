/**
 * The hub's API shapes as the dashboard uses them: the server's own wire types (api/wire), under
 * the names the pages use, and the few shapes that are the dashboard's own.
 */
import type { ProviderBody } from '../../api/wire/providers.js';
import type { CallStatus, ModelCallQuery } from '../../api/wire/calls.js';

export type { Role, SessionUser, SessionAnswer, LogoutAnswer } from '../../api/wire/session.js';
export type {
  Capability,
  CatalogEntry,
  CredentialBody as CreateCredentialInput,
  CredentialField,
  CredentialStatus,
  CredentialTestAnswer,
  CredentialType,
  CredentialUpdateBody as UpdateCredentialInput,
  CredentialView as Credential,
  ProviderBody as CreateProviderInput,
  ProviderView as Provider,
  RateBody as ModelRateInput,
  RateType,
  RateView as ModelRate,
} from '../../api/wire/providers.js';
export type { AccessKeyBody as CreateAccessKeyInput, AccessKeyView as AccessKey, AppBody, AppView as App, CreatedAccessKey } from '../../api/wire/keys.js';
export type { CreditsAnswer as Credits, GrantBody as GrantInput, GrantView, TransactionView as CreditTransaction } from '../../api/wire/credits.js';
export type { CallStatus, ModelCallView as ModelCall } from '../../api/wire/calls.js';
export type { UsageGroupBy, UsageStatRow as UsageRow, UsageStatsAnswer } from '../../api/wire/usage.js';
export type { HubModel } from '../../api/wire/models.js';
export type { Page } from '../../api/wire/page.js';
export type { CatalogPrice, PriceCatalogAnswer, PublicPrice, RateCheckAnswer, RateCheckItem, RateImportAnswer, RateImportBody } from '../../api/wire/pricing.js';
export type { HealthAnswer, ModelHealthView } from '../../api/wire/health.js';
export type { NotificationView, NotificationsAnswer } from '../../api/wire/notifications.js';

/** A provider's name cannot change; every other field may. */
export type UpdateProviderInput = Partial<Omit<ProviderBody, 'name'>>;

/** The call-log filters of the dashboard: an empty status means any. */
export type ModelCallFilters = Omit<ModelCallQuery, 'status'> & { status?: CallStatus | '' };

/** A credential test as the credential list shows it. */
export interface CredentialTestResult {
  ok: boolean;
  message?: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatStreamResult {
  callId: string | null;
  text: string;
  usage: ChatUsage | null;
  finishReason: string | null;
}
