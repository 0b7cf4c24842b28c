// npm run bench:auction — live competitions over real WebSockets against the server on MySQL.
// Builds its own database (sp_bench_auction), starts the real server as a child process, opens
// SOCKETS sockets across AUCTIONS competitions, lets every bidder bid for DURATION seconds,
// then measures on the same database the raw single-row INSERT commit rate and a naive
// baseline (one transaction per bid, SELECT ... FOR UPDATE on the competition row).
// Then an open-loop phase: OFFERED bids/s sent on a schedule (not after each answer) across all
// sockets for OPEN_LOOP_SECONDS, measuring send -> bid.accepted and acceptance -> the last
// subscriber's state at that fixed load. CLUSTER=3 runs the same against three nodes (Redis at
// REDIS_URL), the sockets spread over the nodes.
// Prints one JSON object as its last line.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { freshDatabase } from './fresh-database';
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
const NODES = env('CLUSTER', 1);
const OFFERED = env('OFFERED', 1000); // open loop: bids per second offered
const OPEN_LOOP_S = env('OPEN_LOOP_SECONDS', 10);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'bench-session-secret-0123456789abcdef';
const DB_NAME = process.env.BENCH_DB ?? 'sp_bench_auction'; // BENCH_DB: another name, for runs side by side
const OPEN_ACK = Buffer.from('"clientBidId":"o');
const log = (...a: unknown[]) => console.error('[bench]', ...a);
/** Each node's engine statistics, logged when it stops. */
const nodeStats: Array<Record<string, number>> = [];

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

async function startServer(url: string, port: number, dataDir: string, node = 0): Promise<ChildProcess> {
  const childEnv: Record<string, string> = { ...(process.env as Record<string, string>), NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: 'false', SESSION_SECRET: SECRET, DATABASE_URL: url };
  delete childEnv.DB_CLIENT;
  delete childEnv.REDIS_URL;
  if (NODES > 1) Object.assign(childEnv, { REDIS_URL, NODE_ID: `bench${node}`, SEAL_KEY: 'be'.repeat(32), FINANCE_HMAC_SECRET: 'bench-finance-secret-0123456789abcdef', DATA_DIR: path.join(dataDir, `node${node}`) });
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
      if (line.includes('"auction engine"')) nodeStats.push(JSON.parse(line));
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
  /** Index of the node this socket is connected to. */
  node: number;
  auctionId: number;
  supplierId: number;
  states: Array<[number, number]>; // [seq, receivedAt]
  best: number | null;
  mine: number | null;
}

/** The engine statistics of every node added up (one node: its own). */
function engineStats(): Record<string, number> | null {
  if (!nodeStats.length) return null;
  const keys = ['batches', 'bids', 'validateMs', 'commitMs', 'insertBidsMs', 'auditMs', 'figuresMs', 'beginMs', 'txOpenMs', 'fenceMs', 'endMs', 'announceMs', 'fencedBatches', 'writesMs'] as const;
  const sum: Record<string, number> = {};
  for (const k of keys) sum[k] = nodeStats.reduce((n, st) => n + Number(st[k] ?? 0), 0);
  sum.maxBatch = Math.max(...nodeStats.map((st) => Number(st.maxBatch ?? 0)));
  sum.meanBatch = Math.round(sum.bids / Math.max(1, sum.batches));
  return sum;
}

