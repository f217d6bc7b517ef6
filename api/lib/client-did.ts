/**
 * `x-aigne-hub-client-did` is the calling app's own claim, unauthenticated: it is recorded as a
 * call's `appId` only when the caller's key names no app, and only when it is shaped like an
 * identifier — a DID (`did:abt:z…`, `z…`), a blocklet's pid, or the AIGNE client's default
 * `@aigne/aigne-hub:<host name>`. Anything else (spaces, quotes, brackets, formulas) is dropped.
 */
const CLIENT_ID = /^[A-Za-z0-9@][\w.:@/-]{0,127}$/;

export function clientDidOf(header: string | string[] | undefined): string | null {
  return typeof header === 'string' && CLIENT_ID.test(header) ? header : null;
}
