/** The start of an /api/v2/chat call: checks, call begin, failover to the first event. */
import type { Request, Response } from 'express';
import { aigneImageUrls, fromAigneChatInput, type AigneChatInput } from '../../services/formats/aigne-chat.js';
import { estimateTokens } from '../../services/formats/chat-answer.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { ModelCall } from '../../services/gateway/model-call.js';
import { openChat, type OpenedEvents } from '../../services/gateway/open-chat.js';

export interface OpenedAigneChat {
  call: ModelCall;
  opened: OpenedEvents;
  inputEstimate: number;
}

/** Events already read whole, as an opened stream. */
function replay(events: OpenedEvents['first']['value'][]): OpenedEvents {
  const iterator = events[Symbol.iterator]();
  return { first: iterator.next(), iterator: { next: async () => iterator.next() } };
}

export async function openAigneChat(gateway: Gateway, req: Request, res: Response, input: AigneChatInput, model: string, stream: boolean): Promise<OpenedAigneChat> {
  await gateway.checkImageUrls(aigneImageUrls(input.messages));
  const inputEstimate = estimateTokens(input.messages);
  const call = await gateway.begin(req, res, { model, type: 'chatCompletion', stream, maxOutputTokens: input.modelOptions?.maxTokens ?? undefined, estimatedInputTokens: inputEstimate });
  const opened = await call.open((attempt) => openChat(attempt, { stream, chatRequest: (m) => fromAigneChatInput(input, m) }));
  return { call, opened: opened.kind === 'events-stream' ? opened.opened : replay(opened.kind === 'events-whole' ? opened.events : []), inputEstimate };
}
