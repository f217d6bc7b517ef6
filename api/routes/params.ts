/** Body fields that several routes take alike. */
import { z } from 'zod/v4';

/** An expiry: an ISO 8601 date-time with its offset, in the future; null or absent for none. */
export const futureDateTime = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time' })
  .nullable()
  .optional()
  .refine((v) => !v || new Date(v).getTime() > Date.now(), 'must be in the future');
