/**
 * The routing table: a cached snapshot of enabled providers, their decrypted credentials and model
 * rates, rebuilt when an admin changes them (and every few seconds, for other instances' changes).
 * `resolve(model, type)` turns a client's model string into the ordered list of candidates.
 */
import { ModelNotFoundError, NoAvailableProviderError } from '../../errors.js';
import { getProviderModule, listProviderManifests } from '../../providers/registry.js';
import type { Capability, ProviderManifest, ProviderModule, ProviderTarget } from '../../providers/types.js';
import type { Models } from '../../store/models/index.js';
import type { RateType } from '../../store/models/ai-model-rate.js';
import { credentialStatus } from '../providers/views.js';
import { isEligible, type CredentialState } from './credential-pool.js';

export interface RateInfo {
  id: string;
  model: string;
  type: RateType;
  inputRate: string;
  outputRate: string;
  cacheReadRate: string | null;
  cacheWriteRate: string | null;
  modelMetadata: Record<string, unknown> | null;
}

export interface ProviderEntry {
  id: string;
  name: string;
  displayName: string;
  rank: number;
  enabled: boolean;
  manifest: ProviderManifest;
  module: ProviderModule;
  baseUrl?: string;
  region?: string;
  config?: Record<string, unknown>;
  credentials: CredentialState[];
  /** Decrypted values by credential id; never serialized. */
  secrets: Map<string, Record<string, string>>;
  /** `${type}:${model}` → rate. */
  rates: Map<string, RateInfo>;
  /** True for a provider that exists only through environment variables. */
  fromEnv: boolean;
}

export interface Candidate {
  provider: ProviderEntry;
  /** Model name sent upstream (provider prefix stripped). */
  upstreamModel: string;
  rate?: RateInfo;
}

export const CAPABILITY_OF: Record<RateType, Capability> = {
  chatCompletion: 'chat',
  embedding: 'embedding',
  imageGeneration: 'image',
  audio: 'audio',
  video: 'video',
};

export interface RoutingSnapshot {
  providers: ProviderEntry[];
  byName: Map<string, ProviderEntry>;
  loadedAt: number;
}

export interface RoutingOptions {
  models: Models;
  env: Readonly<Record<string, string | undefined>>;
  openCredential: (row: import('../../store/models/ai-credential.js').AiCredential) => Record<string, string>;
  /** Read on every resolve: operators switch billing at run time. */
  billingEnabled: boolean;
  /** Providers that bare model names skip (settings, read on every resolve). */
  excludedProviders?: readonly string[];
  ttlMs?: number;
}

export function targetOf(provider: ProviderEntry, credentialId: string): ProviderTarget {
  return {
    baseUrl: provider.baseUrl,
    region: provider.region,
    credential: provider.secrets.get(credentialId) ?? {},
    config: provider.config,
  };
}

function envCredential(manifest: ProviderManifest, env: RoutingOptions['env']): Record<string, string> | null {
  const e = manifest.env ?? {};
  const value: Record<string, string> = {};
  if (e.apiKey && env[e.apiKey]) value.api_key = env[e.apiKey]!;
  if (e.accessKeyId && env[e.accessKeyId]) value.access_key_id = env[e.accessKeyId]!;
  if (e.secretAccessKey && env[e.secretAccessKey]) value.secret_access_key = env[e.secretAccessKey]!;
  if (Object.keys(value).length) return value;
  if (manifest.credentialOptional && e.baseUrl && env[e.baseUrl]) return {};
  return null;
}

const stateFromRow = (row: { id: string; providerId: string; weight: number; status: string; disabledReason: string | null; cooldownUntil: Date | null; failureCount: number }): CredentialState => ({
  id: row.id,
  providerId: row.providerId,
  weight: Math.max(1, row.weight),
  current: 0,
  disabled: row.status === 'disabled',
  disabledReason: row.disabledReason,
  cooldownUntil: row.cooldownUntil ? row.cooldownUntil.getTime() : 0,
  failureCount: row.failureCount,
});

export class RoutingTable {
  private snapshot: RoutingSnapshot | null = null;
  private loading: Promise<RoutingSnapshot> | null = null;
  private dirty = false;
  /** Live credential state survives snapshot rebuilds (keeps round-robin and local cooldowns). */
  private readonly states = new Map<string, CredentialState>();
  private readonly ttlMs: number;

