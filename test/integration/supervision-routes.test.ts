// Supervision routes no other suite exercised with success: the alert list with every filter
// (it answered 500 for every filter, issue 11) and the rule settings list; and the alert page.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { systemActor } from '../../server/http/actor';
import { systemClock } from '../../server/db/time';
import { AlertService } from '../../server/supervision/alerts/service';
import type { RuleEngine } from '../../server/supervision/engine/engine';
import { RULES } from '../../server/supervision/rules/catalogue';

describe(`supervision routes: alert list and rule settings (${TEST_DIALECT})`, function () {
  this.timeout(60000);
  let s: TestServer;
  let alerts: AlertService;
  const ids: Record<string, number> = {};
  const mine = (items: Array<{ processKey: string | null }>) => items.filter((a) => a.processKey?.startsWith('routes-test:'));

  before(async () => {
    s = await startTestServer({ seed: 'small' });
    const sv = s.platform.modules.find((m) => m.name === 'supervision') as unknown as { alerts: AlertService; engine: RuleEngine };
    alerts = sv.alerts;
    await sv.engine.idle();
    const org = (await s.tdb.db('organisations').where({ code: 'PU01' }).first('id')).id as number;
    const raise = async (name: string, ruleCode: string, severity: 'low' | 'medium' | 'high' | 'critical', orgId: number | null) => {
      const a = await alerts.raise(systemActor('routes-test', systemClock), {
        ruleCode,
        severity,
        finding: { subjectKey: `routes-test:${name}`, subjectType: 'competition', subjectId: name, processKey: `routes-test:${name}`, orgId, params: { n: 1 }, evidence: { name } },
      });
      ids[name] = a!.id;
    };
    await raise('a', 'SV04', 'high', org);
    await raise('b', 'SV10', 'critical', null);
    await raise('c', 'SV04', 'medium', org);
  });
  after(() => s?.stop());

  it('lists alerts newest first, paged, with the unit and assignee names (supervisor and admin)', async () => {
    const sup = await s.as('supervisor');
    const r = await sup.get('/api/supervision/alerts?pageSize=200');
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    expect(r.body).to.include({ page: 1, pageSize: 200 });
    expect(r.body.total).to.equal(r.body.items.length);
    expect(mine(r.body.items).map((a: any) => a.id)).to.deep.equal([ids.c, ids.b, ids.a]);
    const c = r.body.items.find((a: any) => a.id === ids.c);
    expect(c).to.include({ ruleCode: 'SV04', severity: 'medium', status: 'open', orgName: '阳光市教育局', assigneeName: null, subjectId: 'c' });
    expect(c.evidence).to.deep.equal({ name: 'c' });
    // page 2 of size 1 is the second newest
    const p2 = await sup.get('/api/supervision/alerts?page=2&pageSize=1');
    expect(p2.body.items.map((a: any) => a.id)).to.deep.equal([r.body.items[1].id]);
    expect(p2.body.total).to.equal(r.body.total);
    expect((await (await s.as('admin')).get('/api/supervision/alerts')).status).to.equal(200);
    expect((await (await s.as('operator')).get('/api/supervision/alerts')).status).to.equal(403);
  });

  it('filters by rule, severity, unit, process, status, open, assignee and risk point', async () => {
    const sup = await s.as('supervisor');
    const supUser = await s.tdb.db('users').where({ username: 'supervisor' }).first('id');
    const list = async (q: string) => {
      const r = await sup.get(`/api/supervision/alerts?pageSize=200&${q}`);
      expect(r.status, `${q}: ${JSON.stringify(r.body)}`).to.equal(200);
      return mine(r.body.items).map((a: any) => a.id);
    };
    expect(await list('ruleCode=SV04')).to.deep.equal([ids.c, ids.a]);
    expect(await list('severity=critical')).to.deep.equal([ids.b]);
    const org = (await s.tdb.db('organisations').where({ code: 'PU01' }).first('id')).id;
    expect(await list(`orgId=${org}`)).to.deep.equal([ids.c, ids.a]);
    expect(await list('processKey=routes-test:b')).to.deep.equal([ids.b]);
    expect(await list('ruleCode=SV04&severity=high')).to.deep.equal([ids.a]);
    // handle two of them: a assigned, b closed; then the state filters follow
    expect((await sup.post(`/api/supervision/alerts/${ids.a}/assign`, { assigneeId: supUser.id })).status).to.equal(200);
    await sup.post(`/api/supervision/alerts/${ids.b}/assign`, { assigneeId: supUser.id });
    await sup.post(`/api/supervision/alerts/${ids.b}/acknowledge`);
    await sup.post(`/api/supervision/alerts/${ids.b}/investigate`, { note: '调取日志' });
    expect((await sup.post(`/api/supervision/alerts/${ids.b}/close`, { finding: 'unfounded', note: '误报' })).status).to.equal(200);
    expect(await list('status=open')).to.deep.equal([ids.c]);
    expect(await list('status=assigned')).to.deep.equal([ids.a]);
    expect(await list('status=closed')).to.deep.equal([ids.b]);
    expect(await list('open=true')).to.deep.equal([ids.c, ids.a]);
    expect(await list(`assignedTo=${supUser.id}`)).to.deep.equal([ids.b, ids.a]);
    const rp = await sup.post('/api/supervision/risk-points', { code: 'RP-RT1', post: '经办岗', process: '竞价', title: '围标串标', description: '同一设备多家报价', level: 'high', controls: '设备指纹比对', rules: ['SV04'] });
    expect(rp.status, JSON.stringify(rp.body)).to.equal(201);
    expect((await sup.post(`/api/supervision/alerts/${ids.c}/risk-point`, { riskPointId: rp.body.id })).status).to.equal(200);
    expect(await list(`riskPointId=${rp.body.id}`)).to.deep.equal([ids.c]);
    // the assignee's name comes with the row
    const a = (await sup.get(`/api/supervision/alerts?processKey=routes-test:a`)).body.items[0];
    expect(a.assigneeName).to.be.a('string').and.not.equal('');
    // an unknown filter value is a 400, not a 500
    expect((await sup.get('/api/supervision/alerts?status=lost')).status).to.equal(400);
    expect((await sup.get('/api/supervision/alerts?orgId=abc')).status).to.equal(400);
  });

  it('lists every rule with its definition, severity and effective thresholds, showing a supervisor’s change', async () => {
    const sup = await s.as('supervisor');
    const r = await sup.get('/api/supervision/rules');
    expect(r.status).to.equal(200);
    expect(r.body.items.map((x: any) => x.code)).to.deep.equal(RULES.map((x) => x.code));
    const sv04 = r.body.items.find((x: any) => x.code === 'SV04');
    expect(sv04).to.include({ enabled: true, updatedAt: null });
    expect(sv04.nameZh).to.be.a('string').and.not.equal('');
    expect(sv04.defaults.severity).to.equal(sv04.severity);
    expect(sv04.thresholds).to.deep.equal(sv04.defaults.thresholds);
    expect((await sup.request('PUT', '/api/supervision/rules/SV04', { severity: 'critical' })).status).to.equal(200);
    const after = (await (await s.as('admin')).get('/api/supervision/rules')).body.items.find((x: any) => x.code === 'SV04');
    expect(after.severity).to.equal('critical');
    expect(after.defaults.severity).to.equal(sv04.severity);
    expect(after.updatedAt).to.be.a('string');
    expect((await (await s.as('purchaser')).get('/api/supervision/rules')).status).to.equal(403);
  });
  it('raises a state finding once: found again, the node answers from memory without touching the database; another node reads it there', async () => {
    const finding = { subjectKey: 'routes-test:memo', subjectType: 'competition', subjectId: 'memo', processKey: 'routes-test:memo', orgId: null, params: { n: 1 }, evidence: { name: 'memo' } };
    const input = { ruleCode: 'SV04', severity: 'high' as const, finding };
    const actor = systemActor('routes-test', systemClock);
    const first = await alerts.raise(actor, input);
    expect(first).to.not.equal(null);
    const queries: string[] = [];
    const count = (q: { sql: string }) => queries.push(q.sql);
    s.tdb.db.on('query', count);
    try {
      expect(await alerts.raise(actor, input)).to.equal(null);
      expect(queries, 'the same node, found again').to.deep.equal([]);
      // A node that has not seen it (a fresh service on the same database) asks the database once, then remembers.
      const other = new AlertService(s.tdb.db);
      expect(await other.raise(actor, input)).to.equal(null);
      expect(queries.filter((q) => /sv_alerts/.test(q))).to.have.length(1);
      expect(await other.raise(actor, input)).to.equal(null);
      expect(queries.filter((q) => /sv_alerts/.test(q))).to.have.length(1);
      // Another subject is still raised.
      expect(await alerts.raise(actor, { ...input, finding: { ...finding, subjectKey: 'routes-test:memo-2', subjectId: 'memo-2' } })).to.not.equal(null);
    } finally {
      s.tdb.db.off('query', count);
    }
    expect(await s.tdb.db('sv_alerts').where({ rule_code: 'SV04', subject_key: 'routes-test:memo' }).count({ n: '*' }).first()).to.satisfy((r: any) => Number(r.n) === 1);
  });
});

