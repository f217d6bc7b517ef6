import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';
import { BadRequestError } from '../errors.js';

/** Formats the first zod issue as `field: message`. */
export function describeZodError(error: z.ZodError): string {
  const issue = error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'body';
  if (issue.code === 'invalid_type' && issue.received === 'undefined') return `${where} is required`;
  return `${where}: ${issue.message}`;
}

/** Parses `req.body` with the schema and replaces it with the parsed value, or answers 400. */
export function validateBody<T extends z.ZodTypeAny>(schema: T) {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (req.body === undefined) return next(new BadRequestError('Request body must be JSON (Content-Type: application/json)', { code: 'invalid_json' }));
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) return next(new BadRequestError(describeZodError(parsed.error), { extra: { param: parsed.error.issues[0]?.path.join('.') || null } }));
    req.body = parsed.data;
    next();
  };
}

export function parseQuery<T extends z.ZodTypeAny>(schema: T, query: unknown): z.infer<T> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new BadRequestError(describeZodError(parsed.error));
  return parsed.data;
}
