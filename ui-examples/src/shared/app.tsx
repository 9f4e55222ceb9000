// The sign-in gate both apps start with: a session in sessionStorage, one urql client per session.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { createApiClient } from './client';
import { loadSession, saveSession, type Session } from './session';
import { SignInForm } from './ui';

export function SignedIn({ app, title, children }: { app: string; title: string; children: (session: Session, signOut: () => void) => ReactNode }) {
  const [session, setSession] = useState<Session | null>(() => loadSession(app));
  const signOut = () => {
    saveSession(app, null);
    setSession(null);
  };
  const api = useMemo(() => (session ? createApiClient(session.token, signOut) : null), [session?.token]);
  useEffect(() => () => api?.close(), [api]);
  if (!session || !api) {
    return <SignInForm title={title} onSignedIn={(s) => { saveSession(app, s); setSession(s); }} />;
  }
  return <Provider value={api.client}>{children(session, signOut)}</Provider>;
}