async function main() {
  const t0 = Date.now();
  const url = await freshDatabase(DB_NAME);
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

  const ports: number[] = [];
  for (let i = 0; i < NODES; i++) ports.push(await freePort());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-'));
  let children = await Promise.all(ports.map((p, i) => startServer(url, p, dataDir, i)));
  process.on('exit', () => children?.forEach((c) => c.kill('SIGKILL')));
  const port = ports[0];
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
  let nth = 0;
  await pool(joins, 50, async ({ a, m }) => {
    // Spread over the nodes: a competition's bidders sit on every node (most bids are forwarded).
    const node = nth++ % NODES;
    const ws = new WebSocket(`ws://127.0.0.1:${ports[node]}/ws`, { headers: { cookie: cookies.get(m.supplierId)!.cookie }, perMessageDeflate: false });
    await new Promise<void>((res, rej) => (ws.once('open', () => res()), ws.once('error', rej)));
    const s: Sock = { ws, node, auctionId: a.id, supplierId: m.supplierId, states: [], best: null, mine: null };
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

  // The saturation phase's tail (batches, supervision, announcements) settles before the open
  // loop: it measures a steady load, not the backlog of the phase before.
  await new Promise((r) => setTimeout(r, 3000));

  // Open loop: bids on a fixed schedule, whatever the answers; each socket in turn (every
  // socket bids once per socks.length / OFFERED seconds, well under the per-supplier rate).
  log(`open loop: ${OFFERED} bids/s offered over ${socks.length} sockets for ${OPEN_LOOP_S} s`);
  // Cluster: which node owns each competition, so acks split into bids taken by the owner's own
  // node and bids forwarded to it over the bus (two hops more).
  const ownerNode = new Map<number, number>();
  if (NODES > 1) {
    for (const r of await db('auction_owners').whereIn('auction_id', auctions.map((a) => a.id)).select('auction_id', 'node_id')) ownerNode.set(Number(r.auction_id), Number(String(r.node_id).replace('bench', '')));
  }
  const ackLocal: number[] = [];
  const ackTrace: string[] = []; // ACK_TRACE=file: one line per acknowledged open-loop bid (sent ms, latency ms, competition, owner, socket node)
  const openStartAt = wall();
  const ackForwarded: number[] = [];
  const open = { sent: 0, answered: 0, accepted: 0, rejectCodes: {} as Record<string, number>, ack: [] as number[], acks: [] as Array<{ auctionId: number; seq: number; ackAt: number }> };
  const openPending = new Map<string, { sentAt: number; s: Sock }>();
  for (const s of socks) {
    s.ws.on('message', (data: Buffer) => {
      // Most messages are states: looked at as bytes, not decoded a second time (the load
      // generator shares the machine's two cores with the nodes it measures).
      if (!data.includes(OPEN_ACK)) return;
      const now = wall();
      const m = JSON.parse(data.toString());
      const p = openPending.get(m.clientBidId);
      if (!p) return;
      openPending.delete(m.clientBidId);
      open.answered++;
      if (m.type === 'bid.accepted') {
        open.accepted++;
        open.ack.push(now - p.sentAt);
        if (NODES > 1) (ownerNode.get(s.auctionId) === s.node ? ackLocal : ackForwarded).push(now - p.sentAt);
        if (process.env.ACK_TRACE) ackTrace.push(`${Math.round(p.sentAt - openStartAt)} ${Math.round(now - p.sentAt)} ${s.auctionId} ${ownerNode.get(s.auctionId) ?? 0} ${s.node}`);
        p.s.mine = m.amount;
        open.acks.push({ auctionId: s.auctionId, seq: m.seq, ackAt: now });
      } else open.rejectCodes[m.code] = (open.rejectCodes[m.code] ?? 0) + 1;
    });
  }
  // The load generator's own lateness (its event loop) is in every latency it measures: reported
  // beside them, so a tail the generator made is told from one the servers made.
  const loopDelay = monitorEventLoopDelay({ resolution: 5 });
  loopDelay.enable();
  const openStart = wall();
  const openEnd = openStart + OPEN_LOOP_S * 1000;
  let cursor = 0;
  await new Promise<void>((done) => {
    const tick = () => {
      const now = wall();
      // As many as the schedule says are due by now (timers are coarse; the schedule is not).
      const due = Math.min(Math.floor(((Math.min(now, openEnd) - openStart) / 1000) * OFFERED), OPEN_LOOP_S * OFFERED);
      while (open.sent < due) {
        const s = socks[cursor++ % socks.length];
        const ref = s.mine ?? 500_000_000;
        const amount = Math.min(ref, s.best ?? ref) - 100 - Math.floor(Math.random() * 5) * 100;
        const id = `o${++open.sent}`;
        openPending.set(id, { sentAt: wall(), s });
        s.ws.send(JSON.stringify({ type: 'bid', auctionId: s.auctionId, amount, clientBidId: id }));
      }
      if (now >= openEnd) return done();
      setTimeout(tick, 1);
    };
    tick();
  });
  const openElapsed = (wall() - openStart) / 1000;
  loopDelay.disable();
  if (process.env.ACK_TRACE) setTimeout(() => fs.writeFileSync(process.env.ACK_TRACE!, ackTrace.join('\n')), 900);
  await new Promise((r) => setTimeout(r, 1000)); // the last answers and states
  const openFanout: number[] = [];
  for (const a of open.acks) {
    let last = 0;
    for (const s of byAuction.get(a.auctionId)!) {
      let lo = 0;
      let hi = s.states.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (s.states[mid][0] >= a.seq) hi = mid;
        else lo = mid + 1;
      }
      const st = s.states[lo];
      if (!st) {
        last = NaN;
        break;
      }
      last = Math.max(last, st[1]);
    }
    if (!Number.isNaN(last)) openFanout.push(Math.max(0, last - a.ackAt));
  }
  log(`open loop done: ${open.sent} sent, ${open.answered} answered, ${open.accepted} accepted`);

  for (const s of socks) s.ws.terminate();
  // A graceful stop, so each server reports where its time went.
  for (const child of children) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }

  // No acknowledged bid lost: each ack is a stored row with the same seq, amount and supplier.
  const rows = await db('auction_bids').whereIn('auction_id', auctions.map((a) => a.id)).select('auction_id', 'seq', 'amount_fen', 'supplier_id');
  const stored = new Map(rows.map((r: any) => [`${r.auction_id}:${r.seq}`, r]));
  let lost = 0;
  for (const a of acks) {
    const r: any = stored.get(`${a.auctionId}:${a.seq}`);
    if (!r || Number(r.amount_fen) !== a.amount || Number(r.supplier_id) !== a.supplierId) lost++;
  }
  for (const a of open.acks) {
    if (!stored.has(`${a.auctionId}:${a.seq}`)) lost++;
  }
  const extraRows = rows.length - acks.length - open.acks.length;

  log('measuring the raw INSERT rate and the naive baseline on the same database');
  const rawInsertPerSec = await rawInsertRate(db);
  const naiveBidsPerSec = await naiveRate(db, auctions.map((a) => a.id));
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  children = [];

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
      nodes: NODES,
      offeredBidsPerSec: OFFERED,
      openLoopAckP50Ms: pct(open.ack, 50),
      openLoopAckP99Ms: pct(open.ack, 99),
      openLoopFanoutP50Ms: pct(openFanout, 50),
      openLoopFanoutP99Ms: pct(openFanout, 99),
      ...(NODES > 1 ? { openLoopAckOwnNodeP50Ms: pct(ackLocal, 50), openLoopAckOwnNodeP99Ms: pct(ackLocal, 99), openLoopAckForwardedP50Ms: pct(ackForwarded, 50), openLoopAckForwardedP99Ms: pct(ackForwarded, 99) } : {}),
      openLoopSentPerSec: Math.round(open.sent / openElapsed),
      openLoopAcceptedPerSec: Math.round(open.accepted / openElapsed),
      openLoopUnanswered: open.sent - open.answered,
      // The load generator's event-loop delay during the open loop (ns -> ms; 5 ms sampling).
      loadGeneratorLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
      loadGeneratorLoopDelayMaxMs: Math.round(loopDelay.max / 1e4) / 100,
      openLoopRejectCodes: open.rejectCodes,
      durationSec: Math.round(elapsed * 10) / 10,
      server: engineStats(),
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
