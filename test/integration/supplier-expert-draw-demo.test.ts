import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { verifyPublicDraw } from '../../server/execution/draws/selection';
import { nodeHashes } from '../../server/execution/draws/seal';
import { seedDemo } from '../../db/seeds/demo';
import { systemClock } from '../../server/db/time';
import { verifyChain } from '../../server/supervision/audit/audit';

describe(`demo data: supplier and expert libraries, draws (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'none' });
    await seedDemo(s.tdb.db, systemClock); // the full demo city
    // The server's scheduler is already running (as another cluster node's would be): run its due
    // jobs without pause while the modules seed, so a seeded past deadline that a job could expire
    // between two seeding steps certainly is (the seed once failed so, now and then, on MariaDB).
    let seeding = true;
    const jobs = (async () => {
      while (seeding) await s.platform.scheduler.runDue();
    })();
    try {
      for (const m of s.platform.modules.filter((x) => ['suppliers', 'experts', 'draws'].includes(x.name))) await m.seedDemo?.();
    } finally {
      seeding = false;
      await jobs;
    }
  });
  after(() => s.stop());
  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await s.tdb.db(table).where(where).count({ n: '*' }).first())!.n);

  it('has suppliers in every review state, credit records, a blacklisted and a lifted entry, a change request', async () => {
    for (const status of ['pending', 'approved', 'rejected', 'more_info']) expect(await count('suppliers', { status }), status).to.be.greaterThan(0);
    expect(await count('supplier_credit_records')).to.be.at.least(3);
    expect(await count('supplier_change_requests', { status: 'pending' })).to.equal(1);
    const op = await s.as('operator');
    expect((await op.get('/api/suppliers?blacklisted=true')).body.total).to.equal(1);
    expect(Number((await s.tdb.db('supplier_blacklist').whereNotNull('lifted_at').count({ n: '*' }).first())!.n)).to.equal(1);
    const portal = s.client();
    expect((await portal.login('portal1', 'Portal1pass2026')).status).to.equal(200);
  });

  it('has experts on leave, with conflicts, suspended and disqualified', async () => {
    const op = await s.as('operator');
    expect((await op.get('/api/experts?onLeave=true')).body.total).to.be.at.least(1);
    expect(await count('expert_conflicts')).to.be.at.least(4);
    for (const status of ['suspended', 'disqualified']) expect(await count('experts', { status }), status).to.be.greaterThan(0);
  });

  it('has draws sealed and revealed, with every invitation state, and an invitation for the demo expert', async () => {
    const op = await s.as('operator');
    const list = (await op.get('/api/draws')).body.items;
    expect(list.map((d: any) => d.status)).to.include.members(['sealed', 'revealed']);
    const live = list.find((d: any) => d.projectRef === 'YGCG-2026-0142');
    expect(live.invitations.accepted).to.be.at.least(1);
    expect(live.invitations.declined).to.be.at.least(1);
    expect(live.invitations.replaced).to.be.at.least(1);
    expect(live.invitations.pending).to.be.at.least(1);
    const expert = await s.as('expert');
    const mine = (await expert.get('/api/my/invitations')).body.items;
    expect(mine.filter((i: any) => i.status === 'pending' && i.drawStatus === 'sealed')).to.have.length(1);
    const revealed = list.find((d: any) => d.status === 'revealed');
    const pub = (await s.client().get(`/api/public/draws/${revealed.id}`)).body;
    expect(pub.panel.map((p: any) => p.answer)).to.include.members(['accepted', 'declined', 'no_answer']);
    expect(verifyPublicDraw(pub, nodeHashes).ok).to.equal(true);
    expect(await count('expert_ratings')).to.equal(3);
    expect((await verifyChain(s.tdb.db)).intact).to.equal(true);
  });
});