  constructor(private readonly options: RoutingOptions) {
    this.ttlMs = options.ttlMs ?? 5_000;
  }

  invalidate(): void {
    this.dirty = true;
  }

  /** Credential states by id, shared with the gateway for failure/success bookkeeping. */
  state(id: string): CredentialState | undefined {
    return this.states.get(id);
  }

  async current(): Promise<RoutingSnapshot> {
    const snap = this.snapshot;
    if (snap && !this.dirty) {
      const age = Date.now() - snap.loadedAt;
      if (age < this.ttlMs) return snap;
      // Stale by age only: serve the old one and refresh in the background, unless it is so old
      // (an idle instance) that another instance's change would be honoured too late.
      if (age < 2 * this.ttlMs) {
        void this.reload().catch(() => {});
        return snap;
      }
    }
    return this.reload();
  }

  private reload(): Promise<RoutingSnapshot> {
    if (this.loading) return this.loading;
    this.dirty = false;
    this.loading = this.load()
      .then((s) => {
        this.snapshot = s;
        return s;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  private mergeState(fresh: CredentialState): CredentialState {
    const live = this.states.get(fresh.id);
    if (!live) {
      this.states.set(fresh.id, fresh);
      return fresh;
    }
    live.weight = fresh.weight;
    live.disabled = fresh.disabled;
    live.disabledReason = fresh.disabledReason;
    // Another instance may have cooled it down; keep the later of the two deadlines.
    live.cooldownUntil = Math.max(live.cooldownUntil, fresh.cooldownUntil);
    live.failureCount = Math.max(live.failureCount, fresh.failureCount);
    return live;
  }

  /** An admin re-enabled or re-tested a credential: drop its local cooldown. */
  resetCredential(id: string): void {
    const live = this.states.get(id);
    if (live) {
      live.cooldownUntil = 0;
      live.failureCount = 0;
      live.disabled = false;
      live.disabledReason = null;
    }
  }

  private async load(): Promise<RoutingSnapshot> {
    const { models, env } = this.options;
    const [providerRows, credentialRows, rateRows] = await Promise.all([
      models.AiProvider.findAll(),
      models.AiCredential.findAll(),
      models.AiModelRate.findAll(),
    ]);
    const providers: ProviderEntry[] = [];
    const byName = new Map<string, ProviderEntry>();
    const seenIds = new Set<string>();

    for (const row of providerRows) {
      const module = getProviderModule(row.name);
      if (!module) continue;
      const manifest = module.manifest;
      const entry: ProviderEntry = {
        id: row.id,
        name: row.name,
        displayName: row.displayName,
        rank: row.rank,
        enabled: row.enabled,
        manifest,
        module,
        baseUrl: row.baseUrl ?? (manifest.env?.baseUrl ? env[manifest.env.baseUrl] : undefined) ?? manifest.defaultBaseUrl,
        region: row.region ?? (manifest.env?.region ? env[manifest.env.region] : undefined) ?? undefined,
        config: row.config ?? undefined,
        credentials: [],
        secrets: new Map(),
        rates: new Map(),
        fromEnv: false,
      };
      for (const c of credentialRows) {
        if (c.providerId !== row.id) continue;
        seenIds.add(c.id);
        try {
          entry.secrets.set(c.id, this.options.openCredential(c));
        } catch {
          continue; // sealed with another secret: unusable, shown as such in the admin list
        }
        entry.credentials.push(this.mergeState(stateFromRow(c)));
      }
      if (entry.credentials.length === 0) {
        const fallback = envCredential(manifest, env) ?? (manifest.credentialOptional ? {} : null);
        if (fallback) {
          const id = `env:${manifest.id}`;
          entry.secrets.set(id, fallback);
          entry.credentials.push(this.mergeState({ id, providerId: row.id, weight: 1, current: 0, disabled: false, disabledReason: null, cooldownUntil: 0, failureCount: 0 }));
        }
      }
      for (const r of rateRows) {
        if (r.providerId !== row.id) continue;
        entry.rates.set(`${r.type}:${r.model}`, {
          id: r.id,
          model: r.model,
          type: r.type,
          inputRate: r.inputRate,
          outputRate: r.outputRate,
          cacheReadRate: r.cacheReadRate,
          cacheWriteRate: r.cacheWriteRate,
          modelMetadata: r.modelMetadata,
        });
      }
      providers.push(entry);
      byName.set(entry.name, entry);
    }

    // Providers configured only through the environment (OPENAI_API_KEY …), when not in the database.
    for (const manifest of listProviderManifests()) {
      if (byName.has(manifest.id)) continue;
      const value = envCredential(manifest, env);
      if (!value) continue;
      const module = getProviderModule(manifest.id)!;
      const id = `env:${manifest.id}`;
      const entry: ProviderEntry = {
        id: `env:${manifest.id}`,
        name: manifest.id,
        displayName: manifest.displayName,
        rank: 1000,
        enabled: true,
        manifest,
        module,
        baseUrl: (manifest.env?.baseUrl ? env[manifest.env.baseUrl] : undefined) ?? manifest.defaultBaseUrl,
        region: manifest.env?.region ? env[manifest.env.region] : undefined,
        credentials: [this.mergeState({ id, providerId: id, weight: 1, current: 0, disabled: false, disabledReason: null, cooldownUntil: 0, failureCount: 0 })],
        secrets: new Map([[id, value]]),
        rates: new Map(),
        fromEnv: true,
      };
      providers.push(entry);
      byName.set(entry.name, entry);
    }

    for (const id of [...this.states.keys()]) if (!seenIds.has(id) && !id.startsWith('env:')) this.states.delete(id);
    const order = new Map(listProviderManifests().map((m, i) => [m.id, i]));
    providers.sort((a, b) => a.rank - b.rank || (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
    return { providers, byName, loadedAt: Date.now() };
  }

  /**
   * Candidates for a model string, best first. Throws 404 when no enabled provider serves it and
   * 503 when every provider that would is disabled or has no usable credential right now.
   */
  async resolve(model: string, type: RateType): Promise<Candidate[]> {
    const snap = await this.current();
    const capability = CAPABILITY_OF[type];
    const slash = model.indexOf('/');
    const prefix = slash > 0 ? model.slice(0, slash) : '';
    const pinned = prefix ? snap.byName.get(prefix) ?? (getProviderModule(prefix) ? null : undefined) : undefined;

    let matches: Candidate[];
    if (pinned === null) throw new ModelNotFoundError(model); // a known provider that is not configured
    if (pinned) {
      const upstreamModel = model.slice(slash + 1);
      if (!upstreamModel || !pinned.manifest.capabilities.includes(capability)) throw new ModelNotFoundError(model);
      const rate = pinned.rates.get(`${type}:${upstreamModel}`) ?? pinned.rates.get(`${type}:${model}`);
      if (this.options.billingEnabled && !rate) throw new ModelNotFoundError(model);
      matches = [{ provider: pinned, upstreamModel, rate }];
    } else {
      matches = [];
      const excluded = this.options.excludedProviders ?? [];
      for (const p of snap.providers) {
        if (!p.manifest.capabilities.includes(capability) || excluded.includes(p.name)) continue;
        const rate = p.rates.get(`${type}:${model}`) ?? p.rates.get(`${type}:${p.name}/${model}`);
        const known = !this.options.billingEnabled && p.manifest.modelPatterns.some((re) => re.test(model));
        if (rate || known) matches.push({ provider: p, upstreamModel: model, rate });
      }
      if (matches.length === 0) throw new ModelNotFoundError(model);
    }

    const now = Date.now();
    const usable = matches.filter((m) => m.provider.enabled && m.provider.credentials.some((c) => isEligible(c, now)));
    if (usable.length === 0) {
      const waits = matches
        .filter((m) => m.provider.enabled)
        .flatMap((m) => m.provider.credentials.filter((c) => !c.disabled).map((c) => c.cooldownUntil - now))
        .filter((w) => w > 0);
      const retryAfter = waits.length ? Math.ceil(Math.min(...waits) / 1000) : 60;
      throw new NoAvailableProviderError(`Every provider for '${model}' is disabled, has no usable credential, or is cooling down`, retryAfter);
    }
    return usable;
  }
}

export { credentialStatus };
