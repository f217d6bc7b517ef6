/** The shape of the route table (routes/index.ts), apart from it so middlewares can read it. */
import type { RequestHandler } from 'express';

export type Method = 'get' | 'post' | 'put' | 'delete';

/** One method and exact path. */
export interface Endpoint {
  method: Method;
  path: string;
  handlers: RequestHandler[];
  /** Served by the fast dispatcher as well (POST model routes whose bodies are JSON). */
  hot?: boolean;
}

/** A router (or middleware) mounted under a path prefix. */
export interface Mount {
  mount: string;
  handlers: RequestHandler[];
}

export type RouteEntry = Endpoint | Mount;

export const isEndpoint = (e: RouteEntry): e is Endpoint => 'method' in e;
