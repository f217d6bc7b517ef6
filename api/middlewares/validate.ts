import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod/v4';
import { BadRequestError } from '../errors.js';

/** The value at `path` in `input` (undefined where the path leaves it). */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Formats the first zod issue of parsing `input` as `field: message` (`field is required` when it is missing). */
export function describeZodError(error: z.ZodError, input: unknown): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'body';
  if (issue.code === 'invalid_type' && issue.path.length && valueAt(input, issue.path) === undefined) return `${where} is required`;
  return `${where}: ${issue.message}`;
}

/** Parses `req.body` with the schema and replaces it with the parsed value, or answers 400. */
export function validateBody<T extends z.ZodType>(schema: T) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.body === undefined) return next(new BadRequestError('Request body must be JSON (Content-Type: application/json)', { code: 'invalid_json' }));
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) return next(new BadRequestError(describeZodError(parsed.error, req.body), { extra: { param: parsed.error.issues[0]?.path.join('.') || null } }));
    req.body = parsed.data;
    next();
  };
}

export function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new BadRequestError(describeZodError(parsed.error, query));
  return parsed.data;
}
