// Repeated acts fold into one alert: the same rule, subject and actor within the rule's window
// count on the open alert (×N, last seen) instead of raising another; outside the window, by
// another actor or on another subject they are alerts of their own. The window is a rule setting.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { record } from '../../server/supervision/audit/audit';
import type { Actor } from '../../server/http/actor';
import { replayAuditTrail, type RuleEngine } from '../../server/supervision/engine/engine';

const MIN = 60_000;

describe(`supervision: repeated alerts fold (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let engine: RuleEngine;
  let operatorA: number;
  let operatorB: number;
  const t0 = Date.UTC(2026, 11, 3, 2, 0, 0); // 10:00 in Beijing
  const actorAt = (userId: number, at: number): Actor => ({ userId, role: 'operator', requestId: null, ip: '10.8.0.7', clock: { now: () => new Date(at) } });
  /** A sealed-draw read attempt by a user on a draw, at a time. */
  const attempt = async (userId: number, drawId: number, at: number) => {
    await withTx(s.tdb.db, (tx) => record(tx, actorAt(userId, at), { action: 'sealed.read_attempt', entityType: 'expert_draw', entityId: drawId, after: { orgId: 2, reason: 'before_reveal' } }));
    await engine.idle();
  };
  const sv10 = (drawId: number) => s.tdb.db('sv_alerts').where({ rule_code: 'SV10', subject_id: String(drawId) }).orderBy('id');

  before(async () => {
    s = await startTestServer();
    engine = (s.platform.modules.find((m) => m.name === 'supervision') as unknown as { engine: RuleEngine }).engine;
    const users = await s.tdb.db('users').whereIn('username', ['operator', 'admin']).select('id', 'username');
    operatorA = Number(users.find((u: any) => u.username === 'operator').id);
    operatorB = Number(users.find((u: any) => u.username === 'admin').id);
  });
  after(() => s?.stop());

  it('folds the same rule, subject and actor within the window; not outside it, nor another actor or subject', async () => {
    const draw = 7101;
    await attempt(operatorA, draw, t0);
    await attempt(operatorA, draw, t0 + 10 * MIN);
    await attempt(operatorA, draw, t0 + 55 * MIN); // 45 minutes after the last one: the window slides
    await attempt(operatorB, draw, t0 + 20 * MIN); // another user: an alert of its own
    await attempt(operatorA, 7102, t0 + 30 * MIN); // another draw: an alert of its own
    let rows = await sv10(draw);
    expect(rows.map((r: any) => [Number(r.actor_id), Number(r.occurrences)])).to.deep.equal([
      [operatorA, 3],
      [operatorB, 1],
    ]);
    expect(new Date(String(rows[0].last_seen_at).replace(' ', 'T') + (String(rows[0].last_seen_at).includes('Z') ? '' : 'Z')).getTime()).to.equal(t0 + 55 * MIN);
    expect((await sv10(7102)).map((r: any) => Number(r.occurrences))).to.deep.equal([1]);

    // 61 minutes after the last occurrence: a new alert, the first one keeps its count.
    await attempt(operatorA, draw, t0 + 116 * MIN);
    rows = await sv10(draw);
    expect(rows.map((r: any) => [Number(r.actor_id), Number(r.occurrences)])).to.deep.equal([
      [operatorA, 3],
      [operatorB, 1],
      [operatorA, 1],
    ]);

    // Each fold is audited as alert.repeated with the count, in the alert's history.
    const repeated = await s.tdb.db('audit_events').where({ action: 'alert.repeated', entity_type: 'alert', entity_id: String(rows[0].id) }).orderBy('seq');
    expect(repeated.map((e: any) => JSON.parse(e.after_json).occurrences)).to.deep.equal([2, 3]);

    // Replaying the trail (a rule switched on later, a restart) never counts an event twice.
    await replayAuditTrail(engine, s.tdb.db);
    expect((await sv10(draw)).map((r: any) => Number(r.occurrences))).to.deep.equal([3, 1, 1]);

    // The list and the alert carry the count and the last time seen.
    const sup = await s.as('supervisor');
    const list = await sup.get('/api/supervision/alerts?ruleCode=SV10&pageSize=50');
    expect(list.status).to.equal(200);
    const folded = list.body.items.find((a: any) => a.id === Number(rows[0].id));
    expect(folded).to.include({ occurrences: 3, actorId: operatorA, lastSeenAt: new Date(t0 + 55 * MIN).toISOString() });
    const one = await sup.get(`/api/supervision/alerts/${rows[0].id}`);
    expect(one.body).to.include({ occurrences: 3 });
  });

  it('a closed alert is not folded into; the window is the rule setting foldWindowMinutes', async () => {
    const sup = await s.as('supervisor');
    const draw = 7201;
    await attempt(operatorA, draw, t0);
    const [first] = await sv10(draw);
    const me = Number((await s.tdb.db('users').where({ username: 'supervisor' }).first('id')).id);
    expect((await sup.post(`/api/supervision/alerts/${first.id}/assign`, { assigneeId: me })).status).to.equal(200);
    expect((await sup.post(`/api/supervision/alerts/${first.id}/acknowledge`)).status).to.equal(200);
    expect((await sup.post(`/api/supervision/alerts/${first.id}/close`, { finding: 'unfounded', note: '误点' })).status).to.equal(200);
    await attempt(operatorA, draw, t0 + 5 * MIN);
    expect((await sv10(draw)).map((r: any) => [r.status, Number(r.occurrences)])).to.deep.equal([
      ['closed', 1],
      ['open', 1],
    ]);

    const put = await sup.request('PUT', '/api/supervision/rules/SV10', { thresholds: { foldWindowMinutes: 5 } });
    expect(put.status).to.equal(200);
    expect(put.body.thresholds.foldWindowMinutes).to.equal(5);
    await attempt(operatorA, draw, t0 + 9 * MIN); // 4 minutes after: folds
    await attempt(operatorA, draw, t0 + 15 * MIN); // 6 minutes after: a new alert
    expect((await sv10(draw)).map((r: any) => Number(r.occurrences))).to.deep.equal([1, 2, 1]);
    expect((await sup.request('PUT', '/api/supervision/rules/SV10', { thresholds: { foldWindowMinutes: 60 } })).status).to.equal(200);
  });
});
