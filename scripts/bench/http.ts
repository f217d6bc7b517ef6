/** JSON over HTTP for the harness's own set-up calls (undici `request`). */
import { request } from 'undici';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what} answered ${status}: ${body.slice(0, 300)}`);
  }
}

export async function jsonRequest<T>(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await request(url, {
    method: method as 'GET',
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  if (res.statusCode >= 400) throw new HttpError(res.statusCode, text, `${method} ${new URL(url).pathname}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
