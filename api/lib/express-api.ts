import type { Request } from 'express';

/** Gives a request served by the fast dispatcher (and its response) Express's methods; a no-op for any other. */
export function withExpressApi(req: Request): void {
  const app = req.app as unknown as { request: object; response: object } | undefined;
  if (!app || Object.getPrototypeOf(req) === app.request) return;
  Object.setPrototypeOf(req, app.request);
  if (req.res) Object.setPrototypeOf(req.res, app.response);
}
