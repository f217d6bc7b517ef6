import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { getSession, login, logout, setUnauthorizedHandler, type SessionUser } from './api/client';
import { blockletLogout, loadBlockletInfo } from './blocklet';

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous' }
  | { status: 'error'; error: Error }
  | { status: 'authenticated'; user: SessionUser };

export interface SessionValue {
  state: SessionState;
  /** Signs in with an access key; throws the API's error on failure. */
  signIn: (key: string) => Promise<void>;
  signOut: () => Promise<void>;
  refresh: () => Promise<void>;
}

export const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    try {
      const user = await getSession();
      setState(user ? { status: 'authenticated', user } : { status: 'anonymous' });
    } catch (error) {
      setState({ status: 'error', error: error instanceof Error ? error : new Error(String(error)) });
    }
  }, []);

  useEffect(() => {
    void refresh();
    setUnauthorizedHandler(() => setState({ status: 'anonymous' }));
    return () => setUnauthorizedHandler(null);
  }, [refresh]);

  const signIn = useCallback(async (key: string) => {
    const user = await login(key);
    setState(user ? { status: 'authenticated', user } : { status: 'anonymous' });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await logout();
      const blocklet = await loadBlockletInfo();
      if (blocklet) await blockletLogout(blocklet);
    } finally {
      setState({ status: 'anonymous' });
    }
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, refresh }), [state, signIn, signOut, refresh]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for components rendered behind the login gate. */
export function useUser(): SessionUser {
  const { state } = useSession();
  if (state.status !== 'authenticated') throw new Error('No signed-in user');
  return state.user;
}
