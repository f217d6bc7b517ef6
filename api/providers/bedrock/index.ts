import { ProviderError } from '../../errors.js';
import { createAigneChatAdapter } from '../shared/aigne-chat-adapter.js';
import { intercept } from '../shared/intercept.js';
import { proxyFor } from '../shared/upstream-agent.js';
import type { ProviderModule, ProviderTarget } from '../types.js';
import { bedrockManifest } from './manifest.js';

const DEFAULT_BEDROCK_REGION = 'us-east-1';

function accessKeyPair(target: ProviderTarget): { accessKeyId: string; secretAccessKey: string } {
  const accessKeyId = target.credential.access_key_id;
  const secretAccessKey = target.credential.secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new ProviderError(`${bedrockManifest.displayName}: no access key pair is configured`, { kind: 'http', status: 401 });
  }
  return { accessKeyId, secretAccessKey };
}

export function bedrockRegionOf(target: ProviderTarget): string {
  const fromConfig = target.config?.region;
  return target.region || (typeof fromConfig === 'string' && fromConfig) || DEFAULT_BEDROCK_REGION;
}

/** The AWS SDK connects through node:https, not undici: through the proxy, if any, with a tunnelling agent. */
async function bedrockRequestHandler(endpoint: string): Promise<object | undefined> {
  const proxy = proxyFor(endpoint);
  if (!proxy) return undefined;
  const [{ NodeHttpHandler }, { HttpsProxyAgent }] = await Promise.all([import('@smithy/node-http-handler'), import('https-proxy-agent')]);
  let agent = tunnels.get(proxy);
  if (!agent) tunnels.set(proxy, (agent = new HttpsProxyAgent(proxy, { keepAlive: true })));
  return { requestHandler: new NodeHttpHandler({ httpAgent: agent, httpsAgent: agent }) };
}
const tunnels = new Map<string, import('https-proxy-agent').HttpsProxyAgent<string>>();

export const bedrockProvider: ProviderModule = {
  manifest: bedrockManifest,
  adapter: {
    chat: createAigneChatAdapter({
      manifest: bedrockManifest,
      createModel: async ({ req, target, signal }) => {
        const { BedrockChatModel } = await import('@aigne/bedrock');
        const credentials = accessKeyPair(target);
        const region = bedrockRegionOf(target);
        const model = new BedrockChatModel({
          ...credentials,
          region,
          model: req.model,
          clientOptions: {
            region,
            credentials,
            maxAttempts: 1,
            ...(target.baseUrl ? { endpoint: target.baseUrl } : {}),
            ...(await bedrockRequestHandler(target.baseUrl || `https://bedrock-runtime.${region}.amazonaws.com`)),
          },
          retryOnError: false,
        });
        const inference: Record<string, unknown> = {};
        if (req.maxTokens !== undefined) inference.maxTokens = req.maxTokens;
        if (req.stop?.length) inference.stopSequences = req.stop;
        intercept(model.client, 'send', (send) => (command: { input: { inferenceConfig?: object } }, options?: object) => {
          command.input.inferenceConfig = { ...command.input.inferenceConfig, ...inference };
          return send(command, { ...options, abortSignal: signal });
        });
        return model;
      },
    }),
  },
};
