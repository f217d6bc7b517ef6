/**
 * The JSON shapes of the hub's HTTP API (API.md), as the server answers them and the dashboard
 * reads them. They import nothing outside this folder: the SPA imports them (types, and the one
 * table of errors.ts), and the routes and services check what they send against them.
 */

/** One page of a list, newest first; `next` is the opaque cursor of the following page, absent on the last. */
export interface Page<T> {
  data: T[];
  next?: string;
}

/** A decimal amount as sent: a string is exact; a number is read as its shortest decimal. */
export type DecimalInput = string | number;
