/** POST /api/v1/messages (+ count_tokens) — the Anthropic Messages API over every provider (API.md §10). */
import type { Request, Response } from 'express';
import { sendJson } from '../../lib/json-response.js';
import { anthropicMessagesAnswer } from '../../services/formats/anthropic-messages-answer.js';
import {
  anthropicImageUrls,
  anthropicPassHeaders,
  fromAnthropicMessages,
  type AnthropicCountTokensRequest,
  type AnthropicMessagesRequest,
} from '../../services/formats/anthropic-messages.js';
import { estimateTokens } from '../../services/formats/chat-answer.js';
import { answerChat } from '../../services/gateway/answer-chat.js';
import { countInputTokens } from '../../services/gateway/count-tokens.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { openChat } from '../../services/gateway/open-chat.js';

export function messagesHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as AnthropicMessagesRequest;
    const stream = Boolean(body.stream);
    await gateway.checkImageUrls(anthropicImageUrls(body));
    const inputEstimate = estimateTokens([body.system, body.messages]);
    const call = await gateway.begin(req, res, { model: body.model, type: 'chatCompletion', stream, maxOutputTokens: body.max_tokens, estimatedInputTokens: inputEstimate });
    const answer = anthropicMessagesAnswer({ id: `msg_${call.record.id}`, model: body.model });
    const headers = anthropicPassHeaders(req.headers);
    const opened = await call.open((attempt) =>
      openChat(attempt, {
        stream,
        chatRequest: (m) => fromAnthropicMessages(body, m),
        sameWire: { wire: 'anthropic-messages', body: (m) => ({ ...body, model: m }), headers, relay: answer.relay! },
      }),
    );
    await answerChat(call, res, opened, answer, inputEstimate);
  };
}

/** POST /api/v1/messages/count_tokens → `{"input_tokens"}`. */
export function countTokensHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as AnthropicCountTokensRequest;
    const { max_tokens: _max, ...rest } = body;
    // Counting asks the provider with the hub's credentials: a key's limits apply to it as to a call.
    const headers = await gateway.admitRequest(req, body.model);
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    const inputTokens = await countInputTokens(gateway, {
      model: body.model,
      wire: 'anthropic-count-tokens',
      body: (m) => ({ ...rest, model: m }),
      headers: anthropicPassHeaders(req.headers),
      estimate: estimateTokens([body.system, body.messages, body.tools]),
    });
    sendJson(res, { input_tokens: inputTokens });
  };
}
