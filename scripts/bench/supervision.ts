// npm run bench:supervision — red-flag alert latency on a live event stream. Builds a fresh
// database (SQLite in a temp dir, or MySQL database sp_bench_supervision with DB_CLIENT=mysql),
// starts the platform, streams COMPETITIONS competitions of BIDS bids each through the audit
// trail (the way the auctions module records them); every 10th bid comes from another supplier's
// device. Measures, for each tripping bid, commit → alert committed, and the engine's throughput.
// Prints one JSON object as its last line.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { openDb, type Db, mysqlServer } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { withTx } from '../../server/db/tx';
import { systemClock } from '../../server/db/time';
import { record } from '../../server/supervision/audit/audit';
import { seedDemo } from '../../db/seeds/demo';
import { createPlatform } from '../../server/platform';
import { parseEnv } from '../../server/config';
import { createLogger } from '../../server/http/log';
import type { AlertService } from '../../server/supervision/alerts/service';
import type { RuleEngine } from '../../server/supervision/engine/engine';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const COMPETITIONS = env('COMPETITIONS', 20);
const BIDS = env('BIDS', 50);
const mysql = process.env.DB_CLIENT === 'mysql';

async function openBenchDb(): Promise<{ db: Db; dataDir: string; url: string | null }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-sv-'));
  if (!mysql) return { db: openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir }), dataDir, url: null };
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(base) });
  await admin.raw('DROP DATABASE IF EXISTS `sp_bench_supervision`');
  await admin.raw('CREATE DATABASE `sp_bench_supervision` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
  await admin.destroy();
  base.pathname = '/sp_bench_supervision';
  return { db: openDb({ dbClient: 'mysql', databaseUrl: base.toString(), dataDir }), dataDir, url: base.toString() };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 10) / 10;
};

const { db, dataDir, url } = await openBenchDb();
await migrateLatest(db);
await seedDemo(db, systemClock, { experts: 40, suppliers: 21 });
const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
const config = { ...base, dbClient: db.dialect, databaseUrl: url, dataDir, secrets: { sessionSecret: 'bench-session-secret-0123456789abcdef', sealKey: 'ab'.repeat(32), financeHmacSecret: 'bench-finance-secret-0123456789abcdef' } };
const platform = createPlatform({ config, db, log: createLogger('silent'), autoStartScheduler: false });
await platform.listen(0, '127.0.0.1');
const sv = platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine; alerts: AlertService };

const pending = new Map<string, number>(); // processKey → commit time of the tripping bid
const latencies: number[] = [];
sv.alerts.onChange((a, change) => {
  if (change !== 'raised' || a.ruleCode !== 'SV04' || !a.processKey) return;
  const t0 = pending.get(a.processKey);
  if (t0 !== undefined) {
    latencies.push(performance.now() - t0);
    pending.delete(a.processKey);
  }
});

const actor = (ip: string) => ({ userId: null, role: 'supplier', requestId: null, ip, clock: systemClock });
const started = performance.now();
let events = 0;
for (let c = 1; c <= COMPETITIONS; c++) {
  const id = 100_000 + c;
  await withTx(db, (tx) => record(tx, actor('10.0.0.1'), { action: 'competition.created', entityType: 'competition', entityId: id, after: { orgId: 3, title: `bench ${c}`, ceilingFen: 5_000_000, categoryCode: 'A02010104' } }));
  events++;
  for (let b = 0; b < BIDS; b++) {
    const supplier = 1 + (b % 5);
    const shared = b === BIDS - 1; // the last bid: a sixth supplier on supplier 1's device
    const after = { competitionId: id, supplierId: shared ? 6 : supplier, amountFen: 4_990_000 - b * 7_000, ip: `10.${c}.0.${shared ? 99 : supplier}`, deviceId: `dev-${c}-${shared ? 1 : supplier}` };
    await withTx(db, (tx) => record(tx, actor(after.ip), { action: 'bid.accepted', entityType: 'bid', entityId: `${id}-${b}`, after }));
    if (shared) pending.set(`competition:${id}`, performance.now());
    events++;
  }
}
const streamed = performance.now();
await sv.engine.idle();
const drained = performance.now();
await platform.close();
await db.destroy();
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'supervision-alert-latency', dialect: mysql ? 'mysql' : 'sqlite', competitions: COMPETITIONS, events, alerts: latencies.length, missed: pending.size, latencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), max: pct(latencies, 100) }, streamSeconds: Math.round((streamed - started) / 100) / 10, drainAfterStreamMs: Math.round(drained - streamed), eventsPerSecond: Math.round(events / ((drained - started) / 1000)) }));
process.exit(0);
