// Three (or n) real server processes on one MariaDB database and one Redis, for the cluster
// tests and bench:failover: spawn, kill -9, SIGSTOP/SIGCONT, restart. Each process is started
// as `node --import tsx server/main.ts` with NODE_ID n<i>g<generation>, so a lease row names the
// process that holds it.
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WsClient } from './ws';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const CLUSTER_SECRETS = {
  SESSION_SECRET: 'cluster-test-session-secret-0123456789abcdef',
  SEAL_KEY: 'cd'.repeat(32),
  FINANCE_HMAC_SECRET: 'cluster-test-finance-secret-0123456789abcdef',
};

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ClusterNode {
  index: number;
  nodeId: string;
  port: number;
  url: string;
  child: ChildProcess | null;
  generation: number;
  stopped: boolean;
}

export class Cluster {
  nodes: ClusterNode[] = [];

  constructor(private opts: { databaseUrl: string; dataDir: string; redisUrl: string; size?: number; env?: Record<string, string>; logLevel?: string }) {}

  async start(): Promise<void> {
    const n = this.opts.size ?? 3;
    for (let i = 0; i < n; i++) {
      const port = await freePort();
      this.nodes.push({ index: i, nodeId: '', port, url: `http://127.0.0.1:${port}`, child: null, generation: 0, stopped: false });
    }
    await Promise.all(this.nodes.map((node) => this.spawn(node)));
  }

  /** (Re)starts a node process and waits until it answers /api/health. */
  async spawn(node: ClusterNode): Promise<void> {
    node.generation++;
    node.nodeId = `n${node.index}g${node.generation}`;
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      NODE_ENV: 'development',
      LOG_LEVEL: this.opts.logLevel ?? 'warn',
      PORT: String(node.port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(this.opts.dataDir, `node${node.index}`),
      SEED_DEMO: 'false',
      DB_CLIENT: 'mysql',
      DATABASE_URL: this.opts.databaseUrl,
      REDIS_URL: this.opts.redisUrl,
      NODE_ID: node.nodeId,
      ...CLUSTER_SECRETS,
      ...this.opts.env,
    };
    node.child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
    node.stopped = false;
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(`${node.url}/api/health`)).ok) return;
      } catch {
        /* not up yet */
      }
      if (node.child.exitCode !== null) throw new Error(`node ${node.nodeId} exited with ${node.child.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`node ${node.nodeId} did not start`);
  }

  byNodeId(nodeId: string): ClusterNode | undefined {
    return this.nodes.find((n) => n.nodeId === nodeId);
  }

  alive(): ClusterNode[] {
    return this.nodes.filter((n) => n.child && n.child.exitCode === null && n.child.signalCode === null && !n.stopped);
  }

  /** kill -9; resolves once the process is gone. */
  async kill(node: ClusterNode): Promise<void> {
    const child = node.child!;
    const gone = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await gone;
  }

  pause(node: ClusterNode): void {
    node.child!.kill('SIGSTOP');
    node.stopped = true;
  }

  resume(node: ClusterNode): void {
    node.child!.kill('SIGCONT');
    node.stopped = false;
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) {
      if (!n.child || n.child.exitCode !== null || n.child.signalCode !== null) continue;
      if (n.stopped) n.child.kill('SIGCONT');
      await this.kill(n);
    }
  }
}

/**
 * A bidder as a real client behaves: one socket to one node, bids one at a time, and resends the
 * same clientBidId when told to (SERVICE_UNAVAILABLE, BID_NOT_RECORDED, rate limits) or when its
 * socket drops (reconnecting to another live node). Records every answer and every state seen.
 */
export class ClusterBidder {
  ws: WsClient | null = null;
  node: ClusterNode | null = null;
  /** clientBidId → answers received (a resend may get a second, identical one). */
  answers = new Map<string, any[]>();
  /** Final answer per clientBidId, with when it arrived (Date.now()). */
  finals = new Map<string, { answer: any; at: number }>();
  /** Per socket connection: the seqs of the competition states it received, in arrival order. */
  stateSeqs: number[][] = [];
  resends = 0;
  reconnects = 0;

  constructor(
    private cluster: Cluster,
    private cookie: string,
    private auctionId: number,
    private prefer: number,
  ) {}

  async connect(): Promise<void> {
    const alive = this.cluster.alive();
    if (!alive.length) throw new Error('no live node');
    const node = alive.find((n) => n.index === this.prefer) ?? alive[this.prefer % alive.length];
    const ws = await WsClient.connect(node.url, this.cookie);
    this.ws = ws;
    this.node = node;
    const seqs: number[] = [];
    this.stateSeqs.push(seqs);
    ws.socket.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if (m.type === 'auction.state' && m.auctionId === this.auctionId && typeof m.seq === 'number') seqs.push(m.seq);
    });
    ws.send({ type: 'subscribe', channel: `auction:${this.auctionId}` });
  }

  /** Sends a bid and resends it (same clientBidId) until it has a final answer or the deadline passes. */
  async bid(clientBidId: string, amount: number, deadline: number): Promise<any | null> {
    for (;;) {
      if (Date.now() > deadline) return null;
      if (!this.ws || this.ws.closed || (this.node && !this.cluster.alive().includes(this.node))) {
        try {
          this.ws?.close();
          this.reconnects++;
          if (this.node && !this.cluster.alive().includes(this.node)) this.prefer = (this.prefer + 1) % this.cluster.nodes.length;
          await this.connect();
        } catch {
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
      }
      const ws = this.ws!;
      const seen = ws.messages.length;
      ws.send({ type: 'bid', auctionId: this.auctionId, amount, clientBidId });
      const answer = await Promise.race([
        ws.next((m) => m.clientBidId === clientBidId && ws.messages.indexOf(m) >= seen, 6000).catch(() => null),
        ws.waitClose(6000).then(
          () => null,
          () => null,
        ),
      ]);
      if (!answer) {
        this.resends++;
        continue; // the socket dropped or nothing came: resend (same clientBidId)
      }
      (this.answers.get(clientBidId) ?? this.answers.set(clientBidId, []).get(clientBidId)!).push(answer);
      if (answer.type === 'bid.rejected' && answer.retryAfterMs !== undefined) {
        this.resends++;
        await new Promise((r) => setTimeout(r, Math.min(answer.retryAfterMs, 500)));
        continue;
      }
      this.finals.set(clientBidId, { answer, at: Date.now() });
      return answer;
    }
  }

  close(): void {
    this.ws?.close();
  }
}
