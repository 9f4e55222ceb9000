// Sign-in against POST /login; the access token is kept per app in sessionStorage.

export interface Session {
  token: string;
  email: string;
}

export async function signIn(email: string, password: string): Promise<Session> {
  const response = await fetch('/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ username: email, password }),
  });
  if (response.status === 429) {
    const body = (await response.json()) as { message?: string };
    throw new Error(body.message ?? 'Too many failed sign-ins. Try again later.');
  }
  if (!response.ok) {
    throw new Error('Wrong email or password.');
  }
  const body = (await response.json()) as { access_token: string };
  return { token: body.access_token, email };
}

export function loadSession(app: string): Session | null {
  const raw = sessionStorage.getItem(`meterline.${app}.session`);
  return raw ? (JSON.parse(raw) as Session) : null;
}

export function saveSession(app: string, session: Session | null): void {
  if (session) sessionStorage.setItem(`meterline.${app}.session`, JSON.stringify(session));
  else sessionStorage.removeItem(`meterline.${app}.session`);
}
