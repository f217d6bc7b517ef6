/** POST /api/v2/chat/completions — the hub's own camelCase chat format. */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { sendJson } from '../../lib/json-response.js';
import { sseData, startSse, writeWithBackpressure } from '../../lib/sse.js';
import { finishWithError } from '../../middlewares/error-handler.js';
import { aigneChatInputSchema } from '../../services/formats/aigne-chat.js';
import { ChatAccumulator, estimateTokens } from '../../services/formats/openai-chat.js';
import { eventsOf } from '../../services/gateway/chat-events.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { openAigneChat } from './open-aigne-chat.js';

export const hubChatSchema = z
  .object({
    model: z.string().trim().min(1).max(200),
    messages: aigneChatInputSchema.shape.messages,
    temperature: z.number().min(0).max(2).nullish(),
    topP: z.number().min(0).max(1).nullish(),
    maxTokens: z.number().int().positive().nullish(),
    tools: aigneChatInputSchema.shape.tools,
    toolChoice: aigneChatInputSchema.shape.toolChoice,
    responseFormat: aigneChatInputSchema.shape.responseFormat,
    stream: z.boolean().nullish(),
  })
  .passthrough();

export function hubChatCompletionsHandler(gateway: Gateway) {
  return async (req: Request, res: Response) => {
    const body = req.body as z.infer<typeof hubChatSchema>;
    const stream = Boolean(body.stream) || String(req.headers.accept ?? '').includes('text/event-stream');
    const input = {
      messages: body.messages,
      tools: body.tools,
      toolChoice: body.toolChoice,
      responseFormat: body.responseFormat,
      modelOptions: { model: body.model, temperature: body.temperature, topP: body.topP, maxTokens: body.maxTokens },
    };
    const { call, opened, inputEstimate } = await openAigneChat(gateway, req, res, input, body.model, stream);
    try {
      const acc = new ChatAccumulator();
      if (stream) {
        startSse(res);
        call.markFirstByte();
      }
      for await (const event of eventsOf(opened)) {
        acc.add(event);
        if (!stream) continue;
        const delta =
          event.type === 'text' ? { content: event.text } : event.type === 'toolCalls' ? { toolCalls: event.toolCalls } : event.type === 'json' ? { content: JSON.stringify(event.json) } : null;
        if (delta) {
          const pending = writeWithBackpressure(res, sseData({ delta }));
          if (pending) await pending;
        }
      }
      if (acc.usage) call.setUsage(acc.usage);
      else call.setUsage({ inputTokens: inputEstimate, outputTokens: estimateTokens(acc.text) }, true);
      const usage = { inputTokens: call.record.usage.inputTokens, outputTokens: call.record.usage.outputTokens };
      await call.succeed();
      if (stream) {
        res.end(sseData({ usage }));
        return;
      }
      call.markFirstByte();
      sendJson(res, { role: 'assistant', text: acc.content ?? '', content: acc.content ?? '', toolCalls: acc.toolCalls.length ? acc.toolCalls : undefined, ...(acc.json !== undefined ? { json: acc.json } : {}), usage, model: body.model });
    } catch (err) {
      await call.fail(err);
      finishWithError(res, err);
    }
  };
}
