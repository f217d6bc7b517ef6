/** Parsers of the environment's values (booleans, sizes, numbers, decimals, URLs), for config.ts. */
import { z } from 'zod/v4';
import { normalizeDecimal } from './lib/decimal.js';

export const bool = (def: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      const s = v.trim().toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${v}"` });
      return z.NEVER;
    });

export const byteSize = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (!v) return def;
      const n = parseByteSize(v);
      if (n === undefined || n <= 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a size like 10mb, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

export const int = (def: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') return def;
      if (!/^\d+$/.test(v.trim())) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min || n > max) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be between ${min} and ${max}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

export const decimalString = (def: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const d = normalizeDecimal(v);
      if (d === null || Number(d) === 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a positive decimal number, got "${v}"` });
        return z.NEVER;
      }
      return d;
    });

export const httpUrl = () =>
  z
    .string()
    .optional()
    .refine((v) => !v || /^https?:\/\/\S+$/.test(v.trim()), 'must be an http(s) URL');

export const proxyUrl = () =>
  z
    .string()
    .optional()
    .refine((v) => !v?.trim() || /^(https?|socks5?):\/\/\S+$/.test(v.trim()), 'must be an http(s):// or socks5:// proxy URL');

/** Parses OTEL_EXPORTER_OTLP_HEADERS (`k1=v1,k2=v2`, values URL-encoded). */
export function parseOtlpHeaders(value: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const part of value.split(',')) {
    if (!part.trim()) continue;
    const i = part.indexOf('=');
    if (i <= 0) return undefined;
    try {
      headers[decodeURIComponent(part.slice(0, i).trim())] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      return undefined;
    }
  }
  return headers;
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Parses `10mb`, `512kb`, `1048576` into bytes. */
export function parseByteSize(value: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(value);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
}
