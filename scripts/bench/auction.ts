// npm run bench:auction — live competitions over real WebSockets against the server on MySQL.
// Builds its own database (sp_bench_auction), starts the real server as a child process, opens
// SOCKETS sockets across AUCTIONS competitions, lets every bidder bid for DURATION seconds,
// then measures on the same database the raw single-row INSERT commit rate and a naive
// baseline (one transaction per bid, SELECT ... FOR UPDATE on the competition row).
// Prints one JSON object as its last line.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import knexFactory from 'knex';
import WebSocket from 'ws';
import { openDb, forUpdate, type Db } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { withTx } from '../../server/db/tx';
import { systemClock, toDbTime } from '../../server/db/time';
import { SessionStore } from '../../server/http/auth/sessions';
import { record } from '../../server/supervision/audit/audit';
import { systemActor } from '../../server/http/actor';
import { seedDemo } from '../../db/seeds/demo';
import { auctionBody, cookieFor, createBidders } from '../../test/integration/auction-fixtures';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const AUCTIONS = env('AUCTIONS', 100);
const PER_AUCTION = env('BIDDERS', 20); // sockets per competition
const DURATION_S = env('DURATION', 20);
const THINK_MS = env('THINK_MS', 200); // mean pause between a bidder's answer and its next bid
const BASELINE_S = env('BASELINE_SECONDS', 4);
const BASELINE_WORKERS = env('BASELINE_WORKERS', 32);
const SECRET = 'bench-session-secret-0123456789abcdef';
const DB_NAME = 'sp_bench_auction';
const log = (...a: unknown[]) => console.error('[bench]', ...a);
let engineStats: Record<string, unknown> | null = null;

function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 100) / 100;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

