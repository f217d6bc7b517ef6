/** The start of an /api/v2/chat call: checks, call begin, failover to the first event. */
import type { Request, Response } from 'express';
import { aigneChatAnswer } from '../../services/formats/aigne-chat-answer.js';
import { aigneImageUrls, fromAigneChatInput, type AigneChatInput } from '../../services/formats/aigne-chat.js';
import { estimateTokens, type ChatAnswer } from '../../services/formats/chat-answer.js';
import { translatedOpenAIWire } from '../../services/formats/openai-chat-events.js';
import type { Gateway } from '../../services/gateway/gateway.js';
import type { ModelCall } from '../../services/gateway/model-call.js';
import { openChat, type OpenedChat, type OpenedEvents } from '../../services/gateway/open-chat.js';

export interface OpenedAigneChat {
  call: ModelCall;
  opened: OpenedChat;
  /** The answer's writer, for an upstream answer read on the OpenAI wire. */
  answer: ChatAnswer;
  inputEstimate: number;
}

/** The events of an answer from the provider's adapter, as a stream (those read whole replayed). */
export function adapterEvents(opened: OpenedChat): OpenedEvents {
  if (opened.kind === 'events-stream') return opened.opened;
  const iterator = (opened.kind === 'events-whole' ? opened.events : [])[Symbol.iterator]();
  return { first: iterator.next(), iterator: { next: async () => iterator.next() } };
}

/**
 * `viaModelClasses`: every provider answers through its adapter (the model classes), as for
 * providers without the OpenAI wire; otherwise those with it get the request on that wire.
 */
export async function openAigneChat(gateway: Gateway, req: Request, res: Response, input: AigneChatInput, model: string, stream: boolean, viaModelClasses: boolean): Promise<OpenedAigneChat> {
  await gateway.checkImageUrls(aigneImageUrls(input.messages));
  const inputEstimate = estimateTokens(input.messages);
  const call = await gateway.begin(req, res, { model, type: 'chatCompletion', stream, maxOutputTokens: input.modelOptions?.maxTokens ?? undefined, estimatedInputTokens: inputEstimate });
  const answer = aigneChatAnswer(model);
  const chatRequest = (m: string) => fromAigneChatInput(input, m);
  const sameWire = viaModelClasses ? undefined : translatedOpenAIWire(chatRequest, answer, stream);
  const opened = await call.open((attempt) => openChat(attempt, { stream, chatRequest, sameWire }));
  return { call, opened, answer, inputEstimate };
}
