/** Mounts the model-calling APIs: /api/v1 (OpenAI), /api/v2 (AIGNE) and the public model lists. */
import { Router, type RequestHandler } from 'express';
import { requireAuth } from '../middlewares/auth.js';
import type { HotRoute } from '../middlewares/hot-path.js';
import { validateBody } from '../middlewares/validate.js';
import { openAIChatRequestSchema } from '../services/formats/openai-chat.js';
import { isPlainChatRequest } from '../services/formats/plain-chat-request.js';
import type { Gateway } from '../services/gateway/gateway.js';
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
import { aigneModelsRoute, openAIModelsRoute, statusRoute } from './models.js';
import { chatCompletionsHandler } from './v1/chat-completions.js';
import { aigneChatHandler } from './v2/chat.js';
import { hubChatCompletionsHandler, hubChatSchema } from './v2/chat-completions.js';

export interface GatewayRouter {
  path: string;
  router: Router;
  /** The same routes, served ahead of the generic stack (see hot-path.ts). */
  hot?: HotRoute[];
}

export function gatewayRouters(gateway: Gateway): GatewayRouter[] {
  const auth = requireAuth();
  const v1Chat: RequestHandler[] = [validateBody(openAIChatRequestSchema, isPlainChatRequest), chatCompletionsHandler(gateway)];
  const v1Embeddings: RequestHandler[] = [validateBody(openAIEmbeddingSchema), openAIEmbeddingsHandler(gateway)];
  const v2Chat: RequestHandler[] = [validateBody(hubChatSchema), hubChatCompletionsHandler(gateway)];
  const v2AigneChat = aigneChatHandler(gateway);

  const v1 = Router();
  v1.use(auth);
  v1.post('/chat/completions', ...v1Chat);
  v1.post('/embeddings', ...v1Embeddings);
  v1.post('/images/generations', validateBody(openAIImageSchema), openAIImagesHandler(gateway));
  v1.use('/models', openAIModelsRoute(gateway));

  const v2 = Router();
  v2.use('/status', statusRoute(gateway));
  v2.use(auth);
  v2.post('/chat', v2AigneChat);
  v2.post('/chat/completions', ...v2Chat);
  v2.post('/embeddings', validateBody(aigneEmbeddingSchema), aigneEmbeddingsHandler(gateway));
  v2.post('/image', validateBody(aigneImageSchema), aigneImageHandler(gateway));

  return [
    {
      path: '/api/v1',
      router: v1,
      hot: [
        { method: 'POST', path: '/api/v1/chat/completions', handlers: [auth, ...v1Chat] },
        { method: 'POST', path: '/api/v1/embeddings', handlers: [auth, ...v1Embeddings] },
      ],
    },
    {
      path: '/api/v2',
      router: v2,
      hot: [
        { method: 'POST', path: '/api/v2/chat', handlers: [auth, v2AigneChat] },
        { method: 'POST', path: '/api/v2/chat/completions', handlers: [auth, ...v2Chat] },
      ],
    },
    { path: '/api/ai/models', router: aigneModelsRoute(gateway) },
    { path: '/api/ai-providers/models', router: aigneModelsRoute(gateway) },
  ];
}