async function freshDatabase(): Promise<string> {
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const admin = knexFactory({ client: 'mysql2', connection: { host: base.hostname, port: Number(base.port || 3306), user: decodeURIComponent(base.username), password: decodeURIComponent(base.password) } });
  await admin.raw(`DROP DATABASE IF EXISTS \`${DB_NAME}\``);
  await admin.raw(`CREATE DATABASE \`${DB_NAME}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.destroy();
  base.pathname = `/${DB_NAME}`;
  return base.toString();
}

async function startServer(url: string, port: number, dataDir: string): Promise<ChildProcess> {
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: 'false', SESSION_SECRET: SECRET, DATABASE_URL: url };
  delete childEnv.DB_CLIENT;
  // PROFILE_DIR=dir: the server writes a V8 CPU profile there (stopped with SIGTERM, not SIGKILL).
  const prof = process.env.PROFILE_DIR ? ['--cpu-prof', '--cpu-prof-dir', process.env.PROFILE_DIR] : [];
  const child = spawn(process.execPath, [...prof, '--import', 'tsx', 'server/main.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  // The server logs its engine statistics (batches, commit time) when it stops.
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.includes('"auction engine"')) engineStats = JSON.parse(line);
      else if (/"level":"(warn|error)"/.test(line)) console.error(line);
    }
  });
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return child;
    } catch {
      /* starting */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not start');
}

async function http(base: string, method: string, p: string, cookie: string, csrf: string, body?: unknown) {
  const res = await fetch(base + p, { method, headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>) {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

/** Raw durable single-row INSERT commits (autocommit), BASELINE_WORKERS connections. */
async function rawInsertRate(db: Db): Promise<number> {
  await db.schema.createTable('bench_raw_insert', (t) => {
    t.bigIncrements('id');
    t.integer('auction_id').notNullable();
    t.bigInteger('amount_fen').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable();
  });
  let n = 0;
  const until = Date.now() + BASELINE_S * 1000;
  await Promise.all(Array.from({ length: BASELINE_WORKERS }, async (_, w) => {
    while (Date.now() < until) {
      await db('bench_raw_insert').insert({ auction_id: w, amount_fen: 1000 + n, created_at: toDbTime(Date.now()) });
      n++;
    }
  }));
  return Math.round(n / BASELINE_S);
}

/** Naive: one transaction per bid, the competition row locked, the bid and its audit event. */
async function naiveRate(db: Db, auctionIds: number[]): Promise<number> {
  let n = 0;
  const until = Date.now() + BASELINE_S * 1000;
  const actor = systemActor('bench-naive', systemClock);
  await Promise.all(Array.from({ length: BASELINE_WORKERS }, async (_, w) => {
    let k = 0;
    while (Date.now() < until) {
      const id = auctionIds[(w * 7 + k++) % auctionIds.length];
      await withTx(db, async (tx) => {
        const a = await forUpdate(tx, tx('auctions').where({ id })).first();
        const seq = Number(a.last_seq) + 1;
        const amount = Number(a.best_fen ?? a.ceiling_fen) - 1;
        if (a.status !== 'running' || amount <= 0) throw new Error('not biddable');
        await tx('auction_bids').insert({ auction_id: id, seq, supplier_id: a.best_supplier_id ?? 1, amount_fen: amount, client_bid_id: `naive-${w}-${k}`, accepted_at: toDbTime(Date.now()) });
        await record(tx, actor, { action: 'auction.bid_accepted', entityType: 'auction', entityId: id, after: { seq, amountFen: amount } });
        await tx('auctions').where({ id }).update({ last_seq: seq, best_fen: amount, bid_count: Number(a.bid_count) + 1 });
      });
      n++;
    }
  }));
  return Math.round(n / BASELINE_S);
}

interface Sock {
  ws: WebSocket;
  auctionId: number;
  supplierId: number;
  states: Array<[number, number]>; // [seq, receivedAt]
  best: number | null;
  mine: number | null;
}

async function main() {
  const t0 = Date.now();
  const url = await freshDatabase();
  const db = openDb({ dbClient: 'mysql', databaseUrl: url, dataDir: os.tmpdir() }, { poolMax: BASELINE_WORKERS + 2 });
  await migrateLatest(db);
  await seedDemo(db, systemClock, { experts: 5, suppliers: 8 });
  const groups = 10;
  const bidders = await createBidders(db, systemClock, groups * PER_AUCTION, { prefix: 'bench' });
  const sessions = new SessionStore(db, SECRET, systemClock);
  const cookies = new Map<number, { cookie: string; csrf: string }>();
  for (const b of bidders) cookies.set(b.supplierId, await cookieFor(sessions, b.userId));
  const opUser = await db('users').where({ username: 'operator' }).first('id');
  const op = await cookieFor(sessions, opUser.id);
  log(`database ready in ${Date.now() - t0} ms`);

  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-'));
  let child = await startServer(url, port, dataDir);
  process.on('exit', () => child?.kill('SIGKILL'));
  const base = `http://127.0.0.1:${port}`;

  // Competitions: mostly rank-only (every bid below one's own last is valid), some best-price
  // and ladder (bids race for the best price, so many are rejected as NOT_BELOW_BEST).
  // Created to start in an hour; once everyone has joined, the start is brought forward in the
  // database (row and durable open job) so the server's own scheduler opens them all together.
  let startsAt = new Date(Date.now() + 3600_000);
  const auctions: Array<{ id: number; visibility: string; members: typeof bidders }> = [];
  for (let j = 0; j < AUCTIONS; j++) {
    const visibility = j % 10 === 8 ? 'best_price' : j % 10 === 9 ? 'ladder' : 'rank_only';
    const a = await http(base, 'POST', '/api/auctions', op.cookie, op.csrf, auctionBody(startsAt, { visibility, durationSec: 3600, extensionSec: 0, ceilingFen: 500_000_000, decrementKind: 'absolute', decrementValue: 100, title: `bench ${j}` }));
    const g = j % groups;
    auctions.push({ id: a.id, visibility, members: bidders.slice(g * PER_AUCTION, (g + 1) * PER_AUCTION) });
  }
  const joins = auctions.flatMap((a) => a.members.map((m) => ({ a, m })));
  await pool(joins, 16, async ({ a, m }) => {
    const c = cookies.get(m.supplierId)!;
    await http(base, 'POST', `/api/auctions/${a.id}/join`, c.cookie, c.csrf, { brand: m.brand, model: m.model, deviceId: `bench-${m.supplierId}` });
  });
  log(`${AUCTIONS} competitions, ${joins.length} participants joined; waiting for the start`);
  startsAt = new Date(Date.now() + 3000);
  await db('auctions').whereIn('id', auctions.map((a) => a.id)).update({ starts_at: toDbTime(startsAt) });
  await db('scheduled_jobs').whereIn('job_key', auctions.map((a) => `auction:open:${a.id}`)).update({ run_at: toDbTime(startsAt) });

  const socks: Sock[] = [];
  await pool(joins, 50, async ({ a, m }) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { cookie: cookies.get(m.supplierId)!.cookie }, perMessageDeflate: false });
    await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
    const s: Sock = { ws, auctionId: a.id, supplierId: m.supplierId, states: [], best: null, mine: null };
    socks.push(s);
    ws.send(JSON.stringify({ type: 'subscribe', channel: `auction:${a.id}` }));
  });
  while (Date.now() < startsAt.getTime() + 1500) await new Promise((r) => setTimeout(r, 200));
  for (let i = 0; i < 100; i++) {
    const r = await db('auctions').whereIn('id', auctions.map((a) => a.id)).where({ status: 'running' }).count({ n: '*' }).first();
    if (Number(r?.n) === AUCTIONS) break;
    await new Promise((r2) => setTimeout(r2, 200));
  }
  log(`${socks.length} sockets connected; bidding for ${DURATION_S} s`);

  // The live phase.
  const acks: Array<{ auctionId: number; seq: number; amount: number; supplierId: number; at: number; ackAt: number }> = [];
  const wall = () => performance.timeOrigin + performance.now(); // epoch ms, same clock as the server's
  const ackLatency: number[] = [];
  let rejected = 0;
  const rejectCodes: Record<string, number> = {};
  let stopAt = 0;
  let counter = 0;
  const started = Date.now();
  stopAt = started + DURATION_S * 1000;
  await Promise.all(socks.map((s) => new Promise<void>((done) => {
    let pending: { id: string; sentAt: number } | null = null;
    const next = () => {
      if (Date.now() >= stopAt) return done();
      const ref = s.mine ?? 500_000_000;
      const best = s.best ?? ref;
      const amount = Math.min(ref, best) - 100 - Math.floor(Math.random() * 5) * 100;
      const id = `b${++counter}`;
      pending = { id, sentAt: wall() };
      s.ws.send(JSON.stringify({ type: 'bid', auctionId: s.auctionId, amount, clientBidId: id }));
    };
    s.ws.on('message', (data: Buffer) => {
      const text = data.toString();
      const now = wall();
      if (text.startsWith('{"type":"auction.state"')) {
        const seq = Number(/"seq":(\d+)/.exec(text)?.[1] ?? 0);
        s.states.push([seq, now]);
        const b = /"best":(\d+)/.exec(text);
        if (b) s.best = Number(b[1]);
        return;
      }
      const m = JSON.parse(text);
      if ((m.type === 'bid.accepted' || m.type === 'bid.rejected') && pending && m.clientBidId === pending.id) {
        ackLatency.push(now - pending.sentAt);
        if (m.type === 'bid.accepted') {
          s.mine = m.amount;
          // Fan-out is measured from this durable acknowledgement (and, for comparison, from the
          // server's validation time, before the group commit the bid waited for).
          acks.push({ auctionId: s.auctionId, seq: m.seq, amount: m.amount, supplierId: s.supplierId, at: Date.parse(m.acceptedAt), ackAt: now });
        } else {
          rejected++;
          rejectCodes[m.code] = (rejectCodes[m.code] ?? 0) + 1;
        }
        pending = null;
        setTimeout(next, Math.random() * 2 * THINK_MS);
      }
    });
    setTimeout(next, Math.random() * THINK_MS);
  })));
  const elapsed = (Date.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 500)); // the last states
  log(`live phase done: ${acks.length} accepted, ${rejected} rejected`);

  // Fan-out: from the acceptance (the bidder's durable bid.accepted) to the last subscriber's state
  // with that seq. Ack latency (send -> bid.accepted) and fan-out (bid.accepted -> everyone) add
  // up to the whole path; fanoutFromValidation* also counts the commit wait, which the ack covers.
  const byAuction = new Map<number, Sock[]>();
  for (const s of socks) (byAuction.get(s.auctionId) ?? byAuction.set(s.auctionId, []).get(s.auctionId)!).push(s);
  const fanout: number[] = [];
  const fanoutFromValidation: number[] = [];
  let unseen = 0;
  for (const a of acks) {
    let last = 0;
    for (const s of byAuction.get(a.auctionId)!) {
      // first state carrying this seq or a later one (states arrive in seq order)
      let lo = 0;
      let hi = s.states.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (s.states[mid][0] >= a.seq) hi = mid;
        else lo = mid + 1;
      }
      if (lo === s.states.length) {
        unseen++;
        last = NaN;
        break;
      }
      last = Math.max(last, s.states[lo][1]);
    }
    if (!Number.isNaN(last)) {
      fanout.push(Math.max(0, last - a.ackAt));
      fanoutFromValidation.push(Math.max(0, last - a.at));
    }
  }

  for (const s of socks) s.ws.terminate();
  // A graceful stop, so the server reports where its time went.
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));

  // No acknowledged bid lost: each ack is a stored row with the same seq, amount and supplier.
  const rows = await db('auction_bids').whereIn('auction_id', auctions.map((a) => a.id)).select('auction_id', 'seq', 'amount_fen', 'supplier_id');
  const stored = new Map(rows.map((r: any) => [`${r.auction_id}:${r.seq}`, r]));
  let lost = 0;
  for (const a of acks) {
    const r: any = stored.get(`${a.auctionId}:${a.seq}`);
    if (!r || Number(r.amount_fen) !== a.amount || Number(r.supplier_id) !== a.supplierId) lost++;
  }
  const extraRows = rows.length - acks.length;

  log('measuring the raw INSERT rate and the naive baseline on the same database');
  const rawInsertPerSec = await rawInsertRate(db);
  const naiveBidsPerSec = await naiveRate(db, auctions.map((a) => a.id));
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  child = null as unknown as ChildProcess;

  const acceptedBidsPerSec = Math.round(acks.length / elapsed);
  console.log(
    JSON.stringify({
      acceptedBidsPerSec,
      ackP50Ms: pct(ackLatency, 50),
      ackP99Ms: pct(ackLatency, 99),
      fanoutP50Ms: pct(fanout, 50),
      fanoutP99Ms: pct(fanout, 99),
      fanoutFromValidationP50Ms: pct(fanoutFromValidation, 50),
      fanoutFromValidationP99Ms: pct(fanoutFromValidation, 99),
      sockets: socks.length,
      auctions: AUCTIONS,
      rawInsertPerSec,
      naiveBidsPerSec,
      lostBids: lost,
      speedupVsNaive: naiveBidsPerSec ? Math.round((acceptedBidsPerSec / naiveBidsPerSec) * 10) / 10 : null,
      acceptedBids: acks.length,
      rejectedBids: rejected,
      rejectCodes,
      storedRowsNotAcked: extraRows,
      fanoutUnseen: unseen,
      durationSec: Math.round(elapsed * 10) / 10,
      server: engineStats ? { batches: engineStats.batches, meanBatch: engineStats.meanBatch, maxBatch: engineStats.maxBatch, validateMs: engineStats.validateMs, commitMs: engineStats.commitMs, insertBidsMs: engineStats.insertBidsMs, auditMs: engineStats.auditMs, figuresMs: engineStats.figuresMs, beginMs: engineStats.beginMs, endMs: engineStats.endMs, announceMs: engineStats.announceMs } : null,
      loadAvg1m: Math.round(os.loadavg()[0] * 10) / 10,
      thinkMs: THINK_MS,
      baselineWorkers: BASELINE_WORKERS,
      cpus: os.cpus().length,
      db: 'mysql',
      totalSec: Math.round((Date.now() - t0) / 100) / 10,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
