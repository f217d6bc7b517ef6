/** Mounts the model-calling APIs: /api/v1 (OpenAI), /api/v2 (AIGNE) and the public model lists. */
import { Router } from 'express';
import { requireAuth } from '../middlewares/auth.js';
import { validateBody } from '../middlewares/validate.js';
import { openAIChatRequestSchema } from '../services/formats/openai-chat.js';
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

export function gatewayRouters(gateway: Gateway): { path: string; router: Router }[] {
  const v1 = Router();
  v1.use(requireAuth());
  v1.post('/chat/completions', validateBody(openAIChatRequestSchema), chatCompletionsHandler(gateway));
  v1.post('/embeddings', validateBody(openAIEmbeddingSchema), openAIEmbeddingsHandler(gateway));
  v1.post('/images/generations', validateBody(openAIImageSchema), openAIImagesHandler(gateway));
  v1.use('/models', openAIModelsRoute(gateway));

  const v2 = Router();
  v2.use('/status', statusRoute(gateway));
  v2.use(requireAuth());
  v2.post('/chat', aigneChatHandler(gateway));
  v2.post('/chat/completions', validateBody(hubChatSchema), hubChatCompletionsHandler(gateway));
  v2.post('/embeddings', validateBody(aigneEmbeddingSchema), aigneEmbeddingsHandler(gateway));
  v2.post('/image', validateBody(aigneImageSchema), aigneImageHandler(gateway));

  return [
    { path: '/api/v1', router: v1 },
    { path: '/api/v2', router: v2 },
    { path: '/api/ai/models', router: aigneModelsRoute(gateway) },
    { path: '/api/ai-providers/models', router: aigneModelsRoute(gateway) },
  ];
}
