/**
 * A bounded `route` label for a finished request: the API path with ids replaced by `:id`,
 * `unmatched` for paths no route served, and one label each for the dashboard's static files and
 * the trace viewer.
 */
import type { Request } from 'express';
import { pathOf } from '../../lib/url-path.js';

const ID_SEGMENT =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|\d+|user_[0-9a-z]+|did:.+|z[1-9A-HJ-NP-Za-km-z]{25,}|[A-Za-z0-9_-]{32,})$/i;
const MAX_SEGMENTS = 6;

export function routeLabel(req: Request, status: number): string {
  const path = pathOf(req.originalUrl ?? req.url);
  if (path.startsWith('/observability')) return '/observability';
  if (path === '/metrics' || path === '/__blocklet__.js') return path;
  if (!path.startsWith('/api/')) return 'static';
  if (status === 404 && !req.route) return 'unmatched';
  const segments = path.split('/').filter(Boolean).slice(0, MAX_SEGMENTS);
  return `/${segments.map((s) => (ID_SEGMENT.test(s) ? ':id' : s)).join('/')}`;
}
