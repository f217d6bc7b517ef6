/**
 * Inside Blocklet Server the server owns sign-in (DID Connect on its login page) and the session
 * (its `login_token` cookie, which the hub's API accepts). The server answers `__blocklet__.js`
 * itself, with its version and the app's path prefix; the standalone hub's answer has neither.
 */
import { useEffect, useState } from 'react';

export interface BlockletInfo {
  serverVersion: string;
  /** Where the app is mounted on its domain (`/` unless it is one of several). */
  groupPrefix: string;
}

let loading: Promise<BlockletInfo | null> | undefined;

export function loadBlockletInfo(): Promise<BlockletInfo | null> {
  loading ??= fetch('__blocklet__.js?type=json', { credentials: 'same-origin' })
    .then((res) => (res.ok ? res.json() : null))
    .then((info: Partial<BlockletInfo> & { prefix?: string } | null) =>
      info?.serverVersion ? { serverVersion: info.serverVersion, groupPrefix: info.groupPrefix || info.prefix || '/' } : null,
    )
    .catch(() => null);
  return loading;
}

/** Blocklet Server's info, `null` standalone, `undefined` while it is being asked. */
export function useBlocklet(): BlockletInfo | null | undefined {
  const [info, setInfo] = useState<BlockletInfo | null | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void loadBlockletInfo().then((value) => live && setInfo(value));
    return () => {
      live = false;
    };
  }, []);
  return info;
}

const servicePath = (info: BlockletInfo, path: string) => `${info.groupPrefix.replace(/\/+$/, '')}/.well-known/service${path}`;

/** The server's login page, coming back here once signed in. */
export function blockletLoginHref(info: BlockletInfo, here: Location = window.location): string {
  return `${servicePath(info, '/login')}?redirect=${encodeURIComponent(`${here.pathname}${here.search}${here.hash}`)}`;
}

/** Ends the server's session (its cookie) as well as the hub's. */
export async function blockletLogout(info: BlockletInfo): Promise<void> {
  await fetch(servicePath(info, '/api/user/logout'), {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json' },
    body: '{}',
  }).catch(() => undefined);
}
