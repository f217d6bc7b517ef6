/**
 * A tiny hash router: `#/usage?from=…`. Hash routes work under any mount path and need nothing
 * from the server beyond serving index.html.
 */
import { useSyncExternalStore, type AnchorHTMLAttributes, type ReactNode } from 'react';

export interface Route {
  path: string;
  query: URLSearchParams;
}

function currentHash(): string {
  return window.location.hash;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  // At the first `?` only: a query may carry more (an app's callback URL written out unencoded).
  const at = raw.indexOf('?');
  const pathPart = at < 0 ? raw : raw.slice(0, at);
  const queryPart = at < 0 ? '' : raw.slice(at + 1);
  const path = `/${pathPart.replace(/^\/+/, '').replace(/\/+$/, '')}`;
  return { path, query: new URLSearchParams(queryPart) };
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, currentHash, () => '');
  return parseHash(hash);
}

export function hrefFor(path: string, query?: Record<string, string | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value) search.set(key, value);
  const s = search.toString();
  return `#${path}${s ? `?${s}` : ''}`;
}

export function navigate(path: string, query?: Record<string, string | undefined>, options: { replace?: boolean } = {}): void {
  const href = hrefFor(path, query);
  if (options.replace) {
    window.history.replaceState(window.history.state, '', href);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = href;
  }
}

/** `/providers` typed into the address bar (served index.html by the fallback) becomes `/#/providers`. */
export function adoptPathRoute(): void {
  const { pathname, search, hash } = window.location;
  if (hash || pathname === '/' || pathname === '/index.html') return;
  window.history.replaceState(null, '', `/#${pathname}${search}`);
}

export interface LinkProps extends Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> {
  to: string;
  query?: Record<string, string | undefined>;
  children: ReactNode;
}

export function Link({ to, query, children, ...rest }: LinkProps) {
  return (
    <a href={hrefFor(to, query)} {...rest}>
      {children}
    </a>
  );
}
