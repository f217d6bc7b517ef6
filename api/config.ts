/**
 * The only module that reads the environment. `loadConfig()` loads the dotenv-flow files once and
 * parses process.env; `parseConfig(env)` is pure, so tests build configs from plain objects.
 */
import path from 'node:path';
import proxyaddr from 'proxy-addr';
import { z } from 'zod/v4';
import { normalizeDecimal } from './lib/decimal.js';
import { bool, byteSize, decimalString, httpUrl, int, parseOtlpHeaders, proxyUrl } from './config-fields.js';
import { isUnlimited, keyLimitsSchema } from './services/key-limits.js';
import type { KeyLimits } from './store/models/key-limits.js';

export interface Config {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly sqlitePath: string;
  readonly databaseUrl?: string;
  readonly secret?: string;
  readonly adminKey?: string;
  readonly creditBillingEnabled: boolean;
  readonly newUserCreditGrant: string;
  /** What operators may change at run time; the settings service starts from these (services/settings.ts). */
  readonly settings: {
    readonly creditBillingEnabled: boolean;
    readonly newUserCreditGrant: string;
    readonly creditPrefix: string;
    readonly guestPlaygroundEnabled: boolean;
    readonly excludedProviders: readonly string[];
    readonly lowBalanceCredits: string;
    readonly notifyWebhookUrl: string | null;
  };
  /** Where users buy credits (CREDIT_PAYMENT_LINK; sent as `link` with 402): set, it wins over Payment Kit's own link. */
  readonly creditTopUpLink?: string;
  /** The most live keys a user may make for themselves (API.md §16). */
  readonly maxKeysPerUser: number;
  /** Limits of member keys that set none (API.md §14 `DEFAULT_KEY_LIMITS`). */
  readonly defaultKeyLimits: KeyLimits | null;
  /** How long a credit reservation may stay open before it is released (crash recovery). */
  readonly creditReservationTtlMs: number;
  readonly maxBodySize: number;
  readonly upstreamTimeoutMs: number;
  /** Outbound proxies for upstream calls (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; lower case first, as curl reads them). */
  readonly proxy: { readonly httpProxy?: string; readonly httpsProxy?: string; readonly noProxy?: string };
  /** How long cached access-key lookups and the routing table are trusted without a change notice. */
  readonly cacheTtlMs: { readonly accessKeys: number; readonly routing: number };
  /** Images the hub downloads for callers (for providers that must be sent bytes). */
  readonly imageFetch: {
    /** Hosts, addresses or CIDR ranges trusted although not public (an internal image store). */
    readonly allowHosts: readonly string[];
    readonly maxBytes: number;
    readonly timeoutMs: number;
  };
  readonly metricsToken?: string;
  readonly enableServerTiming: boolean;
  /** Serve /api/v2/chat through the AIGNE model classes even for providers on the OpenAI wire. */
  readonly v2ChatViaModelClasses: boolean;
  readonly tracing: {
    readonly enabled: boolean;
    /** A running AIGNE observability server to send spans to (standalone). */
    readonly observabilityUrl?: string;
    /** Full OTLP/HTTP traces URL (`<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`). */
    readonly otlpTracesUrl?: string;
    readonly otlpHeaders: Readonly<Record<string, string>>;
    readonly serviceName: string;
    /** Put request message contents on spans (off unless an operator opts in). */
    readonly includeContent: boolean;
    /** The share of model calls that get a trace (1 = every call). */
    readonly sampleRatio: number;
  };
  readonly retention: {
    /** 0 keeps rows forever. */
    readonly modelCallDays: number;
    readonly usageDays: number;
    readonly archive: boolean;
    /** Stored Responses API responses (`store: true`), kept this long (API.md §11). */
    readonly responsesDays: number;
    /** Files the hub serves at /api/media/<id> (API.md §12), kept this long. */
    readonly mediaDays: number;
  };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  readonly accessLog: boolean;
  /** How far V8 lets the heap grow past what the last full collection kept (percent; 0: V8's own choice). */
  readonly heapGrowthPercent: number;
  readonly webDir: string;
  readonly version: string;
  readonly appName: string;
  /** The hub's public URL (AIGNE_HUB_PUBLIC_URL, else Blocklet Server's app URL). */
  readonly appUrl?: string;
  /** Express's `trust proxy`: which peers' X-Forwarded-For/-Proto are believed. */
  readonly trustProxy: boolean | number | string;
  /** A browser session ends after this long unused. */
  readonly sessionIdleMs: number;
  /** Idle keep-alive connections are closed after this long, whatever they send. */
  readonly keepAliveTimeoutMs: number;
  /** Open connections one client address may hold (0: no cap); trusted proxies are not capped. */
  readonly maxConnectionsPerAddress: number;
  readonly blocklet: { readonly enabled: boolean; readonly appId?: string; readonly appPid?: string };
  readonly pricing: {
    /** `GET /api/pricing` without a caller (PUBLIC_PRICING). */
    readonly public: boolean;
    /** How far a rate may stray from the price table's cost before the rate check flags it (percent). */
    readonly driftPercent: number;
    /** Credits one US dollar buys: the default of imports and of the rate check (decimal string). */
    readonly creditsPerUsd: string;
  };
  readonly modelHealth: {
    /** Minutes between scheduled checks; 0 turns them off. */
    readonly intervalMin: number;
    /** A cron pattern (croner, 5 or 6 fields) used instead of the interval. */
    readonly cron?: string;
    /** Image models are checked too (each check generates one image). */
    readonly images: boolean;
  };
  readonly notify: {
    /** Signs webhook bodies; the URL and the low-balance threshold are operators' settings (`settings`). */
    readonly webhookSecret?: string;
  };
  /** Raw environment, for provider fallbacks (OPENAI_API_KEY …). Frozen copy. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

const schema = z.object({
  NODE_ENV: z.string().optional().default('development'),
  PORT: int(3030, 0, 65535),
  BLOCKLET_PORT: int(0, 0, 65535),
  BLOCKLET_APP_DIR: z.string().optional(),
  HOST: z.string().optional().default('0.0.0.0'),
  AIGNE_HUB_DATA_DIR: z.string().optional(),
  BLOCKLET_DATA_DIR: z.string().optional(),
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => !v || /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL'),
  AIGNE_HUB_SECRET: z
    .string()
    .optional()
    .refine((v) => !v || v.length >= 16, 'must be at least 16 characters'),
  AIGNE_HUB_ADMIN_KEY: z
    .string()
    .optional()
    .refine((v) => !v || v.length >= 16, 'must be at least 16 characters'),
  CREDIT_BASED_BILLING_ENABLED: bool(false),
  NEW_USER_CREDIT_GRANT: z
    .string()
    .optional()
    .default('0')
    .refine((v) => /^\d+(\.\d+)?$/.test(v.trim()), 'must be a non-negative decimal number'),
  CREDIT_PREFIX: z.string().optional().refine((v) => !v || v.length <= 16, 'at most 16 characters'),
  GUEST_PLAYGROUND_ENABLED: bool(false),
  EXCLUDED_PROVIDERS: z
    .string()
    .optional()
    .refine((v) => !v || v.split(/[,\s]+/).filter(Boolean).every((x) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(x)), 'expected provider ids separated by commas'),
  CREDIT_PAYMENT_LINK: httpUrl(),
  /** The earlier name of CREDIT_PAYMENT_LINK. */
  CREDIT_TOPUP_LINK: httpUrl(),
  MAX_KEYS_PER_USER: int(10, 1, 1000),
  DEFAULT_KEY_LIMITS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return null;
      let json: unknown;
      try {
        json = JSON.parse(v);
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'expected JSON such as {"rpm": 60}' });
        return z.NEVER;
      }
      const parsed = keyLimitsSchema.safeParse(json);
      if (!parsed.success) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected API.md §14 limits: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
        return z.NEVER;
      }
      return isUnlimited(parsed.data) ? null : parsed.data;
    }),
  CREDIT_RESERVATION_TTL_MS: int(0, 0, 86_400_000),
  MAX_BODY_SIZE: byteSize(10 * 1024 * 1024),
  UPSTREAM_TIMEOUT_MS: int(120_000, 1, 3_600_000),
  http_proxy: proxyUrl(),
  HTTP_PROXY: proxyUrl(),
  https_proxy: proxyUrl(),
  HTTPS_PROXY: proxyUrl(),
  no_proxy: z.string().optional(),
  NO_PROXY: z.string().optional(),
  ACCESS_KEY_CACHE_TTL_MS: int(3000, 1, 86_400_000),
  ROUTING_CACHE_TTL_MS: int(5000, 1, 86_400_000),
  IMAGE_FETCH_ALLOW_HOSTS: z.string().optional(),
  MAX_IMAGE_BYTES: byteSize(20 * 1024 * 1024),
  IMAGE_FETCH_TIMEOUT_MS: int(10_000, 1, 600_000),
  METRICS_TOKEN: z.string().optional(),
  ENABLE_SERVER_TIMING: bool(false),
  V2_CHAT_VIA_MODEL_CLASSES: bool(false),
  TRACING_ENABLED: bool(true),
  TRACE_INCLUDE_CONTENT: bool(false),
  TRACE_SAMPLE_RATIO: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return 1;
      const decimal = normalizeDecimal(v);
      const n = Number(decimal);
      if (decimal === null || n > 1) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a share from 0 to 1, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
  AIGNE_OBSERVABILITY_URL: httpUrl(),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .refine((v) => !v || parseOtlpHeaders(v) !== undefined, 'expected key=value pairs separated by commas'),
  OTEL_SERVICE_NAME: z.string().optional(),
  MODEL_CALL_RETENTION_DAYS: int(0, 0, 36_500),
  USAGE_RETENTION_DAYS: int(0, 0, 36_500),
  RETENTION_ARCHIVE: bool(false),
  RESPONSES_RETENTION_DAYS: int(30, 1, 36_500),
  MEDIA_RETENTION_DAYS: int(7, 1, 36_500),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).optional(),
  ACCESS_LOG: bool(true),
  HEAP_GROWTH_PERCENT: int(100, 0, 1000),
  AIGNE_HUB_WEB_DIR: z.string().optional(),
  BLOCKLET_APP_ID: z.string().optional(),
  BLOCKLET_APP_PID: z.string().optional(),
  BLOCKLET_APP_NAME: z.string().optional(),
  BLOCKLET_APP_URL: z.string().optional(),
  AIGNE_HUB_PUBLIC_URL: httpUrl(),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const s = v?.trim() ?? '';
      if (s === '') return 'loopback, uniquelocal';
      if (/^(true|false)$/i.test(s)) return s.toLowerCase() === 'true';
      if (/^\d+$/.test(s)) return Number(s);
      try {
        proxyaddr.compile(s.split(',').map((a) => a.trim()));
        return s;
      } catch {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true, false, a hop count or addresses/CIDRs/loopback/linklocal/uniquelocal, got "${v}"` });
        return z.NEVER;
      }
    }),
  SESSION_IDLE_MINUTES: int(120, 1, 10_080),
  KEEP_ALIVE_TIMEOUT_MS: int(65_000, 1, 3_600_000),
  MAX_CONNECTIONS_PER_ADDRESS: int(256, 0, 1_000_000),
  PUBLIC_PRICING: bool(true),
  RATE_DRIFT_PERCENT: int(20, 0, 100_000),
  CREDITS_PER_USD: decimalString('1'),
  MODEL_HEALTH_INTERVAL_MIN: int(60, 0, 525_600),
  MODEL_HEALTH_CRON: z.string().optional().refine((v) => !v || /^\s*\S+(\s+\S+){4,5}\s*$/.test(v), 'expected a cron pattern of 5 or 6 fields'),
  MODEL_HEALTH_IMAGES: bool(false),
  LOW_BALANCE_CREDITS: z.string().optional().refine((v) => !v || normalizeDecimal(v) !== null, 'must be a non-negative decimal number'),
  NOTIFY_WEBHOOK_URL: httpUrl(),
  NOTIFY_WEBHOOK_SECRET: z.string().optional(),
  ABT_NODE_SERVICE_PORT: z.string().optional(),
  BLOCKLET_APP_ASK: z.string().optional(),
  BLOCKLET_APP_SK: z.string().optional(),
  npm_package_version: z.string().optional(),
});

export { parseByteSize } from './config-fields.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ParseOptions {
  cwd?: string;
  version?: string;
}

export function parseConfig(env: Record<string, string | undefined>, options: ParseOptions = {}): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  const e = parsed.data;
  // A reservation must outlive any call that can still settle it: well above the upstream timeout.
  const reservationTtlMs = e.CREDIT_RESERVATION_TTL_MS || Math.max(15 * 60_000, 3 * e.UPSTREAM_TIMEOUT_MS);
  if (e.NOTIFY_WEBHOOK_URL?.trim() && !e.NOTIFY_WEBHOOK_SECRET) throw new ConfigError(['NOTIFY_WEBHOOK_SECRET: required with NOTIFY_WEBHOOK_URL (webhooks are signed with it)']);
  if (reservationTtlMs <= e.UPSTREAM_TIMEOUT_MS) {
    throw new ConfigError([`CREDIT_RESERVATION_TTL_MS: must be above UPSTREAM_TIMEOUT_MS (${e.UPSTREAM_TIMEOUT_MS}), got ${reservationTtlMs}`]);
  }
  const cwd = options.cwd ?? process.cwd();
  const dataDir = path.resolve(cwd, e.AIGNE_HUB_DATA_DIR || e.BLOCKLET_DATA_DIR || './data');
  const blockletEnabled = Boolean(
    e.BLOCKLET_APP_ID && e.ABT_NODE_SERVICE_PORT && (e.BLOCKLET_APP_ASK || e.BLOCKLET_APP_SK),
  );
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    // Blocklet Server routes the app's traffic to the port it assigned.
    port: e.BLOCKLET_PORT || e.PORT,
    host: e.HOST,
    dataDir,
    sqlitePath: path.join(dataDir, 'aikit.db'),
    databaseUrl: e.DATABASE_URL || undefined,
    secret: e.AIGNE_HUB_SECRET || undefined,
    adminKey: e.AIGNE_HUB_ADMIN_KEY || undefined,
    creditBillingEnabled: e.CREDIT_BASED_BILLING_ENABLED,
    newUserCreditGrant: e.NEW_USER_CREDIT_GRANT.trim(),
    settings: Object.freeze({
      creditBillingEnabled: e.CREDIT_BASED_BILLING_ENABLED,
      newUserCreditGrant: normalizeDecimal(e.NEW_USER_CREDIT_GRANT.trim()) ?? '0',
      creditPrefix: e.CREDIT_PREFIX?.trim() ?? '',
      guestPlaygroundEnabled: e.GUEST_PLAYGROUND_ENABLED,
      excludedProviders: Object.freeze((e.EXCLUDED_PROVIDERS ?? '').split(/[,\s]+/).filter(Boolean)),
      lowBalanceCredits: normalizeDecimal(e.LOW_BALANCE_CREDITS?.trim() || '0') ?? '0',
      notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL?.trim() || null,
    }),
    creditTopUpLink: e.CREDIT_PAYMENT_LINK?.trim() || e.CREDIT_TOPUP_LINK?.trim() || undefined,
    maxKeysPerUser: e.MAX_KEYS_PER_USER,
    defaultKeyLimits: e.DEFAULT_KEY_LIMITS,
    creditReservationTtlMs: reservationTtlMs,
    maxBodySize: e.MAX_BODY_SIZE,
    upstreamTimeoutMs: e.UPSTREAM_TIMEOUT_MS,
    proxy: Object.freeze({
      httpProxy: (e.http_proxy ?? e.HTTP_PROXY)?.trim() || undefined,
      httpsProxy: (e.https_proxy ?? e.HTTPS_PROXY)?.trim() || undefined,
      noProxy: (e.no_proxy ?? e.NO_PROXY)?.trim() || undefined,
    }),
    cacheTtlMs: { accessKeys: e.ACCESS_KEY_CACHE_TTL_MS, routing: e.ROUTING_CACHE_TTL_MS },
    imageFetch: {
      allowHosts: Object.freeze((e.IMAGE_FETCH_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean)),
      maxBytes: e.MAX_IMAGE_BYTES,
      timeoutMs: e.IMAGE_FETCH_TIMEOUT_MS,
    },
    metricsToken: e.METRICS_TOKEN || undefined,
    enableServerTiming: e.ENABLE_SERVER_TIMING,
    v2ChatViaModelClasses: e.V2_CHAT_VIA_MODEL_CLASSES,
    tracing: {
      enabled: e.TRACING_ENABLED,
      observabilityUrl: e.AIGNE_OBSERVABILITY_URL?.trim().replace(/\/+$/, '') || undefined,
      otlpTracesUrl:
        e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ||
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.trim().replace(/\/+$/, '')}/v1/traces` : undefined),
      otlpHeaders: Object.freeze(parseOtlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS ?? '') ?? {}),
      serviceName: e.OTEL_SERVICE_NAME?.trim() || 'aigne-hub',
      includeContent: e.TRACE_INCLUDE_CONTENT,
      sampleRatio: e.TRACE_SAMPLE_RATIO,
    },
    retention: {
      modelCallDays: e.MODEL_CALL_RETENTION_DAYS,
      usageDays: e.USAGE_RETENTION_DAYS,
      archive: e.RETENTION_ARCHIVE,
      responsesDays: e.RESPONSES_RETENTION_DAYS,
      mediaDays: e.MEDIA_RETENTION_DAYS,
    },
    logLevel: e.LOG_LEVEL ?? (e.NODE_ENV === 'test' ? 'warn' : 'info'),
    accessLog: e.ACCESS_LOG,
    heapGrowthPercent: e.HEAP_GROWTH_PERCENT,
    // Blocklet Server starts the app in another folder than the one it installed it in.
    webDir: path.resolve(e.BLOCKLET_APP_DIR || cwd, e.AIGNE_HUB_WEB_DIR || 'dist/web'),
    version: options.version ?? e.npm_package_version ?? '0.0.0',
    appName: e.BLOCKLET_APP_NAME || 'AIGNE Hub',
    appUrl: e.AIGNE_HUB_PUBLIC_URL?.trim().replace(/\/+$/, '') || e.BLOCKLET_APP_URL || undefined,
    trustProxy: e.TRUST_PROXY,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
    maxConnectionsPerAddress: e.MAX_CONNECTIONS_PER_ADDRESS,
    blocklet: { enabled: blockletEnabled, appId: e.BLOCKLET_APP_ID, appPid: e.BLOCKLET_APP_PID },
    pricing: { public: e.PUBLIC_PRICING, driftPercent: e.RATE_DRIFT_PERCENT, creditsPerUsd: e.CREDITS_PER_USD },
    modelHealth: { intervalMin: e.MODEL_HEALTH_INTERVAL_MIN, cron: e.MODEL_HEALTH_CRON?.trim() || undefined, images: e.MODEL_HEALTH_IMAGES },
    notify: {
      webhookSecret: e.NOTIFY_WEBHOOK_SECRET || undefined,
    },
    env: Object.freeze({ ...env }),
  };
  return Object.freeze(config);
}

/** Loads `.env`, `.env.<NODE_ENV>` and their `.local` variants (dotenv-flow), then parses. */
export async function loadConfig(cwd = process.cwd()): Promise<Config> {
  const dotenvFlow = await import('dotenv-flow');
  dotenvFlow.config({ path: cwd, silent: true, node_env: process.env.NODE_ENV || 'development' });
  let version: string | undefined;
  try {
    const fs = await import('node:fs');
    version = JSON.parse(fs.readFileSync(path.join(cwd, 'package.json'), 'utf8')).version;
  } catch {
    version = undefined;
  }
  return parseConfig(process.env, { cwd, version });
}
