// npm run bench:draw — a sealed draw from a 10,000-expert pool with conflict exclusion, timed
// end to end (eligibility query, selection, sealing, invitations, outbox, jobs, audit, commit).
// Prints one JSON object on the last line: {pool, draws, drawMsP50, drawMsP99, ...}.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { withTx } from '../../server/db/tx';
import { ManualClock, toDbTime } from '../../server/db/time';
import { Scheduler } from '../../server/scheduler/scheduler';
import { createLogger } from '../../server/http/log';
import { systemActor } from '../../server/http/actor';
import { seedDemo, prng } from '../../db/seeds/demo';
import { createDrawService } from '../../server/execution/draws/service';

const POOL = Number(process.env.BENCH_POOL ?? 10_000);
const DRAWS = Number(process.env.BENCH_DRAWS ?? 60);
const SPEC = 'B06';
const DAY = 86_400_000;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-draw-'));
const db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir });
try {
  await migrateLatest(db);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0));
  await seedDemo(db, clock, { experts: 5, suppliers: 40 });
  const orgs: number[] = (await db('organisations').where({ kind: 'purchasing_unit' }).select('id')).map((r: any) => r.id);
  const sups: number[] = (await db('suppliers').select('id')).map((r: any) => r.id);
  const rnd = prng(10_000);
  const now = toDbTime(clock.now());
  let conflicts = 0;
  await db.transaction(async (tx) => {
    const [{ id: firstId }] = await tx('experts').max({ id: 'id' }).then((r: any) => [{ id: Number(r[0].id) }]);
    const rows = Array.from({ length: POOL }, (_, i) => ({
      name: `专家${i}`,
      employer_name: 'x',
      employer_org_id: i % 31 === 0 ? rnd.pick(orgs) : null,
      employer_supplier_id: i % 37 === 0 ? rnd.pick(sups) : null,
      region: '330100',
      title: '高级工程师',
      phone: `139${String(i).padStart(8, '0')}`,
      email: `e${i}@bench.example.cn`,
      status: i % 53 === 0 ? 'suspended' : 'active',
      max_evaluations_per_quarter: 12,
      rating_milli: 4500,
      created_at: now,
    }));
    for (let i = 0; i < rows.length; i += 500) await tx('experts').insert(rows.slice(i, i + 500));
    const ids = Array.from({ length: POOL }, (_, i) => firstId + 1 + i);
    for (let i = 0; i < ids.length; i += 500) await tx('expert_specialties').insert(ids.slice(i, i + 500).map((id) => ({ expert_id: id, category_code: SPEC })));
    // Declared conflicts with purchasing units and suppliers (about 1 in 8 experts), and some leave.
    const cs = ids.filter((_, i) => i % 8 === 0).map((id) => (rnd.next() < 0.5 ? { expert_id: id, org_id: rnd.pick(orgs), supplier_id: null } : { expert_id: id, org_id: null, supplier_id: rnd.pick(sups) }));
    conflicts = cs.length;
    for (let i = 0; i < cs.length; i += 500) await tx('expert_conflicts').insert(cs.slice(i, i + 500).map((c) => ({ ...c, relation: 'relative', note: 'n', created_at: now })));
    const leaves = ids.filter((_, i) => i % 20 === 0).map((id) => ({ expert_id: id, starts_at: toDbTime(clock.now().getTime()), ends_at: toDbTime(clock.now().getTime() + 30 * DAY), reason: 'r', created_at: now }));
    for (let i = 0; i < leaves.length; i += 500) await tx('expert_leaves').insert(leaves.slice(i, i + 500));
  });
  const log = createLogger('silent');
  const scheduler = new Scheduler({ db, clock, log });
  const draws = createDrawService({ sealKey: 'ab'.repeat(32), scheduler, clock });
  const actor = systemActor('bench', clock);
  const times: number[] = [];
  let poolSize = 0;
  for (let i = 0; i < DRAWS; i++) {
    const t0 = process.hrtime.bigint();
    const r = await withTx(db, (tx) =>
      draws.requestDraw(tx, actor, {
        projectRef: `BENCH-${i}`,
        purchasingOrgId: orgs[i % orgs.length],
        supplierIds: rnd.sample(sups, 5),
        groups: [{ specialty: SPEC, count: 7 }],
        evaluationAt: new Date(clock.now().getTime() + 3 * DAY).toISOString(),
        evaluationPlace: 'bench',
        revealAt: new Date(clock.now().getTime() + 2 * DAY).toISOString(),
      }),
    );
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= 3) times.push(ms); // the first draws warm the caches
    // The pool size is sealed with the round; the bench holds the seal key and opens it.
    const round1 = await db('draw_rounds').where({ draw_id: r.id, round_no: 1 }).first('pool_sealed');
    poolSize = new Set(draws.sealer.open<Array<{ ids: number[] }>>(round1.pool_sealed, `draw-round:${r.id}:1:pool`).flatMap((g) => g.ids)).size;
  }
  times.sort((a, b) => a - b);
  const pct = (p: number) => times[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)];
  const round = (x: number) => Math.round(x * 100) / 100;
  console.log(
    JSON.stringify({ bench: 'draw', dialect: 'sqlite', pool: POOL, eligiblePool: poolSize, conflictsDeclared: conflicts, draws: times.length, committee: 7, drawMsP50: round(pct(50)), drawMsP99: round(pct(99)), drawMsMax: round(times[times.length - 1]), targetMs: 100 }),
  );
} finally {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
