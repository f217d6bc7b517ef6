/**
 * THE route table: every route of the hub, in the order Express tries them. app.ts mounts all of
 * them on the Express stack; endpoints marked `hot` are also served by the fast dispatcher
 * (middlewares/fast-dispatch.ts) with the very same handlers, after the same mounts.
 */
import type { RequestHandler } from 'express';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config.js';
import type { Logger } from '../lib/logger.js';
import { requireAuth } from '../middlewares/auth.js';
import { errorFormat } from '../middlewares/error-handler.js';
import { validateBody } from '../middlewares/validate.js';
import type { BillingBackend } from '../services/billing/backend.js';
import { anthropicCountTokensSchema, anthropicMessagesSchema } from '../services/formats/anthropic-messages.js';
import { anthropicErrors } from '../services/formats/anthropic-messages-answer.js';
import { hubChatSchema } from '../services/formats/hub-chat.js';
import { openAIChatRequestSchema } from '../services/formats/openai-chat.js';
import { openAIResponsesSchema } from '../services/formats/openai-responses.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { Services } from '../services/index.js';
import type { ModelHealth } from '../services/health/model-health.js';
import type { Observability } from '../services/observability/setup.js';
import type { MediaStore } from '../services/media-store.js';
import type { StoredResponses } from '../services/stored-responses.js';
import type { RateCheckAnswer } from '../wire/pricing.js';
import { accessKeyRoutes, appRoutes, userRoutes } from './admin/access-keys.js';
import { limitUsageRoutes } from './admin/limit-usage.js';
import { modelHealthRoutes } from './admin/model-health.js';
import { pricingAdminRoutes } from './admin/pricing.js';
import { userLimitRoutes } from './user-limits.js';
import { providerRoutes } from './admin/providers.js';
import { authRoutes } from './auth.js';
import { authorizeHandlers, exchangeHandlers } from './auth-keys.js';
import { blockletJs } from './blocklet-js.js';
import { creditRouters } from './credits.js';
import { healthRoutes } from './health.js';
import {
  aigneEmbeddingSchema,
  aigneEmbeddingsHandler,
  aigneEnvelope,
  aigneImageGenerationsHandler,
  aigneImageGenerationsSchema,
  aigneImageHandler,
  aigneImageSchema,
  openAIEmbeddingSchema,
  openAIEmbeddingsHandler,
  openAIImageSchema,
  openAIImagesHandler,
} from './media.js';
import { speechHandler, speechSchema, transcriptionHandler } from './audio.js';
import { mediaFileRoutes } from './media-files.js';
import { videoHandler, videoSchema } from './video.js';
import { metricsRoutes } from './metrics.js';
import { modelCallRoutes } from './model-calls.js';
import { aigneModelsRoute, openAIModelsRoute, statusRoute } from './models.js';
import { TRACE_VIEWER_PATH, traceViewerRoutes } from './traces.js';
import { settingsRoutes } from './settings.js';
import { notificationRoutes } from './notifications.js';
import { pricingRoute } from './pricing.js';
import { usageRoutes } from './usage.js';
import { userCreditRoutes, userInfoRoutes } from './user-credit.js';
import { userKeyRoutes } from './user-keys.js';
import type { Endpoint, RouteEntry } from './table.js';
import { chatCompletionsHandler } from './v1/chat-completions.js';
import { countTokensHandler, messagesHandler } from './v1/messages.js';
import { responsesHandler, storedResponseRoutes } from './v1/responses.js';
import { aigneChatHandler } from './v2/chat.js';
import { hubChatCompletionsHandler } from './v2/chat-completions.js';

