/**
 * The AIGNE instance and HTTP server that relay /api/v2/chat calls. Loaded on the route's first
 * call: @aigne/core and @aigne/transport then stay out of a hub that never serves the route.
 */
import { AIGNE } from '@aigne/core';
import { AIGNEHTTPServer } from '@aigne/transport/http-server/index.js';
import { HubChatModel } from './hub-chat-model.js';

/**
 * The relay must not start its own observer: the hub traces every call itself, and the default
 * observer would write spans (message contents included) to the home directory. AIGNE reads its
 * switch from the environment only while it is being constructed.
 */
export function createRelayServer(): AIGNEHTTPServer {
  const previous = process.env.AIGNE_OBSERVABILITY_DISABLED;
  process.env.AIGNE_OBSERVABILITY_DISABLED = 'true';
  try {
    return new AIGNEHTTPServer(new AIGNE({ model: new HubChatModel() }));
  } finally {
    if (previous === undefined) delete process.env.AIGNE_OBSERVABILITY_DISABLED;
    else process.env.AIGNE_OBSERVABILITY_DISABLED = previous;
  }
}
