/** Calls the /api/v2/chat route hands to the relay's chat model, by id. No @aigne imports here. */
import type { OpenedEvents } from '../../services/gateway/open-chat.js';
import type { ModelCall } from '../../services/gateway/model-call.js';

export interface PendingHubCall {
  call: ModelCall;
  opened: OpenedEvents;
  clientModel: string;
  estimateOutput(text: number): number;
  inputEstimate: number;
}

/** Calls handed from the route to the model, by id (userContext carries only the id). */
export const pendingHubCalls = new Map<string, PendingHubCall>();

export const HUB_CALL_KEY = 'aigneHubCallId';