export interface RouteDeps {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  services: Services;
  gateway: Gateway;
  billing: BillingBackend;
  storedResponses: StoredResponses;
  media: MediaStore;
  observability?: Pick<Observability, 'metrics' | 'tracing'>;
  /** The app's `authenticate` middleware (identifies the caller; rejects no one). */
  authenticate: RequestHandler;
  /** Resolves once the calls settled so far are written: reads of calls, usage and credits wait for it. */
  recordsSettled: () => Promise<void>;
  health?: ModelHealth;
  /** Told of each rate check an admin runs (rate.below_cost notifications). */
  onRateCheck?: (answer: RateCheckAnswer, checked: string[]) => void;
}

export function routeTable(deps: RouteDeps): RouteEntry[] {
  const { config, services, gateway } = deps;
  const auth = requireAuth();
  const afterRecords: RequestHandler = (_req, _res, next) => void deps.recordsSettled().then(() => next(), next);
  const keyDeps = { accessKeys: services.accessKeys, authCodes: services.authCodes, userLimits: services.limits.userLimits, maxKeysPerUser: config.maxKeysPerUser };
  const post = (path: string, handlers: RequestHandler[], hot = false): Endpoint => ({ method: 'post', path, handlers: [auth, ...handlers], hot });

  const entries: RouteEntry[] = [
    { method: 'get', path: '/__blocklet__.js', handlers: [blockletJs(config)] },
    { mount: '/api/health', handlers: [healthRoutes({ sequelize: deps.sequelize, version: config.version })] },
    // Errors in the wire format of the route's clients, from authentication on.
    { mount: '/api/v1/messages', handlers: [errorFormat(anthropicErrors)] },
    // Every route below under /api knows its caller, if any (requireAuth and requireRole reject).
    { mount: '/api', handlers: [deps.authenticate] },

    // Model calls: OpenAI's and Anthropic's APIs on /api/v1, the AIGNE framework's on /api/v2.
    post('/api/v1/chat/completions', [validateBody(openAIChatRequestSchema), chatCompletionsHandler(gateway)], true),
    post('/api/v1/messages', [validateBody(anthropicMessagesSchema), messagesHandler(gateway)], true),
    post('/api/v1/messages/count_tokens', [validateBody(anthropicCountTokensSchema), countTokensHandler(gateway)]),
    post('/api/v1/responses', [validateBody(openAIResponsesSchema), responsesHandler(gateway, deps.storedResponses)], true),
    { mount: '/api/v1/responses', handlers: [auth, storedResponseRoutes(deps.storedResponses)] },
    post('/api/v1/embeddings', [validateBody(openAIEmbeddingSchema), openAIEmbeddingsHandler(gateway)], true),
    post('/api/v1/images/generations', [validateBody(openAIImageSchema), openAIImagesHandler(gateway)]),
    { mount: '/api/v1/models', handlers: [openAIModelsRoute(gateway, services.limits.modelFilter)] },
    { mount: '/api/v2/status', handlers: [statusRoute(gateway, deps.billing)] },
    post('/api/v2/chat', [aigneChatHandler(gateway, { viaModelClasses: config.v2ChatViaModelClasses })], true),
    post('/api/v2/chat/completions', [validateBody(hubChatSchema), hubChatCompletionsHandler(gateway, { viaModelClasses: config.v2ChatViaModelClasses })], true),
    // AIGNE Hub's older name of the same route.
    post('/api/v2/completions', [validateBody(hubChatSchema), hubChatCompletionsHandler(gateway, { viaModelClasses: config.v2ChatViaModelClasses })]),
    post('/api/v2/embeddings', [aigneEnvelope(), validateBody(aigneEmbeddingSchema), aigneEmbeddingsHandler(gateway)]),
    post('/api/v2/image', [aigneEnvelope(), validateBody(aigneImageSchema), aigneImageHandler(gateway, deps.media, config.appUrl)]),
    post('/api/v2/image/generations', [validateBody(aigneImageGenerationsSchema), aigneImageGenerationsHandler(gateway)]),
    post('/api/v2/video', [aigneEnvelope(), validateBody(videoSchema), videoHandler(gateway, deps.media, config.appUrl)]),
    ...['/api/v1', '/api/v2'].flatMap((prefix) => [
      post(`${prefix}/audio/transcriptions`, [transcriptionHandler(gateway, false, config.maxBodySize)]),
      post(`${prefix}/audio/translations`, [transcriptionHandler(gateway, true, config.maxBodySize)]),
      post(`${prefix}/audio/speech`, [validateBody(speechSchema), speechHandler(gateway)]),
    ]),
    // Generated files the hub keeps; the unguessable name is the key (no login).
    { mount: '/api/media', handlers: [mediaFileRoutes(deps.media)] },
    { mount: '/api/ai/models', handlers: [aigneModelsRoute(gateway, deps.health, services.limits.modelFilter)] },
    { mount: '/api/ai-providers/models', handlers: [aigneModelsRoute(gateway, deps.health, services.limits.modelFilter)] },
    { mount: '/api/pricing', handlers: [pricingRoute(gateway.routing, config.pricing.public)] },

    // Sessions, administration, and what callers read of their own calls and credits.
    // Apps that ask a user for a key (API.md §16): approval by the signed-in user, then the public exchange.
    { method: 'post', path: '/api/auth/authorize', handlers: authorizeHandlers(keyDeps) },
    { method: 'post', path: '/api/auth/keys', handlers: exchangeHandlers(keyDeps) },
    { mount: '/api/auth', handlers: [authRoutes(services)] },
    ...creditRouters({ billing: deps.billing, users: services.users }).map(({ path, router }) => ({ mount: path, handlers: [afterRecords, router] })),
    // The credit prefix is the operator's setting at the moment of the call (API.md §13 `creditPrefix`).
    { mount: '/api/user/info', handlers: [afterRecords, userInfoRoutes({ config, billing: deps.billing, users: services.users, creditPrefix: () => services.settings.current().creditPrefix })] },
    { mount: '/api/user/credit', handlers: [afterRecords, userCreditRoutes({ billing: deps.billing })] },
    { mount: '/api/usage', handlers: [afterRecords, usageRoutes({ sequelize: deps.sequelize })] },
    { mount: '/api/model-calls', handlers: [afterRecords, modelCallRoutes({ models: services.models })] },
    // Before the providers' `/:id` routes: `/price-catalog`, `/rate-check` and `/health` are not ids.
    { mount: '/api/ai-providers', handlers: [pricingAdminRoutes({ config, models: services.models, providerAdmin: services.providerAdmin, onRateCheck: deps.onRateCheck })] },
    ...(deps.health ? [{ mount: '/api/ai-providers', handlers: [modelHealthRoutes(deps.health)] }] : []),
    { mount: '/api/ai-providers', handlers: [providerRoutes(services.providerAdmin)] },
    { mount: '/api/notifications', handlers: [notificationRoutes(services.models)] },
    { mount: '/api/access-keys', handlers: [accessKeyRoutes(services.accessKeys)] },
    { mount: '/api/user/access-keys', handlers: [afterRecords, userKeyRoutes({ ...keyDeps, sequelize: deps.sequelize })] },
    { mount: '/api/apps', handlers: [appRoutes(services.apps)] },
    { mount: '/api/settings', handlers: [settingsRoutes(services.settings)] },
    { mount: '/api/users', handlers: [userRoutes(services.users)] },
    { mount: '/api/user/limits', handlers: [userLimitRoutes(services.limits)] },
    { mount: '/api/limits/usage', handlers: [limitUsageRoutes({ models: services.models, limits: services.limits, defaultKeyLimits: config.defaultKeyLimits })] },
  ];

  const { metrics, tracing } = deps.observability ?? {};
  if (metrics) entries.push({ mount: '/metrics', handlers: [metricsRoutes({ metrics, token: config.metricsToken, authenticate: deps.authenticate })] });
  if (tracing) entries.push({ mount: TRACE_VIEWER_PATH, handlers: [traceViewerRoutes({ tracing, authenticate: deps.authenticate, logger: deps.logger })] });
  return entries;
}
