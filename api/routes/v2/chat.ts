/**
 * POST /api/v2/chat — the @aigne/transport protocol. Providers on the OpenAI wire answer through the
 * relay /api/v1 uses, read into the transport's events; the others through AIGNEHTTPServer.
 */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { BadRequestError } from '../../errors.js';
import { useErrorFormat } from '../../middlewares/error-handler.js';
import { describeZodError } from '../../middlewares/validate.js';
import { aigneErrors } from '../../services/formats/aigne-chat-answer.js';
import { aigneChatInputSchema } from '../../services/formats/aigne-chat.js';
import { answerChat } from '../../services/gateway/answer-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { createRelayServer } from './aigne-relay.js';
import { HUB_CALL_KEY, pendingHubCalls } from './pending-hub-calls.js';
import { adapterEvents, openAigneChat } from './open-aigne-chat.js';

const payloadSchema = z
  .object({
    agent: z.literal('$CHAT_MODEL', { error: "agent must be '$CHAT_MODEL'" }),
    input: aigneChatInputSchema,
    options: z.object({ streaming: z.boolean().nullish() }).passthrough().nullish(),
  })
  .passthrough();

export interface AigneChatOptions {
  defaultModel?: string;
  /** Every provider through the model classes (config `V2_CHAT_VIA_MODEL_CLASSES`). */
  viaModelClasses?: boolean;
}

export function aigneChatHandler(gateway: Gateway, options: AigneChatOptions = {}) {
  let relay: Promise<ReturnType<typeof createRelayServer>> | undefined;
  const relayServer = () =>
    (relay ??= import('./aigne-relay.js').then(
      (m) => m.createRelayServer(),
      (err: unknown) => {
        relay = undefined;
        throw err;
      },
    ));
  return async (req: Request, res: Response) => {
    const parsed = payloadSchema.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError(describeZodError(parsed.error, req.body));
    const { input, options: invokeOptions } = parsed.data;
    const model = input.modelOptions?.model ?? options.defaultModel;
    if (!model) throw new BadRequestError('input.modelOptions.model is required');
    const { call, opened, answer, inputEstimate } = await openAigneChat(gateway, req, res, input, model, Boolean(invokeOptions?.streaming), Boolean(options.viaModelClasses));
    if (opened.kind === 'relay-stream' || opened.kind === 'relay-whole') {
      useErrorFormat(res, aigneErrors);
      await answerChat(call, res, opened, answer, inputEstimate);
      return;
    }
    pendingHubCalls.set(call.record.id, { call, opened: adapterEvents(opened), clientModel: model, inputEstimate, estimateOutput: (n) => Math.ceil(n / 4) });
    try {
      const server = await relayServer();
      await server.invoke(req, res, { userContext: { [HUB_CALL_KEY]: call.record.id } });
    } finally {
      if (pendingHubCalls.delete(call.record.id)) await call.fail(new Error('The request ended before the answer was relayed'));
    }
  };
}
