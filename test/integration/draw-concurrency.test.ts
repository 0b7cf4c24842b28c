import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { enrol } from '../../server/execution/experts/service';

// Two operators drawing at the same moment from the same experts: the draws are serialised, so no
// expert is counted free (or under the cap) by both.
describe(`concurrent draws (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 10, 2, 1, 0, 0));
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ clock });
    const actor = systemActor('test', clock);
    // Nine works experts, each allowed one evaluation this quarter.
    for (let i = 1; i <= 9; i++) {
      await withTx(s.tdb.db, (tx) => enrol(tx, actor, { name: `并发专家${i}`, employerName: 'x', region: '330100', title: '工程师', phone: `1360000000${i}`, email: `c${i}@t.example.cn`, specialties: ['B'], maxEvaluationsPerQuarter: 1 }));
    }
  });
  after(() => s.stop());

  it('lets only one of two simultaneous five-expert draws have the nine experts', async () => {
    const [a, b] = [await s.as('operator'), await s.as('operator')];
    const orgId = (await s.tdb.db('organisations').where({ code: 'PU03' }).first('id')).id;
    const body = (ref: string, hour: number) => ({
      projectRef: ref,
      purchasingOrgId: orgId,
      supplierIds: [],
      groups: [{ specialty: 'B', count: 5 }],
      evaluationAt: new Date(Date.UTC(2026, 10, 10, hour)).toISOString(),
      evaluationPlace: '评标室',
      revealAt: new Date(Date.UTC(2026, 10, 10, hour - 1)).toISOString(),
    });
    const [r1, r2] = await Promise.all([a.post('/api/draws', body('C-1', 2)), b.post('/api/draws', body('C-2', 9))]);
    const statuses = [r1.status, r2.status].sort();
    expect(statuses).to.deep.equal([201, 422]);
    const refused = r1.status === 422 ? r1 : r2;
    expect(refused.body.error).to.deep.include({ code: 'POOL_TOO_SMALL', details: { specialty: 'B', needed: 5 } });
    expect(Number((await s.tdb.db('draws').count({ n: '*' }).first())!.n)).to.equal(1);
  });
});
