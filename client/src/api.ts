// Fetch wrapper: JSON in and out, the CSRF header on writes, errors as ApiError.
import { errorMessage } from './errors';
import { t } from './i18n';

let csrfToken = '';

/** An error answer. `message` is what the user reads (in the user's language, from the code);
 *  `serverMessage` keeps the server's English text for logs and tests. */
export class ApiError extends Error {
  public serverMessage: string;
  constructor(
    public status: number,
    public code: string,
    serverMessage: string,
    public details: unknown,
  ) {
    super(errorMessage(t, code, details, status));
    this.serverMessage = serverMessage;
  }
}

export function setCsrf(token: string): void {
  csrfToken = token;
}

// Requests in flight, on <html data-pending>: a page has loaded when it is 0 (the browser tests wait for it).
let pending = 0;
function inFlight(delta: number): void {
  pending += delta;
  document.documentElement.dataset.pending = String(pending);
}

export async function api<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  inFlight(1);
  try {
    return await request<T>(method, path, body);
  } finally {
    inFlight(-1);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'network error', null);
  }
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = data?.error ?? { code: 'HTTP_' + res.status, message: res.statusText };
    throw new ApiError(res.status, e.code, e.message, e.details);
  }
  return data as T;
}
