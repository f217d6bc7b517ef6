export { startFakeUpstream } from './server.js';
export { routeFor, credentialOf } from './routing.js';
export { countWords, echoReply, embeddingFor, splitReply, valueFromSchema, TINY_PNG_BASE64 } from './content.js';
export { eventStreamMessage } from './bedrock.js';
export type {
  FakeBehaviour,
  FakeDefaults,
  FakeFault,
  FakeProtocol,
  FakeToolCall,
  FakeUpstream,
  RecordedRequest,
  StartFakeUpstreamOptions,
} from './types.js';
