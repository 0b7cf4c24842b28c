// npm run bench:audit-contention — bids/s through the real sequencer (AuctionEngine, group commit)
// alone, then with a concurrent bulk audited action (a batch job appending BULK_EVENTS audit events
// per transaction, back to back), in the same run, with the cross-link job running every second as
// in production. Until 2026-12-04 every audited transaction took the one audit chain head's row
// lock, so the bulk action and the bid batches queued behind each other (3,064 vs 1,292 bids/s,
// 0.42×); now each competition's events have their own stream and the bulk action locks only the
// `platform` stream's head (issue 17, point 5). MariaDB/MySQL at DATABASE_URL (default
// mysql://root@127.0.0.1:3306/test) in a throw-away database; DB_CLIENT=sqlite for SQLite. Prints one
// JSON object on the last line.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { openDb, type Db, mysqlServer } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { withTx } from '../../server/db/tx';
import { systemClock, toDbTime } from '../../server/db/time';
import { recordMany } from '../../server/supervision/audit/audit';
import { verifyChain } from '../../server/supervision/audit/audit';
import { crossLinkAll } from '../../server/supervision/audit/cross-links';
import { systemActor } from '../../server/http/actor';
import { seedDemo } from '../../db/seeds/demo';
import { createPlatform } from '../../server/platform';
import { parseEnv, type Config } from '../../server/config';
import { createLogger } from '../../server/http/log';
import type { AuctionService } from '../../server/execution/auctions/service';
import { createBidders } from '../../test/integration/auction-fixtures';

const AUCTIONS = Number(process.env.AUCTIONS ?? 20);
const BIDDERS = Number(process.env.BIDDERS ?? 10); // per competition
const PHASE_SEC = Number(process.env.PHASE_SEC ?? 10);
const BULK_EVENTS = Number(process.env.BULK_EVENTS ?? 2000);
const mysql = process.env.DB_CLIENT !== 'sqlite';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-contention-'));
let db: Db;
let cleanup = async () => {};
let databaseUrl: string | null = null;
if (mysql) {
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const name = `sp_bench_contention_${process.pid}`;
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(base) });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  base.pathname = `/${name}`;
  databaseUrl = base.toString();
  db = openDb({ dbClient: 'mysql', databaseUrl, dataDir }, { poolMax: 20 });
  cleanup = async () => {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  };
} else db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir });

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] : 0);
const round = (x: number) => Math.round(x * 10) / 10;

try {
  await migrateLatest(db);
  await seedDemo(db, systemClock, { experts: 5, suppliers: 8 });
  const bidders = await createBidders(db, systemClock, AUCTIONS * BIDDERS, { prefix: 'cont' });
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test', ...(mysql ? { DATABASE_URL: databaseUrl! } : {}) });
  const config: Config = { ...base, dataDir, secrets: { sessionSecret: 'bench-session-secret-0123456789abcdef', sealKey: 'ef'.repeat(32), financeHmacSecret: 'bench-finance-secret-0123456789abcdef' } };
  const platform = createPlatform({ config, db, clock: systemClock, log: createLogger('error'), autoStartScheduler: false });
  const service = (platform.modules.find((m) => m.name === 'auctions') as unknown as { service: AuctionService }).service;
  const now = new Date();
  const T = toDbTime(now);
  const ids: number[] = [];
  for (let i = 0; i < AUCTIONS; i++) {
    const [id] = await db('auctions').insert({ code: `WSJJ-B-${i}`, title: 'bench', lot_description: 'bench', quantity: 1, unit: '台', category_code: 'A02010104', ceiling_fen: 1_000_000_000, decrement_kind: 'absolute', decrement_value: 100, starts_at: T, duration_sec: 3600, extension_sec: 0, visibility: 'rank_only', min_suppliers: 3, min_brands: 1, status: 'running', opened_at: T, ends_at: toDbTime(new Date(now.getTime() + 3600_000)), created_at: T, updated_at: T });
    ids.push(Number(id));
    const mine = bidders.slice(i * BIDDERS, (i + 1) * BIDDERS);
    await db('auction_participants').insert(mine.map((b, k) => ({ auction_id: Number(id), supplier_id: b.supplierId, label: `P${k}`, brand: b.brand, model: b.model, user_id: b.userId, ip: '10.0.0.1', device_id: null, joined_at: T })));
  }
  await service.recover();

  let running = true;
  const lat: number[] = [];
  let acceptedBids = 0;
  let n = 0;
  const bidder = async (auctionId: number, b: (typeof bidders)[number]) => {
    let amount = 1_000_000_000;
    while (running) {
      amount -= 100 + Math.floor(Math.random() * 100);
      const t0 = performance.now();
      const a = await service.engine.submit({ auctionId, supplierId: b.supplierId, userId: b.userId, amount, clientBidId: `c${n++}`, ip: '10.0.0.1', deviceId: null });
      if (a.type === 'bid.accepted') {
        acceptedBids++;
        lat.push(performance.now() - t0);
      }
    }
  };

  async function phase(withBulk: boolean) {
    lat.length = 0;
    acceptedBids = 0;
    running = true;
    let bulkActions = 0;
    let bulkEvents = 0;
    const bulkLat: number[] = [];
    const loops = ids.flatMap((id, i) => bidders.slice(i * BIDDERS, (i + 1) * BIDDERS).map((b) => bidder(id, b)));
    const bulk = (async () => {
      if (!withBulk) return;
      const actor = systemActor('bulk-import', systemClock);
      while (running) {
        const t0 = performance.now();
        await withTx(db, (tx) => recordMany(tx, actor, Array.from({ length: BULK_EVENTS }, (_, k) => ({ action: 'bulk.imported', entityType: 'credit_record', entityId: k, after: { source: 'bench', row: k, note: 'x'.repeat(120) } }))));
        bulkLat.push(performance.now() - t0);
        bulkActions++;
        bulkEvents += BULK_EVENTS;
      }
    })();
    // The cross-link job, as the scheduler runs it: every second.
    let crossLinks = 0;
    const linker = (async () => {
      while (running) {
        await new Promise((r) => setTimeout(r, 1000));
        crossLinks += await crossLinkAll(db, systemClock);
      }
    })();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, PHASE_SEC * 1000));
    running = false;
    await Promise.all([...loops, bulk, linker]);
    const sec = (performance.now() - t0) / 1000;
    return { acceptedBidsPerSec: Math.round(acceptedBids / sec), ackP50Ms: round(pct(lat, 50)), ackP99Ms: round(pct(lat, 99)), bulkActions, bulkEventsPerSec: Math.round(bulkEvents / sec), bulkActionP50Ms: round(pct(bulkLat, 50)), crossLinks };
  }

  const alone = await phase(false);
  const withBulk = await phase(true);
  await crossLinkAll(db, systemClock);
  const chain = await verifyChain(db);
  await platform.close();
  console.log(JSON.stringify({ db: db.dialect, auctions: AUCTIONS, bidders: AUCTIONS * BIDDERS, phaseSec: PHASE_SEC, bulkEventsPerAction: BULK_EVENTS, alone, withBulk, bidsPerSecRatio: round(withBulk.acceptedBidsPerSec / Math.max(1, alone.acceptedBidsPerSec)), chainIntact: chain.intact, chainEvents: chain.events, streams: chain.streams, loadAvg1m: round(os.loadavg()[0]), cpus: os.cpus().length }));
} finally {
  await db.destroy();
  await cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
