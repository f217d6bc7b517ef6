/** The shared start of both AIGNE-format chat routes: checks, call begin, failover to the first event. */
import type { Request, Response } from 'express';
import { aigneImageUrls, fromAigneChatInput, type AigneChatInput } from '../../services/formats/aigne-chat.js';
import { assertFetchableImageUrls } from '../../services/formats/image-urls.js';
import { estimateTokens } from '../../services/formats/openai-chat.js';
import { openChatEvents, type OpenedEvents } from '../../services/gateway/chat-events.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { ModelCall } from '../../services/gateway/model-call.js';

export interface OpenedAigneChat {
  call: ModelCall;
  opened: OpenedEvents;
  inputEstimate: number;
}

export async function openAigneChat(gateway: Gateway, req: Request, res: Response, input: AigneChatInput, model: string, stream: boolean): Promise<OpenedAigneChat> {
  const imageUrls = aigneImageUrls(input.messages);
  if (imageUrls.length) await assertFetchableImageUrls(imageUrls);
  const inputEstimate = estimateTokens(input.messages);
  const call = await gateway.begin(req, res, {
    model,
    type: 'chatCompletion',
    stream,
    maxOutputTokens: input.modelOptions?.maxTokens ?? undefined,
    estimatedInputTokens: inputEstimate,
  });
  try {
    const { value: opened } = await call.run((attempt) => openChatEvents(attempt, (m) => fromAigneChatInput(input, m)));
    return { call, opened, inputEstimate };
  } catch (err) {
    await call.fail(err);
    throw err;
  }
}
