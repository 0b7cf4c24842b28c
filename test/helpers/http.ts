// A small HTTP client for tests: keeps the session cookie and sends the CSRF header on writes.
export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/**
 * fetch, sent again once when a pooled keep-alive connection turns out to have been closed by the
 * server as the request went out (ECONNRESET / "other side closed" before any response): the
 * server never read that request, so sending it again on a fresh connection is what a browser does.
 */
async function fetchOnce(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reset = cause?.code === 'ECONNRESET' || cause?.code === 'UND_ERR_SOCKET' || /other side closed/.test(cause?.message ?? '');
    if (!reset) throw err;
    return fetch(url, init);
  }
}

export class TestClient {
  cookie = '';
  csrf = '';
  constructor(public baseUrl: string) {}

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (this.csrf && method !== 'GET' && !('x-csrf-token' in headers)) h['x-csrf-token'] = this.csrf;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetchOnce(this.baseUrl + path, { method, headers: h, body: payload });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const v = setCookie.split(';')[0];
      this.cookie = v.endsWith('=') ? '' : v;
    }
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get<T = any>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body, headers);
  }

  async login(username: string, password = 'Sunshine@2026'): Promise<Res> {
    const r = await this.post('/api/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.body.csrfToken;
    return r;
  }
}

/** A client signed in as a demo account (the demo password), or an error naming the refusal. */
export async function signedIn(baseUrl: string, username: string): Promise<TestClient> {
  const c = new TestClient(baseUrl);
  const r = await c.login(username);
  if (r.status !== 200) throw new Error(`login ${username} failed: ${JSON.stringify(r.body)}`);
  return c;
}
