/**
 * The `$CHAT_MODEL` agent behind /api/v2/chat. The route has already opened the upstream stream
 * (with routing, failover and billing); this model relays its events as AIGNE chunks and settles
 * the call when the stream ends.
 */
import { ChatModel, type AgentInvokeOptions, type ChatModelInput } from '@aigne/core';
import { z } from 'zod';
import { toAigneChunk } from '../../services/formats/aigne-chat.js';
import { eventsOf } from '../../services/gateway/open-chat.js';
import { HUB_CALL_KEY, pendingHubCalls } from './pending-hub-calls.js';

/** Any object: what the relay's input is checked against. */
const ANY_INPUT = z.object({}).passthrough();

export class HubChatModel extends ChatModel {
  constructor() {
    super({ name: 'AIGNEHub', retryOnError: false });
  }

  /**
   * The route has already checked the input (`aigneChatInputSchema`) and this model reads none of
   * it: the framework's own check of every message would only repeat that, at a cost.
   */
  override get inputSchema() {
    return ANY_INPUT as unknown as ChatModel['inputSchema'];
  }

  override async *process(_input: ChatModelInput, options: AgentInvokeOptions) {
    const id = (options.context.userContext as Record<string, unknown>)?.[HUB_CALL_KEY];
    const pending = typeof id === 'string' ? pendingHubCalls.get(id) : undefined;
    if (!pending) throw new Error('No upstream call is associated with this request');
    pendingHubCalls.delete(id as string);
    const { call, opened, clientModel } = pending;
    let textLength = 0;
    try {
      yield { delta: { json: { model: clientModel } } } as never;
      for await (const event of eventsOf(opened)) {
        if (event.type === 'usage') call.setUsage(event.usage);
        if (event.type === 'text') textLength += event.text.length;
        if (event.type === 'model') continue;
        const chunk = toAigneChunk(event, clientModel);
        if (chunk) {
          call.markFirstByte();
          yield chunk as never;
        }
      }
      if (!call.hasUsage) {
        call.setUsage({ inputTokens: pending.inputEstimate, outputTokens: pending.estimateOutput(textLength) }, true);
        yield { delta: { json: { usage: { inputTokens: call.record.usage.inputTokens, outputTokens: call.record.usage.outputTokens } } } } as never;
      }
      await call.succeed();
    } catch (err) {
      // Cut short: what was produced so far is charged, as on every relayed stream.
      if (!call.hasUsage) call.setUsage({ inputTokens: pending.inputEstimate, outputTokens: pending.estimateOutput(textLength) }, true);
      await call.fail(err);
      throw err;
    }
  }
}
