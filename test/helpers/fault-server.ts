// A platform whose database pool reaches MariaDB through a FaultProxy (SQLite: directly), with
// short limits so faults show within a second or two, and bidders that bid in a closed loop
// and keep every answer, to check that each bid got exactly one answer with its clientBidId.
import WebSocket from 'ws';
import { createTestDb, TEST_DIALECT, type TestDb } from './db';
import { FaultProxy } from './fault-proxy';
import { openDb, type Db } from '../../server/db/knex';
import { createPlatform, type Platform } from '../../server/platform';
import { parseEnv, type Config, type Limits } from '../../server/config';
import { systemClock } from '../../server/db/time';
import { seedDemo } from '../../db/seeds/demo';
import { createLogger } from '../../server/http/log';
import { TestClient, signedIn } from './http';
import type { AuctionService } from '../../server/execution/auctions/service';

export const FAULT_LIMITS: Partial<Limits> = {
  dbStatementTimeoutMs: 8000,
  dbLockWaitTimeoutSec: 2,
  bidCommitTimeoutMs: 1500,
  dbOutageGraceMs: 2000,
  bidRatePerSec: 25,
  bidQueuePerAuction: 2000,
  bidQueuePerSupplier: 20,
  healthTimeoutMs: 500,
  commitSlowMs: 400,
};

export interface FaultServer {
  url: string;
  platform: Platform;
  tdb: TestDb;
  /** The app's pool (through the proxy on MariaDB). */
  appDb: Db;
  proxy: FaultProxy | null;
  service: AuctionService;
  config: Config;
  logs: string[];
  as(username: string): Promise<TestClient>;
  stop(): Promise<void>;
}

export async function startFaultServer(limits: Partial<Limits> = {}): Promise<FaultServer> {
  const tdb = await createTestDb();
  await seedDemo(tdb.db, systemClock, { experts: 10, suppliers: 12 });
  let proxy: FaultProxy | null = null;
  let appDb: Db = tdb.db;
  const all = { ...FAULT_LIMITS, ...limits } as Limits;
  if (TEST_DIALECT === 'mysql') {
    const u = new URL(tdb.databaseUrl!);
    proxy = await FaultProxy.start({ host: u.hostname, port: Number(u.port || 3306) });
    appDb = openDb({ dbClient: 'mysql', databaseUrl: proxy.urlFor(tdb.databaseUrl!), dataDir: tdb.dataDir, limits: all });
  }
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
  const config: Config = {
    ...base,
    limits: all,
    dbClient: tdb.db.dialect,
    databaseUrl: tdb.databaseUrl,
    dataDir: tdb.dataDir,
    secrets: { sessionSecret: 'fault-test-session-secret-0123456789abcdef', sealKey: 'cd'.repeat(32), financeHmacSecret: 'fault-test-finance-secret-0123456789abcdef' },
  };
  const logs: string[] = [];
  const platform = createPlatform({ config, db: appDb, clock: systemClock, log: createLogger('warn', (l) => logs.push(l)), healthIntervalMs: 200 });
  const url = await platform.listen(0, '127.0.0.1');
  const service = (platform.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;
  return {
    url,
    platform,
    tdb,
    appDb,
    proxy,
    service,
    config,
    logs,
    as: (username: string) => signedIn(url, username),
    async stop() {
      proxy?.heal();
      await platform.close();
      if (appDb !== tdb.db) await appDb.destroy();
      await proxy?.close();
      await tdb.destroy();
    },
  };
}

/** Polls until `pred` holds (no fixed sleeps in the tests); returns how long it took. */
export async function waitFor(what: string, pred: () => boolean | Promise<boolean>, timeoutMs = 15000, everyMs = 25): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await pred()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** GET /api/health/ready with its status code and how long it took. */
export async function readiness(url: string): Promise<{ status: number; ms: number; body: any }> {
  const t0 = performance.now();
  const r = await fetch(`${url}/api/health/ready`);
  const body = await r.json();
  return { status: r.status, ms: performance.now() - t0, body };
}

export interface Answer {
  type: string;
  clientBidId: string;
  code?: string;
  seq?: number;
  amount?: number;
  retryAfterMs?: number;
  at: number;
}

/**
 * A bidder on its own socket, bidding in a closed loop (answer, short pause, next bid). On
 * SERVICE_UNAVAILABLE it sends the same clientBidId again (the documented client behaviour);
 * every other answer moves on to a new id. It records every send and every answer.
 */
export class LoopBidder {
  sends = new Map<string, number>();
  answers = new Map<string, Answer[]>();
  all: Answer[] = [];
  lastAccepted: number;
  private waiting = new Map<string, Array<(a: Answer) => void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private n = 0;

  private constructor(public ws: WebSocket, public name: string, public auctionId: number, ceilingFen: number, private pauseMs: number) {
    this.lastAccepted = ceilingFen;
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString());
      if ((m.type === 'bid.accepted' || m.type === 'bid.rejected' || m.type === 'error') && typeof m.clientBidId === 'string') {
        const a: Answer = { ...m, at: performance.now() };
        (this.answers.get(m.clientBidId) ?? this.answers.set(m.clientBidId, []).get(m.clientBidId)!).push(a);
        this.all.push(a);
        const q = this.waiting.get(m.clientBidId);
        const next = q?.shift();
        if (next) next(a);
      }
    });
  }

  static connect(url: string, cookie: string, name: string, auctionId: number, ceilingFen: number, pauseMs = 40): Promise<LoopBidder> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url.replace(/^http/, 'ws') + '/ws', { headers: { cookie } });
      ws.once('open', () => resolve(new LoopBidder(ws, name, auctionId, ceilingFen, pauseMs)));
      ws.once('error', reject);
    });
  }

  /** Sends one bid and waits for its answer (at most timeoutMs). */
  send(clientBidId: string, amount: number, timeoutMs = 20000): Promise<Answer> {
    this.sends.set(clientBidId, (this.sends.get(clientBidId) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${clientBidId} within ${timeoutMs} ms`)), timeoutMs);
      (this.waiting.get(clientBidId) ?? this.waiting.set(clientBidId, []).get(clientBidId)!).push((a) => {
        clearTimeout(timer);
        resolve(a);
      });
      this.ws.send(JSON.stringify({ type: 'bid', auctionId: this.auctionId, amount, clientBidId }));
    });
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      let id = `${this.name}-${this.n++}`;
      let amount = this.lastAccepted - 1000 - Math.floor(Math.random() * 500);
      while (this.running) {
        const a = await this.send(id, amount);
        if (a.type === 'bid.accepted') this.lastAccepted = Math.min(this.lastAccepted, a.amount!);
        if (a.code === 'SERVICE_UNAVAILABLE') {
          await new Promise((r) => setTimeout(r, Math.min(a.retryAfterMs ?? 200, 150)));
          continue; // the same clientBidId again
        }
        if (a.code === 'RATE_LIMITED' || a.code === 'BID_NOT_RECORDED') await new Promise((r) => setTimeout(r, Math.min(a.retryAfterMs ?? 100, 150)));
        id = `${this.name}-${this.n++}`;
        amount = this.lastAccepted - 1000 - Math.floor(Math.random() * 500);
        await new Promise((r) => setTimeout(r, this.pauseMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  close(): void {
    this.ws.close();
  }
}
