/** POST /api/v1/chat/completions — the OpenAI Chat Completions API over every provider. */
import type { Request, Response } from 'express';
import { estimateTokens } from '../../services/formats/chat-answer.js';
import { openAIChatAnswer } from '../../services/formats/openai-chat-answer.js';
import { fromOpenAIChatRequest, openAIImageUrls, toOpenAIRelayBody, type OpenAIChatRequest } from '../../services/formats/openai-chat.js';
import { answerChat } from '../../services/gateway/answer-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { openChat } from '../../services/gateway/open-chat.js';

export function chatCompletionsHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as OpenAIChatRequest;
    const stream = Boolean(body.stream);
    await gateway.checkImageUrls(openAIImageUrls(body));
    const inputEstimate = estimateTokens(body.messages);
    const call = await gateway.begin(req, res, {
      model: body.model,
      type: 'chatCompletion',
      stream,
      maxOutputTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
      estimatedInputTokens: inputEstimate,
    });
    const answer = openAIChatAnswer({ id: `chatcmpl-${call.record.id}`, model: body.model, includeUsage: Boolean(body.stream_options?.include_usage) });
    const opened = await call.open((attempt) =>
      openChat(attempt, {
        stream,
        chatRequest: (m) => fromOpenAIChatRequest(body, m),
        sameWire: { wire: 'openai-chat', body: (m) => toOpenAIRelayBody(body, m, stream), relay: answer.relay! },
      }),
    );
    await answerChat(call, res, opened, answer, inputEstimate);
  };
}
