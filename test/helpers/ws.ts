// A WebSocket test client that collects messages and waits for the one a test needs.
import WebSocket from 'ws';

export class WsClient {
  messages: any[] = [];
  private waiters: Array<{ pred: (m: any) => boolean; resolve: (m: any) => void }> = [];
  closed: { code: number; reason: string } | null = null;
  private closeWaiters: Array<(c: { code: number }) => void> = [];

  private constructor(public socket: WebSocket) {
    socket.on('message', (d) => {
      const m = JSON.parse(d.toString());
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.closeWaiters.forEach((f) => f(this.closed!));
    });
  }

  static connect(baseUrl: string, cookie: string, headers: Record<string, string> = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const s = new WebSocket(baseUrl.replace(/^http/, 'ws') + '/ws', { headers: { cookie, ...headers } });
      const c = new WsClient(s);
      s.once('open', () => resolve(c));
      s.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      s.once('error', reject);
    });
  }

  send(msg: unknown): void {
    this.socket.send(JSON.stringify(msg));
  }

  next(pred: (m: any) => boolean, timeoutMs = 10_000): Promise<any> {
    const found = this.messages.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  waitClose(timeoutMs = 10_000): Promise<{ code: number }> {
    if (this.closed) return Promise.resolve(this.closed);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('socket not closed')), timeoutMs);
      this.closeWaiters.push((c) => (clearTimeout(timer), resolve(c)));
    });
  }

  close(): void {
    this.socket.close();
  }
}
