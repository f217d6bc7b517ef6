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
import { validateBody } from '../middlewares/validate.js';
import type { BillingBackend } from '../services/billing/backend.js';
import { hubChatSchema } from '../services/formats/hub-chat.js';
import { openAIChatRequestSchema } from '../services/formats/openai-chat.js';
import type { Gateway } from '../services/gateway/gateway.js';
import type { Services } from '../services/index.js';
import type { Observability } from '../services/observability/setup.js';
import { accessKeyRoutes, appRoutes } from './admin/access-keys.js';
import { providerRoutes } from './admin/providers.js';
import { authRoutes } from './auth.js';
import { blockletJs } from './blocklet-js.js';
import { creditRouters } from './credits.js';
import { healthRoutes } from './health.js';
import {
  aigneEmbeddingSchema,
  aigneEmbeddingsHandler,
  aigneImageHandler,
  aigneImageSchema,
  openAIEmbeddingSchema,
  openAIEmbeddingsHandler,
  openAIImageSchema,
  openAIImagesHandler,
} from './media.js';
import { metricsRoutes } from './metrics.js';
import { modelCallRoutes } from './model-calls.js';
import { aigneModelsRoute, openAIModelsRoute, statusRoute } from './models.js';
import { TRACE_VIEWER_PATH, traceViewerRoutes } from './traces.js';
import { settingsRoutes } from './settings.js';
import { usageRoutes } from './usage.js';
import type { Endpoint, RouteEntry } from './table.js';
import { chatCompletionsHandler } from './v1/chat-completions.js';
import { aigneChatHandler } from './v2/chat.js';
import { hubChatCompletionsHandler } from './v2/chat-completions.js';

export interface RouteDeps {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  services: Services;
  gateway: Gateway;
  billing: BillingBackend;
  observability?: Pick<Observability, 'metrics' | 'tracing'>;
  /** The app's `authenticate` middleware (identifies the caller; rejects no one). */
  authenticate: RequestHandler;
  /** Resolves once the calls settled so far are written: reads of calls, usage and credits wait for it. */
  recordsSettled: () => Promise<void>;
}

export function routeTable(deps: RouteDeps): RouteEntry[] {
  const { config, services, gateway } = deps;
  const auth = requireAuth();
  const afterRecords: RequestHandler = (_req, _res, next) => void deps.recordsSettled().then(() => next(), next);
  const post = (path: string, handlers: RequestHandler[], hot = false): Endpoint => ({ method: 'post', path, handlers: [auth, ...handlers], hot });

  const entries: RouteEntry[] = [
    { method: 'get', path: '/__blocklet__.js', handlers: [blockletJs(config)] },
    { mount: '/api/health', handlers: [healthRoutes({ sequelize: deps.sequelize, version: config.version })] },
    // Every route below under /api knows its caller, if any (requireAuth and requireRole reject).
    { mount: '/api', handlers: [deps.authenticate] },

    // Model calls: OpenAI's API on /api/v1, the AIGNE framework's on /api/v2.
    post('/api/v1/chat/completions', [validateBody(openAIChatRequestSchema), chatCompletionsHandler(gateway)], true),
    post('/api/v1/embeddings', [validateBody(openAIEmbeddingSchema), openAIEmbeddingsHandler(gateway)], true),
    post('/api/v1/images/generations', [validateBody(openAIImageSchema), openAIImagesHandler(gateway)]),
    { mount: '/api/v1/models', handlers: [openAIModelsRoute(gateway)] },
    { mount: '/api/v2/status', handlers: [statusRoute(gateway)] },
    post('/api/v2/chat', [aigneChatHandler(gateway)], true),
    post('/api/v2/chat/completions', [validateBody(hubChatSchema), hubChatCompletionsHandler(gateway)], true),
    post('/api/v2/embeddings', [validateBody(aigneEmbeddingSchema), aigneEmbeddingsHandler(gateway)]),
    post('/api/v2/image', [validateBody(aigneImageSchema), aigneImageHandler(gateway)]),
    { mount: '/api/ai/models', handlers: [aigneModelsRoute(gateway)] },
    { mount: '/api/ai-providers/models', handlers: [aigneModelsRoute(gateway)] },

    // Sessions, administration, and what callers read of their own calls and credits.
    { mount: '/api/auth', handlers: [authRoutes(services)] },
    ...creditRouters({ billing: deps.billing, users: services.users }).map(({ path, router }) => ({ mount: path, handlers: [afterRecords, router] })),
    { mount: '/api/usage', handlers: [afterRecords, usageRoutes({ sequelize: deps.sequelize })] },
    { mount: '/api/model-calls', handlers: [afterRecords, modelCallRoutes({ models: services.models })] },
    { mount: '/api/ai-providers', handlers: [providerRoutes(services.providerAdmin)] },
    { mount: '/api/access-keys', handlers: [accessKeyRoutes(services.accessKeys)] },
    { mount: '/api/apps', handlers: [appRoutes(services.apps)] },
    { mount: '/api/settings', handlers: [settingsRoutes(services.settings)] },
  ];

  const { metrics, tracing } = deps.observability ?? {};
  if (metrics) entries.push({ mount: '/metrics', handlers: [metricsRoutes({ metrics, token: config.metricsToken, authenticate: deps.authenticate })] });
  if (tracing) entries.push({ mount: TRACE_VIEWER_PATH, handlers: [traceViewerRoutes({ tracing, authenticate: deps.authenticate, logger: deps.logger })] });
  return entries;
}
