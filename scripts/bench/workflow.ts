// npm run bench:workflow — requisition submissions (draft + freeze + method + split check +
// approval chain + audit, in one transaction) racing on shared budget lines, and approvals.
// SQLite by default; DB_CLIENT=mysql uses DATABASE_URL (default mysql://root@127.0.0.1:3306/test,
// into a throw-away database). Prints one JSON object on the last line.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import knexFactory from 'knex';
import { openDb, type Db, mysqlServer } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { withTx } from '../../server/db/tx';
import { ManualClock } from '../../server/db/time';
import { seedDemo } from '../../db/seeds/demo';
import * as req from '../../server/core/requisitions/service';
import { decide } from '../../server/core/approvals/service';
import { allocate } from '../../server/core/budget/service';
import { systemActor, type Actor } from '../../server/http/actor';

const N = Number(process.env.BENCH_SUBMISSIONS ?? 400);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const LINES = 4;
const mysql = process.env.DB_CLIENT === 'mysql';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-wf-'));
let db: Db;
let cleanup = async () => {};
if (mysql) {
  const base = new URL(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/test');
  const name = `sp_bench_wf_${process.pid}`;
  const admin = knexFactory({ client: 'mysql2', connection: mysqlServer(base) });
  await admin.raw(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  base.pathname = `/${name}`;
  db = openDb({ dbClient: 'mysql', databaseUrl: base.toString(), dataDir }, { poolMax: 20 });
  cleanup = async () => {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  };
} else db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir });

const pct = (xs: number[], p: number) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
try {
  await migrateLatest(db);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  await seedDemo(db, clock, { experts: 5, suppliers: 21 });
  const purchaser = await db('users').where({ username: 'purchaser' }).first();
  const approver = await db('users').where({ username: 'approver' }).first();
  const sys = systemActor('bench', clock);
  const lineIds: number[] = [];
  for (let i = 0; i < LINES; i++) {
    // Room for 80 % of the submissions: the rest must be refused, never overdrawn.
    const r = await withTx(db, (tx) => allocate(tx, sys, { code: `2026-PU01-BENCH${i}`, orgId: purchaser.org_id, fiscalYear: 2026, name: 'bench', economicClass: '302', allocatedFen: Math.floor((N * 0.8) / LINES) * 1_000_000 }));
    lineIds.push(r.id);
  }
  const actor: Actor = { userId: purchaser.id, role: 'purchaser', requestId: null, ip: null, clock };
  const who = { userId: purchaser.id, orgId: purchaser.org_id };
  const lat: number[] = [];
  let accepted = 0;
  let refused = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        try {
          await withTx(db, async (tx) => {
            const id = await req.createDraft(tx, actor, who, { title: `bench ${i}`, budgetLineId: lineIds[i % LINES], neededBy: '2026-12-31', justification: 'bench', items: [{ categoryCode: 'A02021003', name: 'printer', specification: 'A4', quantity: 2, unit: 'pc', unitPriceFen: 500_000 }] });
            await req.submit(tx, actor, who, id);
          });
          accepted++;
        } catch (e) {
          if ((e as { code?: string }).code !== 'BUDGET_INSUFFICIENT') throw e;
          refused++;
        }
        lat.push(performance.now() - s);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const overdrawn = await db('budget_lines').whereIn('id', lineIds).whereRaw('frozen_fen + spent_fen > allocated_fen').count({ n: '*' }).first();
  // Approvals: the unit head decides every pending step, one after another.
  const steps = await db('approval_steps').where({ status: 'pending', approver_org_id: purchaser.org_id }).select('id').limit(100);
  const apLat: number[] = [];
  const ap: Actor = { userId: approver.id, role: 'approver', requestId: null, ip: null, clock };
  for (const st of steps) {
    const s = performance.now();
    await withTx(db, (tx) => decide(tx, ap, { userId: approver.id, orgId: approver.org_id, roles: ['approver'] }, st.id, { decision: 'approve' }));
    apLat.push(performance.now() - s);
  }
  console.log(
    JSON.stringify({
      bench: 'workflow',
      db: db.dialect,
      submissions: N,
      concurrency: CONCURRENCY,
      lines: LINES,
      accepted,
      refused,
      overdrawnLines: Number(overdrawn?.n ?? 0),
      submitsPerSec: Math.round(N / elapsed),
      submitMsP50: Math.round(pct(lat, 50) * 10) / 10,
      submitMsP99: Math.round(pct(lat, 99) * 10) / 10,
      approvals: apLat.length,
      approveMsP50: Math.round(pct(apLat, 50) * 10) / 10,
    }),
  );
} finally {
  await db.destroy();
  await cleanup();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
