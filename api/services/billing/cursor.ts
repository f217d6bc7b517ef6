/** Opaque page cursors over (createdAt, id), newest first. */
import { BadRequestError } from '../../errors.js';

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id]), 'utf8').toString('base64url');
}

/** Throws 400 on anything that is not a cursor this module made. */
export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      const createdAt = new Date(value[0]);
      if (!Number.isNaN(createdAt.getTime())) return { createdAt, id: value[1] };
    }
  } catch {
    // fall through
  }
  throw new BadRequestError('cursor: not a cursor returned by this endpoint', { extra: { param: 'cursor' } });
}
