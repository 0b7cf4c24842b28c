// A competitive consultation against those who would read it early or across suppliers: every
// role through the API before the first-response deadline (nobody sees who responded or what), a
// supplier during the consultation (only its own response, rounds and changes; never another
// supplier's name, id, response or minutes), a supplier left out (no final quotation, no view of
// the final-quotation tender), and a database reader before the opening (the final quotations are
// ciphertext; no price, no response of theirs in any table, job or audit payload).
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { listTables } from '../../server/db/reset';
import { ensureSupplierUsers, ensureExpertUsers } from '../../server/execution/tendering/demo-users';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { linkTeam } from '../../server/execution/consultation/service';
import { findConsultation } from '../../server/execution/consultation/repository';
import { systemActor } from '../../server/http/actor';
import { ok } from '../integration/workflow-helpers';

const DAY = 86_400_000;

describe(`adversaries against a competitive consultation (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  let s: TestServer;
  before(async () => (s = await startTestServer({ clock })));
  after(() => s?.stop());

  it('keeps each supplier to its own part, the responses from everyone before the deadline, and the final quotations sealed until the opening', async () => {
    const db = s.tdb.db;
    const suppliers = await withTx(db, (tx) => ensureSupplierUsers(tx, clock, 5));
    const experts = await withTx(db, (tx) => ensureExpertUsers(tx, clock, 4));
    const category = (await db('catalogue_categories').where({ kind: 'services' }).orderBy('code').first('code')).code;
    const orgId = (await db('users').where({ username: 'purchaser' }).first('org_id')).org_id;
    const tpl = TEMPLATES.services;
    const op = await s.as('operator');
    const c = await ok(op.post('/api/consultations', { title: '磋商对抗测试', kind: 'services', categoryCode: category, purchasingOrgId: orgId, budgetFen: 50_000_000, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, invitation: 'public_notice', responseDeadline: new Date(clock.now().getTime() + 10 * DAY).toISOString() }), 201);
    await ok(op.post(`/api/consultations/${c.id}/issue`));
    const secret = (i: number) => `RESPONSE-SECRET-${i}-${suppliers[i].supplierId}`;
    for (const i of [0, 1, 2, 3]) await ok((await s.as(suppliers[i].username)).post(`/api/consultations/${c.id}/responses`, { text: secret(i) }), 201);

    // Before the deadline: nobody learns who responded or what (officials: a count only).
    const readers = ['operator', 'purchaser', 'supervisor', 'admin', 'finance', experts[0].username, suppliers[0].username, suppliers[4].username];
    for (const who of readers) {
      const r = await (await s.as(who)).get(`/api/consultations/${c.id}`);
      const text = JSON.stringify(r.body);
      for (const i of [1, 2, 3]) expect(text, who).to.not.include(secret(i));
      for (const i of [1, 2, 3]) expect(r.body.suppliers?.some((x: { supplierId: number }) => x.supplierId === suppliers[i].supplierId) ?? false, who).to.equal(false);
    }
    expect((await s.client().get(`/api/consultations/${c.id}`)).status).to.equal(401);

    // The consultation: each supplier sees only itself.
    clock.set(clock.now().getTime() + 10 * DAY);
    while ((await s.platform.scheduler.runDue()) > 0);
    const actor = systemActor('test', clock);
    await withTx(db, async (tx) => linkTeam({ db, clock, scheduler: s.platform.scheduler, realtime: s.platform.realtime, log: { debug() {}, info() {}, warn() {}, error() {} }, config: s.config }, tx, actor, await findConsultation(tx, c.id), experts.slice(0, 3).map((e) => ({ expertId: e.expertId })), { source: 'direct', sourceRef: 'adversary' }));
    const team = await s.as(experts[0].username);
    for (const i of [0, 1, 2, 3]) await ok(team.post(`/api/consultations/${c.id}/rounds`, { supplierId: suppliers[i].supplierId, minutes: `MINUTES-SECRET-${i}` }), 201);
    await ok(team.post(`/api/consultations/${c.id}/eliminations`, { supplierId: suppliers[3].supplierId, reason: '未实质性响应' }));
    for (const i of [0, 1, 2, 3]) {
      const mine = await ok((await s.as(suppliers[i].username)).get(`/api/consultations/${c.id}`));
      const text = JSON.stringify(mine);
      expect(text).to.include(`MINUTES-SECRET-${i}`);
      for (const j of [0, 1, 2, 3].filter((j) => j !== i)) {
        expect(text).to.not.include(`MINUTES-SECRET-${j}`);
        expect(text).to.not.include(secret(j));
        expect(text).to.not.include(`"supplierId":${suppliers[j].supplierId}`);
      }
      expect(mine).to.not.have.property('suppliers');
      expect(mine).to.not.have.property('respondedCount');
    }
    // Another expert, not on the team, cannot act in it.
    expect((await (await s.as(experts[3].username)).post(`/api/consultations/${c.id}/rounds`, { supplierId: suppliers[0].supplierId, minutes: 'x' })).body.error.code).to.equal('NOT_ON_TEAM');
    // A supplier cannot act as the team.
    expect((await (await s.as(suppliers[0].username)).post(`/api/consultations/${c.id}/rounds`, { supplierId: suppliers[1].supplierId, minutes: 'x' })).status).to.equal(403);

    // Final quotations: the remaining three quote, sealed; the eliminated and the outsider cannot.
    const called = await ok((await s.as('operator')).post(`/api/consultations/${c.id}/final-quotations`, { deadline: new Date(clock.now().getTime() + 2 * DAY).toISOString() }));
    const tenderId = called.tenderId;
    const prices = [41_234_567, 42_345_678, 43_456_789];
    for (const i of [0, 1, 2]) {
      const q = sealBid({ tenderId, supplierId: suppliers[i].supplierId, priceFen: prices[i], responses: { 'r-scope': `FQ-SECRET-${i}` }, attachments: [] }, { keyHex: randomHex(32) });
      await ok((await s.as(suppliers[i].username)).post(`/api/tenders/${tenderId}/bids`, { envelope: q.envelope, digest: q.digest }), 201);
    }
    for (const i of [3, 4]) {
      const q = sealBid({ tenderId, supplierId: suppliers[i].supplierId, priceFen: 1, responses: {}, attachments: [] }, { keyHex: randomHex(32) });
      const r = await (await s.as(suppliers[i].username)).post(`/api/tenders/${tenderId}/bids`, { envelope: q.envelope, digest: q.digest });
      expect(r.status).to.equal(403);
      expect((await (await s.as(suppliers[i].username)).get(`/api/tenders/${tenderId}`)).status).to.equal(404);
    }
    expect((await s.client().get(`/api/tenders/${tenderId}`)).status).to.equal(401);
    // The team before the opening: refused, and the attempt is on the audit trail.
    expect((await team.get(`/api/tenders/${tenderId}/evaluation`)).status).to.equal(409);
    expect(await db('audit_events').where({ action: 'sealed.read_attempt', entity_id: String(tenderId) }).first()).to.exist;
    // A database reader before the opening: no price and no response of the final quotations anywhere.
    const dump: string[] = [];
    for (const t of await listTables(db)) dump.push(JSON.stringify(await db(t).select('*'), (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
    const all = dump.join('\n') + s.logs.join('\n');
    for (const p of prices) {
      expect(all).to.not.include(String(p));
      expect(all).to.not.include((p / 100).toFixed(2));
    }
    for (const i of [0, 1, 2]) expect(all).to.not.include(`FQ-SECRET-${i}`);
  });
});
