// The admin API from the browser: same origin, `Authorization: Bearer` with the token kept in
// sessionStorage only (never in a URL, a cookie or localStorage). Problems come back as ApiProblem.

const TOKEN_KEY = 'keygate.adminToken';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function signIn(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function signOut(): void {
  sessionStorage.clear();
}

/** A problem+json answer (or a network failure) as an error the page shows. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string | undefined,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(detail ? `${title}: ${detail}` : title);
  }
}

interface ProblemBody {
  title?: unknown;
  detail?: unknown;
  errors?: unknown;
}

async function problemOf(res: Response): Promise<ApiProblem> {
  let body: ProblemBody = {};
  try {
    body = (await res.json()) as ProblemBody;
  } catch {
    // Not JSON: the status text is all there is.
  }
  const title = typeof body.title === 'string' ? body.title : `${res.status} ${res.statusText}`;
  const detail = typeof body.detail === 'string' ? body.detail : undefined;
  const errors = Array.isArray(body.errors) ? (body.errors as { path: string; message: string }[]) : [];
  return new ApiProblem(res.status, title, detail, errors);
}

/** Calls `/_keygate/v1${path}`; resolves with the JSON answer (undefined for 204). */
export async function api<T>(method: string, path: string, body?: unknown, bearer: string | null = token()): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/_keygate/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch (error) {
    throw new ApiProblem(0, 'keygate cannot be reached', String(error));
  }
  if (!res.ok) throw await problemOf(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}
