/** POST /api/v2/chat/completions — the hub's own camelCase chat format. */
import type { Request, Response } from 'express';
import { aigneImageUrls } from '../../services/formats/aigne-chat.js';
import { estimateTokens } from '../../services/formats/chat-answer.js';
import { fromHubChatRequest, hubChatAnswer, type HubChatRequest } from '../../services/formats/hub-chat.js';
import { translatedOpenAIWire } from '../../services/formats/openai-chat-events.js';
import { answerChat } from '../../services/gateway/answer-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { openChat } from '../../services/gateway/open-chat.js';

/** `viaModelClasses`: every provider through its adapter, the OpenAI wire's too (as /api/v2/chat). */
export function hubChatCompletionsHandler(gateway: Gateway, options: { viaModelClasses?: boolean } = {}) {
  return async (req: Request, res: Response) => {
    const body = req.body as HubChatRequest;
    const stream = Boolean(body.stream) || String(req.headers.accept ?? '').includes('text/event-stream');
    await gateway.checkImageUrls(aigneImageUrls(body.messages));
    const inputEstimate = estimateTokens(body.messages);
    const call = await gateway.begin(req, res, { model: body.model, type: 'chatCompletion', stream, maxOutputTokens: body.maxTokens ?? undefined, estimatedInputTokens: inputEstimate });
    const answer = hubChatAnswer(body.model);
    const chatRequest = (m: string) => fromHubChatRequest(body, m);
    const sameWire = options.viaModelClasses ? undefined : translatedOpenAIWire(chatRequest, answer, stream);
    const opened = await call.open((attempt) => openChat(attempt, { stream, chatRequest, sameWire }));
    await answerChat(call, res, opened, answer, inputEstimate);
  };
}
