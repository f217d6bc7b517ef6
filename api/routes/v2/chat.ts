/** POST /api/v2/chat — the @aigne/transport protocol, served by AIGNEHTTPServer. */
import { AIGNE } from '@aigne/core';
import { AIGNEHTTPServer } from '@aigne/transport/http-server/index.js';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../../errors.js';
import { describeZodError } from '../../middlewares/validate.js';
import { aigneChatInputSchema } from '../../services/formats/aigne-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import { HUB_CALL_KEY, HubChatModel, pendingHubCalls } from './hub-chat-model.js';
import { openAigneChat } from './open-aigne-chat.js';

const payloadSchema = z
  .object({
    agent: z.literal('$CHAT_MODEL', { errorMap: () => ({ message: "agent must be '$CHAT_MODEL'" }) }),
    input: aigneChatInputSchema,
    options: z.object({ streaming: z.boolean().nullish() }).passthrough().nullish(),
  })
  .passthrough();

/**
 * The AIGNE instance that relays calls. It must not start its own observer: the hub traces every
 * call itself, and the default observer would write spans (message contents included) to the home
 * directory. AIGNE reads its switch from the environment only while it is being constructed.
 */
function createRelayAigne(): AIGNE {
  const previous = process.env.AIGNE_OBSERVABILITY_DISABLED;
  process.env.AIGNE_OBSERVABILITY_DISABLED = 'true';
  try {
    return new AIGNE({ model: new HubChatModel() });
  } finally {
    if (previous === undefined) delete process.env.AIGNE_OBSERVABILITY_DISABLED;
    else process.env.AIGNE_OBSERVABILITY_DISABLED = previous;
  }
}

export function aigneChatHandler(gateway: Gateway, defaultModel?: string) {
  const aigne = createRelayAigne();
  const server = new AIGNEHTTPServer(aigne);
  return async (req: Request, res: Response) => {
    const parsed = payloadSchema.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError(describeZodError(parsed.error));
    const { input, options } = parsed.data;
    const model = input.modelOptions?.model ?? defaultModel;
    if (!model) throw new BadRequestError('input.modelOptions.model is required');
    const { call, opened, inputEstimate } = await openAigneChat(gateway, req, res, input, model, Boolean(options?.streaming));
    pendingHubCalls.set(call.record.id, { call, opened, clientModel: model, inputEstimate, estimateOutput: (n) => Math.ceil(n / 4) });
    try {
      await server.invoke(req, res, { userContext: { [HUB_CALL_KEY]: call.record.id } });
    } finally {
      if (pendingHubCalls.delete(call.record.id)) await call.fail(new Error('The request ended before the answer was relayed'));
    }
  };
}
