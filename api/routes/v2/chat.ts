/** POST /api/v2/chat — the @aigne/transport protocol, served by AIGNEHTTPServer. */
import type { Request, Response } from 'express';
import { z } from 'zod/v4';
import { BadRequestError } from '../../errors.js';
import { describeZodError } from '../../middlewares/validate.js';
import { aigneChatInputSchema } from '../../services/formats/aigne-chat.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { createRelayServer } from './aigne-relay.js';
import { HUB_CALL_KEY, pendingHubCalls } from './pending-hub-calls.js';
import { openAigneChat } from './open-aigne-chat.js';

const payloadSchema = z
  .object({
    agent: z.literal('$CHAT_MODEL', { error: "agent must be '$CHAT_MODEL'" }),
    input: aigneChatInputSchema,
    options: z.object({ streaming: z.boolean().nullish() }).passthrough().nullish(),
  })
  .passthrough();

export function aigneChatHandler(gateway: Gateway, defaultModel?: string) {
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
    const server = await relayServer();
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
