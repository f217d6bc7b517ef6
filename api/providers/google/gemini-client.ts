import type { GoogleGenAI } from '@google/genai';
import { intercept } from '../shared/intercept.js';
import { sdkFetch } from '../shared/sdk-fetch.js';
import { baseUrlOf, requireApiKey } from '../shared/target.js';
import type { ProviderTarget } from '../types.js';
import { googleManifest } from './manifest.js';

/** GoogleGenAI options that keep it on the Gemini API at the target's URL, never reading the environment. */
export function geminiClientOptions(target: ProviderTarget) {
  return {
    apiKey: requireApiKey(target, googleManifest),
    vertexai: false,
    httpOptions: { baseUrl: baseUrlOf(target, googleManifest) },
  };
}

/** Add `abortSignal` (and extra config) to every request the client's `models` module makes. */
export function interceptGeminiModels(client: GoogleGenAI, signal: AbortSignal, config: Record<string, unknown> = {}): void {
  for (const method of ['generateContent', 'generateContentStream', 'generateImages', 'embedContent']) {
    intercept(client.models, method, (original) => (params: { config?: object }) =>
      original({ ...params, config: { ...params.config, ...config, abortSignal: signal } }),
    );
  }
}

/** Loads @google/genai on first use. */
export async function createGeminiClient(target: ProviderTarget, signal: AbortSignal): Promise<GoogleGenAI> {
  const { GoogleGenAI } = await import('@google/genai');
  const client = new GoogleGenAI(geminiClientOptions(target));
  // @google/genai calls the global fetch and takes no other: its one fetching method goes to the shared pool.
  intercept((client as unknown as { apiClient: object }).apiClient, 'apiCall', () => (url: string, init: RequestInit) => sdkFetch(url, init));
  interceptGeminiModels(client, signal);
  return client;
}
