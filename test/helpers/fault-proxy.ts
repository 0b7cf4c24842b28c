// A small TCP proxy for fault injection (the Toxiproxy idea, in pure node:net): the app's
// database pool connects through it, and a test delays, stalls, cuts or refuses connections
// without touching the database server (which other test runs share).
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Chunks held back while the proxy stalls, per direction. */
  held: Array<{ to: net.Socket; chunk: Buffer }>;
}

export class FaultProxy {
  private server: net.Server;
  private pairs = new Set<Pair>();
  private stalled = false;
  private refusing = false;
  private delayMs = 0;
  /** Connections accepted and refused since the start (tests read them). */
  accepted = 0;
  refused = 0;
  port = 0;

  private constructor(private target: { host: string; port: number }) {
    this.server = net.createServer((client) => this.onClient(client));
  }

  /** Starts a proxy on a free local port in front of host:port. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    const p = new FaultProxy(target);
    await new Promise<void>((resolve) => p.server.listen(0, '127.0.0.1', () => resolve()));
    p.port = (p.server.address() as net.AddressInfo).port;
    return p;
  }

  /** The same database URL, through this proxy. */
  urlFor(databaseUrl: string): string {
    const u = new URL(databaseUrl);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get connections(): number {
    return this.pairs.size;
  }

  private onClient(client: net.Socket): void {
    if (this.refusing) {
      this.refused++;
      client.destroy(); // as a server that is down: the connection is reset at once
      return;
    }
    this.accepted++;
    client.setNoDelay(true);
    const upstream = net.connect(this.target.port, this.target.host);
    upstream.setNoDelay(true);
    const pair: Pair = { client, upstream, held: [] };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) => {
      from.on('data', (chunk: Buffer) => {
        if (this.stalled) {
          pair.held.push({ to, chunk });
          return;
        }
        if (this.delayMs > 0) {
          from.pause();
          setTimeout(() => {
            if (!to.destroyed) to.write(chunk);
            from.resume();
          }, this.delayMs);
          return;
        }
        if (!to.destroyed) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close);
    upstream.on('close', close);
    client.on('error', close);
    upstream.on('error', close);
  }

  /** Every byte waits `ms` before it is passed on (0: none). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Holds every byte in both directions (connections stay open, nothing arrives) until resume(). */
  stall(): void {
    this.stalled = true;
  }

  /** Ends a stall: held bytes are delivered in order. */
  resume(): void {
    this.stalled = false;
    for (const p of this.pairs) {
      const held = p.held.splice(0);
      for (const h of held) if (!h.to.destroyed) h.to.write(h.chunk);
    }
  }

  /** Cuts every open connection (bytes held by a stall are dropped). */
  cutAll(): number {
    const n = this.pairs.size;
    for (const p of [...this.pairs]) {
      p.held.length = 0;
      p.client.destroy();
      p.upstream.destroy();
    }
    this.pairs.clear();
    return n;
  }

  /** New connections are reset at once while refusing (a database that is down). */
  refuse(on = true): void {
    this.refusing = on;
  }

  /** A database restart: every connection cut, new ones refused for `ms`, then accepted again. */
  async restart(ms: number): Promise<void> {
    this.refuse(true);
    this.cutAll();
    await new Promise((r) => setTimeout(r, ms));
    this.refuse(false);
  }

  /** Back to a clean pass-through. */
  heal(): void {
    this.delayMs = 0;
    this.refusing = false;
    this.resume();
  }

  async close(): Promise<void> {
    this.heal();
    this.cutAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
