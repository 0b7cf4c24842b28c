import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { publishNotice } from '../../server/core/notices/service';
import { systemActor } from '../../server/http/actor';
import { ManualClock } from '../../server/db/time';
import { noticeTitleZh } from '../../server/core/notices/title';
import { announceNotice, failureNotice } from '../../server/execution/auctions/notices';
import type { Auction } from '../../server/execution/auctions/repository';
import { up as undoubleTitles } from '../../db/migrations/20261204-2110-notice-titles-once';

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

  it('composes titles without saying the procedure twice, and mends titles already stored doubled', async () => {
    expect(noticeTitleZh('台式计算机网上竞价', '网上竞价公告（JJ-1）')).to.equal('台式计算机网上竞价公告（JJ-1）');
    expect(noticeTitleZh('台式计算机', '网上竞价公告（JJ-1）')).to.equal('台式计算机网上竞价公告（JJ-1）');
    expect(noticeTitleZh('档案库房改造公开招标', '公开招标公告（ZB-1）', ' ')).to.equal('档案库房改造公开招标公告（ZB-1）');
    expect(noticeTitleZh('档案库房改造', '公开招标公告（ZB-1）', ' ')).to.equal('档案库房改造 公开招标公告（ZB-1）');
    expect(noticeTitleZh('办公家具采购', '采购失败（终止）公告', ' ')).to.equal('办公家具采购失败（终止）公告');

    // A competition whose name already says 网上竞价: its notices say it once.
    const actor = systemActor('test', clock);
    const a = { id: 9901, code: 'JJ2026-9901', title: '台式计算机网上竞价', lotDescription: '台式计算机', quantity: 10, unit: '台', categoryCode: 'A02010104', ceilingFen: 5_000_000, decrementKind: 'absolute', decrementValue: 10_000, startsAt: new Date(Date.UTC(2026, 11, 1, 2)), durationSec: 1800, extensionSec: 120, visibility: 'best_price', minSuppliers: 3, minBrands: 2, orgId: unitA } as unknown as Auction;
    await withTx(s.tdb.db, async (tx) => {
      await announceNotice(tx, actor, a);
      await failureNotice(tx, actor, a, '报名供应商不足', 'too few suppliers');
    });
    const titles = await s.tdb.db('notices').where({ source_type: 'auction', source_id: '9901' }).orderBy('id').pluck('title_zh');
    expect(titles).to.deep.equal(['台式计算机网上竞价公告（JJ2026-9901）', '台式计算机网上竞价失败公告（JJ2026-9901）']);
    const listed = await s.client().get(`/api/portal/notices?q=${encodeURIComponent('台式计算机网上竞价')}`);
    expect(listed.body.items.map((n: any) => n.titleZh)).to.include('台式计算机网上竞价公告（JJ2026-9901）');
    expect(JSON.stringify(listed.body)).to.not.include('网上竞价网上竞价');

    // Titles stored doubled before the fix are mended by the migration; the rest stay as they are.
    await withTx(s.tdb.db, async (tx) => {
      await publishNotice(tx, actor, { kind: 'competition', titleZh: '复印纸网上竞价网上竞价公告（JJ2026-0007）', titleEn: 'Copy paper competition', bodyZh: '最高限价 5 万元', bodyEn: 'Ceiling 50,000 CNY', orgId: unitB, categoryCode: 'A02021003', method: 'online_price_competition', amountFen: 5_000_000, sourceType: 'auction', sourceId: 9902 });
      await publishNotice(tx, actor, { kind: 'tender', titleZh: '档案库房改造公开招标 公开招标公告（ZB-9）', titleEn: 'Archive works tender', bodyZh: '预算 500 万元', bodyEn: 'Budget 5,000,000 CNY', orgId: unitB, categoryCode: 'B', method: 'public_tender', amountFen: 500_000_000, sourceType: 'tender', sourceId: 9903 });
    });
    const before = await s.tdb.db('notices').orderBy('id').select('id', 'title_zh', 'body_zh');
    await undoubleTitles(s.tdb.db);
    const after = await s.tdb.db('notices').orderBy('id').select('id', 'title_zh', 'body_zh');
    expect(after.find((n: any) => n.title_zh.startsWith('复印纸')).title_zh).to.equal('复印纸网上竞价公告（JJ2026-0007）');
    expect(after.find((n: any) => n.title_zh.startsWith('档案库房')).title_zh).to.equal('档案库房改造公开招标公告（ZB-9）');
    const changed = after.filter((n: any, i: number) => n.title_zh !== before[i].title_zh);
    expect(changed).to.have.length(2);
    expect(after.map((n: any) => n.body_zh)).to.deep.equal(before.map((n: any) => n.body_zh));
  });
});
