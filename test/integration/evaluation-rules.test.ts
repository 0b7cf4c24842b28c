// The evaluation-session red flags (issue 16): SV12 a score without opening the bid, SV13 a score
// changed after submission (after the chair returned it), SV14 an outlier score, SV15 a committee
// finishing implausibly fast. On the demo city's careless committee each fires; on its ordinary
// committees none does; and live, the demo expert's own evaluation trips each one it should.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import type { RuleEngine } from '../../server/supervision/engine/engine';

const EVAL_RULES = ['SV12', 'SV13', 'SV14', 'SV15'];

describe(`evaluation red flags SV12–SV15 (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ seed: 'demo' });
  });
  after(async () => s?.stop());

  const alertsOf = async (processKey: string) => {
    const sup = await s.as('supervisor');
    const r = await sup.get(`/api/supervision/alerts?processKey=${encodeURIComponent(processKey)}&pageSize=200`);
    expect(r.status).to.equal(200);
    return r.body.items as Array<{ ruleCode: string; summary: Record<string, unknown>; evidence: Record<string, unknown> }>;
  };
  /** Waits for the engine (it runs after each commit) to have raised the rule on the process. */
  const waitForAlert = async (processKey: string, ruleCode: string, match: (a: any) => boolean = () => true) => {
    for (;;) {
      const found = (await alertsOf(processKey)).find((a) => a.ruleCode === ruleCode && match(a));
      if (found) return found;
      await (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine }).engine.idle();
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('the demo: the careless committee trips all four; the ordinary committees trip none', async () => {
    const careless = await s.tdb.db('tenders').where({ status: 'report_confirmation' }).first('id', 'title');
    const alerts = await alertsOf(`tender:${careless.id}`);
    const codes = new Set(alerts.map((a) => a.ruleCode));
    for (const c of EVAL_RULES) expect(codes, c).to.include(c);
    const fast = alerts.find((a) => a.ruleCode === 'SV15')!;
    expect(Number(fast.evidence.minutes)).to.be.below(Number(fast.evidence.requiredMinutes));
    const changed = alerts.find((a) => a.ruleCode === 'SV13')!;
    expect(changed.evidence.returnReason).to.be.a('string').and.not.empty;
    const outlier = alerts.find((a) => a.ruleCode === 'SV14')!;
    expect(outlier.summary.criterion, 'named as in the documents').to.not.match(/^[a-z_]+$/);
    for (const t of await s.tdb.db('tenders').whereIn('status', ['evaluated', 'awarded']).select('id')) {
      const others = (await alertsOf(`tender:${t.id}`)).filter((a) => EVAL_RULES.includes(a.ruleCode));
      expect(others.map((a) => a.ruleCode), `tender ${t.id}`).to.deep.equal([]);
    }
    // Each rule is on the register's evaluation risk point and has its settings.
    const sup = await s.as('supervisor');
    const rules = await sup.get('/api/supervision/rules');
    for (const c of EVAL_RULES) expect(rules.body.items.map((r: any) => r.code)).to.include(c);
  });

  it('live: scoring unopened trips SV12, a returned and changed score SV13, an outlier SV14 at the result; opening first trips nothing', async () => {
    const tender = await s.tdb.db('tenders').where({ status: 'evaluation' }).first('id');
    const key = `tender:${tender.id}`;
    const expert = await s.as('expert');
    const view = (await expert.get(`/api/tenders/${tender.id}/evaluation`)).body;
    const tech = view.criteria.filter((c: any) => c.kind !== 'price');
    const compliance = Object.fromEntries(view.qualifications.map((q: any) => [q.key, true]));
    const fair = (k: number) => Object.fromEntries(tech.map((c: any, j: number) => [c.key, Math.round(c.weight * (0.7 + 0.04 * ((k + j) % 3)) * 10) / 10]));
    const [first, ...rest] = view.bids;
    // Bid 1 scored without opening it.
    expect((await expert.request('PUT', `/api/tenders/${tender.id}/evaluation/bids/${first.bidId}/scores`, { compliance, scores: fair(0) })).status).to.equal(200);
    const unopened = await waitForAlert(key, 'SV12', (a) => a.evidence.bidId === first.bidId);
    expect(unopened.summary.expert).to.be.a('string');
    // The others opened first; one criterion of the last far below everyone else's.
    for (const [i, b] of rest.entries()) {
      expect((await expert.get(`/api/tenders/${tender.id}/evaluation/bids/${b.bidId}`)).status).to.equal(200);
      const scores = fair(i + 1);
      if (i === rest.length - 1) scores[tech[0].key] = 0;
      expect((await expert.request('PUT', `/api/tenders/${tender.id}/evaluation/bids/${b.bidId}/scores`, { compliance, scores })).status).to.equal(200);
    }
    // The chair cannot return what was not submitted; a member who is not the chair cannot return at all.
    const chairRow = await s.tdb.db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').join('users as u', 'u.id', 'e.user_id').where({ 'c.tender_id': tender.id, 'c.is_chair': true }).first('u.username', 'c.expert_id');
    const me = await s.tdb.db('tender_committee as c').join('experts as e', 'e.id', 'c.expert_id').join('users as u', 'u.id', 'e.user_id').where({ 'c.tender_id': tender.id, 'u.username': 'expert' }).first('c.expert_id');
    const chair = await s.as(chairRow.username);
    const returnUrl = `/api/tenders/${tender.id}/evaluation/members/${me.expert_id}/return`;
    expect((await chair.post(returnUrl, { reason: '请核对第一项得分' })).body.error.code).to.equal('SCORES_NOT_SUBMITTED');
    expect((await s.tdb.db('tender_committee').where({ tender_id: tender.id, expert_id: me.expert_id }).first()).scores_submitted_at).to.equal(null);
    expect((await expert.post(`/api/tenders/${tender.id}/evaluation/submit`, {})).status).to.equal(200);
    const notChair = await expert.post(`/api/tenders/${tender.id}/evaluation/members/${chairRow.expert_id}/return`, { reason: '无' });
    expect(notChair.status).to.equal(403);
    expect(notChair.body.error.code).to.equal('NOT_CHAIR');
    expect((await chair.post(returnUrl, {})).status, 'a reason is required').to.equal(400);
    const returned = await chair.post(returnUrl, { reason: '请核对第一项得分' });
    expect(returned.status, JSON.stringify(returned.body)).to.equal(200);
    const ev = await s.tdb.db('audit_events').where({ action: 'tender.evaluation.scores_returned', entity_id: String(tender.id) }).first('after_json');
    expect(JSON.parse(ev.after_json)).to.include({ expertId: me.expert_id, reason: '请核对第一项得分' });
    // The member corrects bid 1 (now opened) and submits again: the change after submission is flagged.
    expect((await expert.get(`/api/tenders/${tender.id}/evaluation/bids/${first.bidId}`)).status).to.equal(200);
    expect((await expert.request('PUT', `/api/tenders/${tender.id}/evaluation/bids/${first.bidId}/scores`, { compliance, scores: fair(2) })).status).to.equal(200);
    const changed = await waitForAlert(key, 'SV13', (a) => a.evidence.bidId === first.bidId);
    expect(changed.evidence.returnReason).to.equal('请核对第一项得分');
    expect((await expert.post(`/api/tenders/${tender.id}/evaluation/submit`, {})).status).to.equal(200);
    // The committee decides the open abnormally-low question; the result is then computed.
    const after = (await expert.get(`/api/tenders/${tender.id}/evaluation`)).body;
    for (const b of after.bids.filter((x: any) => x.abnormalStatus === 'explained')) {
      const d = await chair.post(`/api/tenders/${tender.id}/evaluation/bids/${b.bidId}/abnormal-decision`, { accepted: true, reason: '说明充分' });
      expect(d.status, JSON.stringify(d.body)).to.equal(200);
    }
    expect((await s.tdb.db('tenders').where({ id: tender.id }).first('status')).status).to.not.equal('evaluation');
    const outlier = await waitForAlert(key, 'SV14', (a) => a.evidence.bidId === rest[rest.length - 1].bidId);
    expect(outlier.evidence).to.include({ aboveOthers: false, points: 0 });
    // Only bid 1 was scored unopened; the committee took days, not minutes.
    const all = await alertsOf(key);
    expect(all.filter((a) => a.ruleCode === 'SV12').map((a) => a.evidence.bidId)).to.deep.equal([first.bidId]);
    expect(all.filter((a) => a.ruleCode === 'SV15')).to.have.length(0);
  });
});
