import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { systemActor } from '../../server/http/actor';
import { createDrawService } from '../../server/execution/draws/service';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureExpertUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe(`tendering: the committee comes from the sealed expert draw (${TEST_DIALECT})`, function () {
  this.timeout(60_000);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  let s: TestServer;
  before(async () => (s = await startTestServer({ clock })));
  after(() => s?.stop());

  it('links the revealed panel (accepted experts only) to the tender the draw was requested for', async () => {
    const db = s.tdb.db;
    // Six experts with a specialty no seeded expert has, so the pool is exactly these.
    const experts = await withTx(db, (tx) => ensureExpertUsers(tx, clock, 6));
    await db('expert_specialties').insert(experts.map((e) => ({ expert_id: e.expertId, category_code: 'B' })));
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const category = (await db('catalogue_categories').where({ kind: 'goods' }).first('code')).code;
    const orgId = (await db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').first('id')).id;
    const t = (await op.post('/api/tenders', { title: '专家抽取联动', kind: 'goods', categoryCode: category, purchasingOrgId: orgId, budgetFen: 150_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: 'x', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline })).body;
    expect((await op.post(`/api/tenders/${t.id}/publish`)).status).to.equal(200);

    const draws = createDrawService({ sealKey: s.config.secrets.sealKey, scheduler: s.platform.scheduler, clock });
    const revealAt = new Date(new Date(deadline).getTime() - 2 * HOUR); // before the opening, as the draw rules allow
    const draw = await withTx(db, (tx) => draws.requestDraw(tx, systemActor('test', clock), { projectRef: t.reference, purchasingOrgId: orgId, supplierIds: [], groups: [{ specialty: 'B', count: 5 }], evaluationPlace: '市政府采购中心评标室 3', evaluationAt: new Date(revealAt.getTime() + HOUR), revealAt }));
    const drawId = draw.id;
    // Before the reveal nothing can be linked.
    const early = await (await s.as('operator')).post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) });
    expect(early.body.error.code).to.equal('DRAW_NOT_REVEALED');
    let accepted = 0;
    for (const e of experts) {
      const inv = (await draws.myInvitations(db, e.expertId)).find((i) => i.drawId === drawId);
      if (!inv) continue;
      await withTx(db, (tx) => draws.respond(tx, { userId: e.userId, role: 'expert', requestId: null, ip: null, clock }, e.expertId, inv.id, 'accept'));
      accepted++;
    }
    expect(accepted).to.equal(5);
    clock.set(revealAt.getTime());
    await s.platform.scheduler.runDue();
    let rows: Array<{ expert_id: number; source: string; source_ref: string }> = [];
    for (let i = 0; i < 200 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50)); // the link runs after the reveal commits
      rows = await db('tender_committee').where({ tender_id: t.id });
    }
    expect(rows).to.have.length(5);
    expect(rows.every((r) => r.source === 'draw' && r.source_ref === String(drawId))).to.equal(true);
    const panel = JSON.parse((await db('draws').where({ id: drawId }).first('panel_json')).panel_json);
    expect(rows.map((r) => r.expert_id).sort()).to.deep.equal(panel.filter((p: any) => p.answer === 'accepted').map((p: any) => p.expertId).sort());
    const again = await (await s.as('operator')).post(`/api/tenders/${t.id}/committee/from-draw`, { drawId: String(drawId) });
    expect(again.body.error.code).to.equal('COMMITTEE_EXISTS');
    expect(await db('audit_events').where({ action: 'tender.committee.linked', entity_id: String(t.id) }).first()).to.exist;
  });
});
