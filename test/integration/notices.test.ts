import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { publishNotice } from '../../server/core/notices/service';
import { systemActor } from '../../server/http/actor';
import { ManualClock } from '../../server/db/time';

describe(`portal notices (${TEST_DIALECT})`, () => {
  let s: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 10, 20, 2, 0, 0));
  let unitA: number;
  let unitB: number;
  before(async () => {
    s = await startTestServer({ clock });
    const units = await s.tdb.db('organisations').where({ kind: 'purchasing_unit' }).orderBy('id').limit(2);
    [unitA, unitB] = units.map((u: { id: number }) => u.id);
    const actor = systemActor('test', clock);
    await withTx(s.tdb.db, async (tx) => {
      await publishNotice(tx, actor, { kind: 'tender', titleZh: '教育局台式计算机采购招标公告', titleEn: 'Desktop computers tender', bodyZh: '预算 300 万元\n投标截止 2026-12-20', bodyEn: 'Budget 3,000,000 CNY', orgId: unitA, categoryCode: 'A02010104', method: 'public_tender', amountFen: 300_000_000, projectRef: 'P-2026-0001', sourceType: 'project', sourceId: 1, publishedAt: new Date(Date.UTC(2026, 10, 1)) });
      await publishNotice(tx, actor, { kind: 'competition', titleZh: '激光打印机网上竞价公告', titleEn: 'Laser printers price competition', bodyZh: '最高限价 12 万元', bodyEn: 'Ceiling 120,000 CNY', orgId: unitB, categoryCode: 'A02021003', method: 'online_competition', amountFen: 12_000_000, sourceType: 'auction', sourceId: 7, publishedAt: new Date(Date.UTC(2026, 10, 10)) });
      await publishNotice(tx, actor, { kind: 'award', titleZh: '教育局台式计算机中标结果公告', titleEn: 'Desktop computers award', bodyZh: '中标人：某公司', bodyEn: 'Winner: a company', orgId: unitA, categoryCode: 'A02010104', method: 'public_tender', amountFen: 280_000_000, projectRef: 'P-2026-0001', sourceType: 'project', sourceId: 1, attachments: [{ name: '评标报告.pdf', url: '/files/1' }], publishedAt: new Date(Date.UTC(2026, 10, 15)) });
    });
  });
  after(() => s.stop());

  it('lists notices newest first without login', async () => {
    const r = await s.client().get('/api/portal/notices');
    expect(r.status).to.equal(200);
    expect(r.body.items.map((n: { kind: string }) => n.kind)).to.deep.equal(['award', 'competition', 'tender']);
    expect(r.body.items[0]).to.not.have.property('bodyZh');
  });

  it('filters by kind, unit, category prefix, method, date, amount and text', async () => {
    const c = s.client();
    const ids = async (qs: string) => (await c.get(`/api/portal/notices?${qs}`)).body.items.map((n: { titleEn: string }) => n.titleEn);
    expect(await ids('kind=competition')).to.deep.equal(['Laser printers price competition']);
    expect(await ids(`orgId=${unitA}`)).to.deep.equal(['Desktop computers award', 'Desktop computers tender']);
    expect(await ids('category=A0201')).to.have.length(2);
    expect(await ids('method=online_competition')).to.have.length(1);
    expect(await ids('from=2026-11-10&to=2026-11-14')).to.deep.equal(['Laser printers price competition']);
    expect(await ids('minAmountFen=100000000')).to.have.length(2);
    expect(await ids('maxAmountFen=12000000')).to.deep.equal(['Laser printers price competition']);
    expect(await ids(`q=${encodeURIComponent('打印机')}`)).to.deep.equal(['Laser printers price competition']);
    expect(await ids('projectRef=P-2026-0001')).to.have.length(2);
    expect((await c.get('/api/portal/notices?kind=bogus')).status).to.equal(400);
  });

  it('shows one notice in full, with attachments, and audits every publication', async () => {
    const list = await s.client().get('/api/portal/notices?kind=award');
    const n = await s.client().get(`/api/portal/notices/${list.body.items[0].id}`);
    expect(n.body.bodyZh).to.equal('中标人：某公司');
    expect(n.body.attachments[0].name).to.equal('评标报告.pdf');
    expect(n.body.amountFen).to.equal(280_000_000);
    expect((await s.client().get('/api/portal/notices/999999')).status).to.equal(404);
    const audited = await s.tdb.db('audit_events').where({ action: 'notice.published' }).count({ n: '*' }).first();
    expect(Number(audited!.n)).to.equal(3);
  });
});
