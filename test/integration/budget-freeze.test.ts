// Fifty simultaneous submissions against one budget line never overdraw it (both dialects).
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { freeze, lineMoney } from '../../server/core/budget/service';
import { cast, item, YUAN, type Cast, startWorkflowServer } from './workflow-helpers';

describe(`budget: concurrent freezes (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let c: Cast;
  before(async () => ({ s, c } = await startWorkflowServer(200_000))); // room for exactly 20 requisitions of 10,000 yuan
  after(async () => s?.stop());

  it('50 concurrent submissions over HTTP: exactly 20 freeze, 30 get BUDGET_INSUFFICIENT, nothing overdrawn', async () => {
    const body = { title: 'Concurrent', budgetLineId: c.lineId, neededBy: '2026-12-31', justification: 'load', items: [item('A02021003', 2, 5_000)], submit: true };
    const results = await Promise.all(Array.from({ length: 50 }, () => c.purchaser.post('/api/requisitions', body)));
    const ok = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status === 422);
    expect(ok).to.have.length(20);
    expect(refused).to.have.length(30);
    expect(refused.every((r) => r.body.error.code === 'BUDGET_INSUFFICIENT')).to.equal(true);
    const line = (await c.purchaser.get(`/api/budget-lines/${c.lineId}`)).body;
    expect(line.frozenFen).to.equal(200_000 * YUAN);
    expect(line.availableFen).to.equal(0);
    // A refused submission wrote nothing: no draft was left behind.
    const n = await s.tdb.db('requisitions').where({ budget_line_id: c.lineId }).count({ n: '*' }).first();
    expect(Number(n!.n)).to.equal(20);
  });

  it('50 concurrent freeze transactions at the service level never overdraw', async () => {
    const db = s.tdb.db;
    const actor = systemActor('test', s.clock);
    const year = s.clock.now().getUTCFullYear();
    const r = await c.fin.pushAllocations(year, [{ budgetLineCode: `${year}-PU01-CONC2`, orgCode: 'PU01', name: 'concurrency', economicClass: '302', allocatedFen: 1_000_000 }]);
    const lineId = r.body.results[0].budgetLineId;
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => withTx(db, (tx) => freeze(tx, actor, lineId, 70_000, { entityType: 'test', entityId: i }))));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(14); // 14 × 70,000 ≤ 1,000,000 < 15 × 70,000
    const m = await withTx(db, (tx) => lineMoney(tx, lineId));
    expect(m.frozenFen).to.equal(980_000);
    expect(m.availableFen).to.equal(20_000);
  });
});
