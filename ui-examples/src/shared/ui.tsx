// Small building blocks both apps share: sign-in form, page shell, Relay pager, cards, bars, errors.
import { createContext, useContext, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { signIn, type Session } from './session';

export const TimeZoneContext = createContext<string>('UTC');
export const useTimeZone = (): string => useContext(TimeZoneContext);

export function SignInForm({ title, onSignedIn }: { title: string; onSignedIn: (session: Session) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(email, password));
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <form className="signin" onSubmit={submit}>
      <h1>{title}</h1>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <button type="submit" disabled={busy}>Sign in</button>
    </form>
  );
}

export function Shell({ title, nav, current, user, onSignOut, banner, children }: {
  title: string;
  nav: readonly { path: string; label: string }[];
  current: string;
  user: string;
  onSignOut: () => void;
  banner?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      <header>
        <strong>{title}</strong>
        <nav>
          {nav.map((item) => (
            <a key={item.path} href={`#${item.path}`} className={item.path === current ? 'active' : undefined}>{item.label}</a>
          ))}
        </nav>
        <span className="user">{user} <button type="button" className="link" onClick={onSignOut}>Sign out</button></span>
      </header>
      {banner}
      <main>{children}</main>
    </div>
  );
}

/** The current hash route ("/balance"), updated on navigation. */
export function useHashRoute(): string {
  const read = () => location.hash.replace(/^#/, '') || '/';
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const listener = () => setRoute(read());
    window.addEventListener('hashchange', listener);
    return () => window.removeEventListener('hashchange', listener);
  }, []);
  return route;
}

/**
 * Forward Relay paging: `after` is the cursor of the current page; `next(endCursor)` moves on and
 * `previous()` goes back through the cursors seen. Nothing ever loads every row.
 */
export function usePager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  return {
    after,
    page: cursors.length,
    next: (endCursor: string | null | undefined) => endCursor && setCursors([...cursors, endCursor]),
    previous: () => setCursors(cursors.length > 1 ? cursors.slice(0, -1) : cursors),
    reset: () => setCursors([null]),
  };
}

export function Pager({ pager, pageInfo, totalCount, pageSize }: {
  pager: ReturnType<typeof usePager>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
  totalCount: number | undefined;
  pageSize: number;
}) {
  const pages = totalCount === undefined ? undefined : Math.max(1, Math.ceil(totalCount / pageSize));
  return (
    <div className="pager">
      <button type="button" disabled={pager.page <= 1} onClick={pager.previous}>Previous</button>
      <span>Page {pager.page}{pages !== undefined ? ` of ${pages}` : ''} · {totalCount ?? '…'} rows</span>
      <button type="button" disabled={!pageInfo?.hasNextPage} onClick={() => pager.next(pageInfo?.endCursor)}>Next</button>
    </div>
  );
}

export function Card({ title, children, testId }: { title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="card" data-testid={testId}>
      <h3>{title}</h3>
      {children}
    </section>
  );
}

export function ErrorBox({ error }: { error: CombinedError | undefined }) {
  if (!error) return null;
  return <p className="error" role="alert">{error.graphQLErrors.map((e) => e.message).join('; ') || error.message}</p>;
}

/** The user errors of a mutation, in their words; `data-code` lists their codes for tests (when the query selected them). */
export function UserErrors({ errors }: { errors: readonly { message: string; code?: string | null; field?: readonly string[] | null }[] | undefined }) {
  if (!errors || errors.length === 0) return null;
  const codes = errors.map((e) => e.code).filter(Boolean).join(' ');
  return <p className="error" role="alert" data-code={codes || undefined}>{errors.map((e) => (e.field?.length ? `${e.field.join('.')}: ` : '') + e.message).join('; ')}</p>;
}

/** A progress bar coloured by the band name the API gives (green / yellow / orange / red). */
export function ProgressBar({ percent, band }: { percent: number; band: string | null | undefined }) {
  return (
    <div className="progress" title={`${percent.toFixed(1)}%`}>
      <div className={`fill band-${(band ?? 'none').toLowerCase()}`} style={{ width: `${Math.min(100, Math.max(0, percent))}%` }} />
    </div>
  );
}

export function Loading({ fetching }: { fetching: boolean }) {
  return fetching ? <p className="muted">Loading…</p> : null;
}
