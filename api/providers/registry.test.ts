import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findProvidersForModel, getProviderModule, listProviderManifests, providerRegistry } from './registry.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('provider registry', () => {
  it('lists every provider folder exactly once, with the folder name as id', () => {
    const folders = readdirSync(here).filter((f) => f !== 'shared' && statSync(join(here, f)).isDirectory());
    const ids = providerRegistry.map((p) => p.manifest.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...folders].sort());
    expect(ids).toEqual([
      'openai',
      'anthropic',
      'google',
      'deepseek',
      'xai',
      'openrouter',
      'ollama',
      'bedrock',
      'doubao',
      'poe',
      'ideogram',
      'openai-compatible',
    ]);
  });

  it('finds modules by id and lists manifests in order', () => {
    expect(getProviderModule('anthropic')?.manifest.displayName).toBe('Anthropic');
    expect(getProviderModule('nope')).toBeUndefined();
    expect(listProviderManifests().map((m) => m.id)).toEqual(providerRegistry.map((p) => p.manifest.id));
  });

  it('every adapter function matches a declared capability', () => {
    for (const { manifest, adapter } of providerRegistry) {
      expect(Boolean(adapter.chat), `${manifest.id} chat`).toBe(manifest.capabilities.includes('chat'));
      expect(Boolean(adapter.embed), `${manifest.id} embed`).toBe(manifest.capabilities.includes('embedding'));
      expect(Boolean(adapter.image), `${manifest.id} image`).toBe(manifest.capabilities.includes('image'));
      expect(Boolean(adapter.transcribe && adapter.speech), `${manifest.id} audio`).toBe(manifest.capabilities.includes('audio'));
      expect(Boolean(adapter.video), `${manifest.id} video`).toBe(manifest.capabilities.includes('video'));
      if (adapter.chat && manifest.credentialType === 'api_key') expect(manifest.credentialFields.map((f) => f.key)).toContain('api_key');
    }
  });

  it('default base URLs follow API.md §5 (version path for the OpenAI family only)', () => {
    const url = (id: string) => getProviderModule(id)!.manifest.defaultBaseUrl;
    expect(url('openai')).toBe('https://api.openai.com/v1');
    expect(url('deepseek')).toBe('https://api.deepseek.com/v1');
    expect(url('ollama')).toBe('http://localhost:11434/v1');
    expect(url('anthropic')).toBe('https://api.anthropic.com');
    expect(url('google')).toBe('https://generativelanguage.googleapis.com');
    expect(getProviderModule('openai-compatible')!.manifest).toMatchObject({ requiresBaseUrl: true, credentialOptional: true });
    for (const m of listProviderManifests()) {
      if (getProviderModule(m.id)?.adapter.wires?.["openai-chat"] && m.defaultBaseUrl) expect(m.defaultBaseUrl, m.id).toMatch(/\/(v1|api\/v3)$/);
      if (!m.requiresBaseUrl && m.id !== 'bedrock') expect(m.defaultBaseUrl, m.id).toBeTruthy();
    }
  });

  it('declares the environment fallbacks', () => {
    expect(getProviderModule('openai')!.manifest.env).toEqual({ apiKey: 'OPENAI_API_KEY', baseUrl: 'OPENAI_BASE_URL' });
    expect(getProviderModule('anthropic')!.manifest.env).toEqual({ apiKey: 'ANTHROPIC_API_KEY', baseUrl: 'ANTHROPIC_BASE_URL' });
    expect(getProviderModule('google')!.manifest.env?.apiKey).toBe('GEMINI_API_KEY');
    expect(getProviderModule('deepseek')!.manifest.env?.apiKey).toBe('DEEPSEEK_API_KEY');
    expect(getProviderModule('xai')!.manifest.env?.apiKey).toBe('XAI_API_KEY');
    expect(getProviderModule('openrouter')!.manifest.env?.apiKey).toBe('OPEN_ROUTER_API_KEY');
    expect(getProviderModule('ollama')!.manifest.env?.baseUrl).toBe('OLLAMA_BASE_URL');
    expect(getProviderModule('bedrock')!.manifest.env).toMatchObject({ accessKeyId: 'AWS_ACCESS_KEY_ID', secretAccessKey: 'AWS_SECRET_ACCESS_KEY' });
  });

  it('routes bare model names by pattern', () => {
    const ids = (model: string) => findProvidersForModel(model).map((m) => m.id);
    expect(ids('gpt-4o-mini')).toEqual(['openai']);
    expect(ids('o3-mini')).toEqual(['openai']);
    expect(ids('text-embedding-3-small')).toEqual(['openai']);
    expect(ids('claude-sonnet-4-5')).toEqual(['anthropic']);
    expect(ids('gemini-2.5-flash')).toEqual(['google']);
    expect(ids('deepseek-chat')).toEqual(['deepseek']);
    expect(ids('grok-3')).toEqual(['xai']);
    expect(ids('llama3.2:1b')).toEqual(['ollama']);
    expect(ids('us.amazon.nova-lite-v1:0')).toEqual(['bedrock']);
    expect(ids('doubao-seed-1-6-250615')).toEqual(['doubao']);
    expect(ids('ideogram-v3')).toEqual(['ideogram']);
    expect(ids('meta-llama/llama-3.1-8b-instruct')).toEqual(['openrouter']);
    expect(ids('unknown-model')).toEqual([]);
  });
});
