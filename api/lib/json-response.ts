/** A JSON answer written straight to the socket. No domain imports. */
import type { ServerResponse } from 'node:http';

/**
 * Sends `body` as JSON with the headers Express's `res.json` gives a POST answer
 * (`Content-Type: application/json; charset=utf-8` and `Content-Length`), without its
 * per-call content negotiation.
 */
export function sendJson(res: ServerResponse, body: unknown, status = 200): void {
  sendJsonText(res, JSON.stringify(body), status);
}

/** Sends `text`, which is JSON already, as `sendJson` sends a body. */
export function sendJsonText(res: ServerResponse, text: string, status = 200): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}
