import { expect } from 'chai';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { seedDemo, prng } from '../../db/seeds/demo';
import { ManualClock, toDbTime, isoFromDb } from '../../server/db/time';
import { eligibleExperts, commitmentsInPeriod } from '../../server/execution/draws/pool';
import { quarterOf, SAME_SESSION_MS } from '../../server/execution/draws/rules';
import { createSealer, nodeHashes, newSeed } from '../../server/execution/draws/seal';
import { select, PoolTooSmallError } from '../../server/execution/draws/selection';

// Property test over random libraries: the real eligibility query plus the real selection never
// yields a conflicted, employed, on-leave, busy, over-cap or disqualified expert (checked by an oracle).
describe(`draw eligibility over random pools (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  const rnd = prng(20261125);
  const DAY = 86_400_000;
  interface X {
    id: number;
    status: string;
    specs: string[];
    orgId: number | null;
    supplierId: number | null;
    cap: number;
    leaves: Array<[number, number]>;
    conflicts: Array<{ orgId: number | null; supplierId: number | null; until: number | null }>;
    evals: number[];
  }
  const lib: X[] = [];
  let orgs: number[];
  let sups: number[];

  before(async () => {
    t = await createTestDb();
    await seedDemo(t.db, clock, { experts: 5, suppliers: 12 });
    orgs = (await t.db('organisations').where({ kind: 'purchasing_unit' }).select('id')).map((r: any) => r.id).slice(0, 6);
    sups = (await t.db('suppliers').select('id')).map((r: any) => r.id);
    const now = toDbTime(clock.now());
    // The demo city's own experts are in the library too (some judge works): the oracle knows them.
    for (const e of await t.db('experts').select('id', 'status', 'employer_org_id', 'employer_supplier_id', 'max_evaluations_per_quarter')) {
      const x: X = { id: Number(e.id), status: e.status, specs: (await t.db('expert_specialties').where({ expert_id: e.id }).pluck('category_code')) as string[], orgId: e.employer_org_id === null ? null : Number(e.employer_org_id), supplierId: e.employer_supplier_id === null ? null : Number(e.employer_supplier_id), cap: Number(e.max_evaluations_per_quarter), leaves: [], conflicts: [], evals: [] };
      for (const l of await t.db('expert_leaves').where({ expert_id: e.id })) x.leaves.push([Date.parse(isoFromDb(l.starts_at)!), Date.parse(isoFromDb(l.ends_at)!)]);
      for (const c of await t.db('expert_conflicts').where({ expert_id: e.id }).whereNull('withdrawn_at')) x.conflicts.push({ orgId: c.org_id === null ? null : Number(c.org_id), supplierId: c.supplier_id === null ? null : Number(c.supplier_id), until: c.until === null ? null : Date.parse(isoFromDb(c.until)!) });
      for (const v of await t.db('expert_evaluations').where({ expert_id: e.id })) x.evals.push(Date.parse(isoFromDb(v.evaluation_at)!));
      lib.push(x);
    }
    for (let i = 0; i < 250; i++) {
      const x: X = {
        id: 0,
        status: rnd.next() < 0.1 ? rnd.pick(['suspended', 'disqualified']) : 'active',
        specs: rnd.sample(['B01', 'B02', 'B06'], rnd.int(1, 2)),
        orgId: rnd.next() < 0.1 ? rnd.pick(orgs) : null,
        supplierId: null,
        cap: rnd.int(0, 3),
        leaves: [],
        conflicts: [],
        evals: [],
      };
      if (!x.orgId && rnd.next() < 0.1) x.supplierId = rnd.pick(sups);
      const [id] = await t.db('experts').insert({ name: `P${i}`, employer_name: 'x', employer_org_id: x.orgId, employer_supplier_id: x.supplierId, region: '330100', title: 't', phone: '1', email: 'e@x.cn', status: x.status, max_evaluations_per_quarter: x.cap, created_at: now });
      x.id = Number(id);
      await t.db('expert_specialties').insert(x.specs.map((c) => ({ expert_id: x.id, category_code: c })));
      for (let k = rnd.int(0, 2); k > 0; k--) {
        const s = clock.now().getTime() + rnd.int(0, 60) * DAY;
        const e = s + rnd.int(1, 10) * DAY;
        x.leaves.push([s, e]);
        await t.db('expert_leaves').insert({ expert_id: x.id, starts_at: toDbTime(s), ends_at: toDbTime(e), reason: 'r', created_at: now });
      }
      for (let k = rnd.next() < 0.3 ? rnd.int(1, 2) : 0; k > 0; k--) {
        const c = rnd.next() < 0.5 ? { orgId: rnd.pick(orgs), supplierId: null } : { orgId: null, supplierId: rnd.pick(sups) };
        const until = rnd.next() < 0.5 ? null : clock.now().getTime() + rnd.int(0, 60) * DAY;
        x.conflicts.push({ ...c, until });
        await t.db('expert_conflicts').insert({ expert_id: x.id, org_id: c.orgId, supplier_id: c.supplierId, relation: 'relative', note: 'n', until: until === null ? null : toDbTime(until), created_at: now });
      }
      for (let k = rnd.int(0, 3); k > 0; k--) {
        const at = clock.now().getTime() + rnd.int(0, 60) * DAY + rnd.int(0, 23) * 3_600_000;
        x.evals.push(at);
        await t.db('expert_evaluations').insert({ expert_id: x.id, draw_id: 100000 + i * 10 + k, project_ref: 'P', evaluation_at: toDbTime(at), created_at: now });
      }
      lib.push(x);
    }
  });
  after(() => t.destroy());

  it('never draws anyone the rules exclude, in 200 random draws', async () => {
    const sealer = createSealer('ab'.repeat(32));
    let drawn = 0;
    for (let it = 0; it < 200; it++) {
      const evaluationAt = new Date(clock.now().getTime() + rnd.int(0, 60) * DAY + rnd.int(0, 23) * 3_600_000);
      const parties = { purchasingOrgId: rnd.pick(orgs), supplierIds: rnd.sample(sups, rnd.int(0, 4)), evaluationAt };
      const spec = rnd.pick(['B01', 'B02', 'B06']);
      const committed = await commitmentsInPeriod(t.db, sealer, evaluationAt);
      const pool = await eligibleExperts(t.db, spec, parties, committed);
      const at = evaluationAt.getTime();
      const q = quarterOf(evaluationAt);
      const ok = (x: X) =>
        x.status === 'active' &&
        x.specs.includes(spec) &&
        x.orgId !== parties.purchasingOrgId &&
        !(x.supplierId && parties.supplierIds.includes(x.supplierId)) &&
        !x.leaves.some(([s, e]) => s <= at && e > at) &&
        !x.conflicts.some((c) => (c.until === null || c.until > at) && (c.orgId === parties.purchasingOrgId || (c.supplierId !== null && parties.supplierIds.includes(c.supplierId)))) &&
        !x.evals.some((e) => Math.abs(e - at) < SAME_SESSION_MS) &&
        x.evals.filter((e) => e >= q.start.getTime() && e < q.end.getTime()).length < x.cap;
      const oracle = lib.filter(ok).map((x) => x.id).sort((a, b) => a - b);
      expect(pool, `iteration ${it}`).to.deep.equal(oracle);
      try {
        const [picked] = select(newSeed(), [{ specialty: spec, count: 5, ids: pool }], nodeHashes);
        drawn++;
        for (const id of picked) expect(ok(lib.find((x) => x.id === id)!)).to.equal(true);
      } catch (e) {
        expect(e).to.be.instanceOf(PoolTooSmallError);
        expect(pool.length).to.be.lessThan(5);
      }
    }
    expect(drawn).to.be.greaterThan(100);
  });
});
