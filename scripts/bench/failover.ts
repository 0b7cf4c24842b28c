// npm run bench:failover — three real nodes (MariaDB, Redis), bidders on every node, and ten
// kill -9 of the competition's owner during bidding (the killed node is started again each time,
// so three nodes stay). Measures the time from each death to the next accepted bid (the first
// bid committed under the next lease epoch, by its server timestamp), and checks afterwards that
// no acknowledged bid was lost or doubled and that no owner committed after its lease moved on.
// Prints one JSON object as its last line:
//   {kills, failoverMsP50, failoverMsMax, lostBids, duplicateBids, staleOwnerCommits, ...}
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { freshDatabase } from './fresh-database';
import { openDb } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { systemClock, fromDbTime } from '../../server/db/time';
import { SessionStore } from '../../server/http/auth/sessions';
import { seedDemo } from '../../db/seeds/demo';
import { auctionBody, cookieFor, createBidders } from '../../test/integration/auction-fixtures';
import { Cluster, ClusterBidder, CLUSTER_SECRETS } from '../../test/helpers/cluster';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const KILLS = env('KILLS', 10);
const BIDDERS = env('BIDDERS', 9);
const BID_BEFORE_KILL_MS = env('BID_BEFORE_KILL_MS', 1500);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_NAME = process.env.BENCH_DB ?? 'sp_bench_failover'; // BENCH_DB: another name, for runs side by side
const log = (...a: unknown[]) => console.error('[bench]', ...a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  if (!xs.length) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function main() {
  const t0 = Date.now();
  const url = await freshDatabase(DB_NAME);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-failover-'));
  const db = openDb({ dbClient: 'mysql', databaseUrl: url, dataDir });
  await migrateLatest(db);
  await seedDemo(db, systemClock, { experts: 5, suppliers: 8 });
  const bidders = await createBidders(db, systemClock, BIDDERS, { prefix: 'fo' });
  const sessions = new SessionStore(db, CLUSTER_SECRETS.SESSION_SECRET, systemClock);
  const cluster = new Cluster({ databaseUrl: url, dataDir, redisUrl: REDIS_URL });
  process.on('exit', () => {
    for (const n of cluster.nodes) n.child?.kill('SIGKILL');
  });
  await cluster.start();
  log(`three nodes up in ${Date.now() - t0} ms`);

  const opUser = await db('users').where({ username: 'operator' }).first('id');
  const op = await cookieFor(sessions, opUser.id);
  const base = cluster.nodes[0].url;
  const post = async (p: string, cookie: string, csrf: string, body: unknown) => {
    const res = await fetch(base + p, { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await res.json();
    if (!res.ok) throw new Error(`POST ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  // Long enough for every kill (the anti-sniping window never reached).
  const a = await post('/api/auctions', op.cookie, op.csrf, auctionBody(new Date(Date.now() + 3000), { visibility: 'rank_only', durationSec: 1800, decrementValue: 100, ceilingFen: 500_000_000 }));
  const id = a.id as number;
  const clients: ClusterBidder[] = [];
  for (const [i, b] of bidders.entries()) {
    const c = await cookieFor(sessions, b.userId);
    await post(`/api/auctions/${id}/join`, c.cookie, c.csrf, { brand: b.brand, model: b.model });
    const bidder = new ClusterBidder(cluster, c.cookie, id, i % 3);
    await bidder.connect();
    clients.push(bidder);
  }
  while ((await db('auctions').where({ id }).first()).status !== 'running') await sleep(50);
  while (!(await db('auction_owners').where({ auction_id: id }).first())) await sleep(20);
  log(`competition ${id} running with ${BIDDERS} bidders on three nodes`);

  // Bidding, all the time: each bidder one bid at a time, lower than its last (rank only: every such bid is valid).
  let running = true;
  const deadline = Date.now() + 30 * 60_000;
  const loops = clients.map(async (c, i) => {
    let amount = 400_000_000 - i * 1000;
    for (let n = 0; running; n++) {
      amount -= 100;
      await c.bid(`f${i}-${n}`, amount, deadline);
      await sleep(60); // under the per-supplier rate (20/s)
    }
  });

  const failovers: number[] = [];
  for (let k = 0; k < KILLS; k++) {
    await sleep(BID_BEFORE_KILL_MS);
    const lease = await db('auction_owners').where({ auction_id: id }).first();
    const owner = cluster.byNodeId(lease.node_id);
    if (!owner) throw new Error(`owner ${lease.node_id} is not a node of this cluster`);
    const epoch = Number(lease.epoch);
    const killedAt = Date.now();
    await cluster.kill(owner);
    let first: any;
    while (!(first = await db('auction_bids').where({ auction_id: id }).where('owner_epoch', '>', epoch).orderBy('seq').first('accepted_at'))) await sleep(10);
    const ms = fromDbTime(first.accepted_at)!.getTime() - killedAt;
    failovers.push(ms);
    const next = await db('auction_owners').where({ auction_id: id }).first();
    log(`kill ${k + 1}: ${owner.nodeId} (epoch ${epoch}) -> ${next.node_id} (epoch ${next.epoch}); next bid accepted after ${ms} ms`);
    await cluster.spawn(owner); // back to three nodes
  }
  await sleep(1000);
  running = false;
  await Promise.all(loops);
  for (const c of clients) c.close();
  await cluster.stop();

  // Afterwards, from the database: every acknowledged bid stored once, with its seq and amount.
  const rows = await db('auction_bids').where({ auction_id: id }).orderBy('seq');
  const stored = new Map(rows.map((r: any) => [`${r.supplier_id}|${r.client_bid_id}`, r]));
  let lostBids = 0;
  let duplicateBids = 0;
  let acked = 0;
  let unanswered = 0;
  let resends = 0;
  for (const [i, c] of clients.entries()) {
    resends += c.resends;
    for (const [cbid, answers] of c.answers) {
      const seqs = new Set(answers.filter((x) => x.type === 'bid.accepted').map((x) => x.seq));
      if (seqs.size > 1) duplicateBids += seqs.size - 1;
      if (!c.finals.has(cbid)) unanswered++;
      if (!seqs.size) continue;
      acked++;
      const r: any = stored.get(`${bidders[i].supplierId}|${cbid}`);
      if (!r || Number(r.seq) !== [...seqs][0]) lostBids++;
    }
  }
  // One row per (supplier, clientBidId) is the table's unique key; count any two rows for one bid anyway.
  duplicateBids += rows.length - stored.size;
  // No commit after a lease moved on: epochs never go back along the sequence.
  let staleOwnerCommits = 0;
  let maxEpoch = 0;
  for (const r of rows) {
    const e = Number(r.owner_epoch);
    if (e < maxEpoch) staleOwnerCommits++;
    maxEpoch = Math.max(maxEpoch, e);
  }
  const gaps = rows.filter((r: any, i: number) => Number(r.seq) !== i + 1).length;
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(
    JSON.stringify({
      kills: failovers.length,
      failoverMsP50: pct(failovers, 50),
      failoverMsMax: Math.max(...failovers),
      lostBids,
      duplicateBids,
      staleOwnerCommits,
      failoverMs: failovers,
      ackedBids: acked,
      storedBids: rows.length,
      storedNotAcked: rows.length - acked,
      unansweredBids: unanswered,
      resends,
      seqGaps: gaps,
      finalEpoch: maxEpoch,
      bidders: BIDDERS,
      leaseMs: env('OWNER_LEASE_MS', 1500),
      renewMs: env('OWNER_RENEW_MS', 500),
      loadAvg1m: Math.round(os.loadavg()[0] * 10) / 10,
      cpus: os.cpus().length,
      totalSec: Math.round((Date.now() - t0) / 100) / 10,
    }),
  );
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
