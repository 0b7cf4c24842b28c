// The portal's results, project pages, figures and notices search, against the fixture.
import { expect } from 'chai';
import type { TestServer } from '../helpers/server';
import { ManualClock } from '../../server/db/time';
import { startReportServer, type Fixture } from './report-fixture';

describe('portal results, project pages and search', function () {
  this.timeout(60_000);
  let s: TestServer;
  let fx: Fixture;
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));
  const refs = async (qs: string) => (await s.client().get(`/api/portal/results?${qs}`)).body.items.map((r: any) => r.ref);

  before(async () => {
    ({ s, fx } = await startReportServer(clock));
  });
  after(() => s?.stop());

  it('results: winner and price, newest first, without login', async () => {
    const r = await s.client().get('/api/portal/results');
    expect(r.status).to.equal(200);
    expect(r.body.items.map((x: any) => x.ref)).to.deep.equal(['PRJ-2026-905', 'PRJ-2026-903', 'PRJ-2026-902', 'PRJ-2026-901']);
    expect(r.body.items[3]).to.include({ awardFen: 6_300_001, budgetFen: 7_000_000, savingsBp: 1000, method: 'inquiry', supplierSize: 'micro' });
  });

  it('results search: method, unit, category, dates (China time), amounts and text', async () => {
    expect(await refs('method=inquiry')).to.deep.equal(['PRJ-2026-905', 'PRJ-2026-901']);
    expect(await refs(`orgId=${fx.orgB}`)).to.deep.equal(['PRJ-2026-903']);
    expect(await refs('category=A0201')).to.deep.equal(['PRJ-2026-905', 'PRJ-2026-902', 'PRJ-2026-901']);
    // Awarded 20:00 UTC on 31 March = 1 April in Beijing.
    expect(await refs('from=2026-04-01&to=2026-04-01')).to.deep.equal(['PRJ-2026-901']);
    expect(await refs('from=2026-03-31&to=2026-03-31')).to.deep.equal([]);
    expect(await refs('minAmountFen=1500000&maxAmountFen=6300001')).to.deep.equal(['PRJ-2026-902', 'PRJ-2026-901']);
    const name = (await s.tdb.db('suppliers').where({ id: fx.s3 }).first('name')).name;
    expect(await refs(`q=${encodeURIComponent(name)}`)).to.deep.equal(['PRJ-2026-903']);
    expect(await refs('q=PRJ-2026-902')).to.deep.equal(['PRJ-2026-902']);
    expect((await s.client().get('/api/portal/results?method=auction')).status).to.equal(400);
  });

  it('a project page: facts, result, contract and a timeline of stages and notices', async () => {
    const r = await s.client().get('/api/portal/projects/PRJ-2026-901');
    expect(r.status).to.equal(200);
    expect(r.body).to.include({ ref: 'PRJ-2026-901', ocid: 'ocds-ygcg01-PRJ-2026-901', method: 'inquiry', budgetFen: 7_000_000 });
    expect(r.body.result).to.include({ awardFen: 6_300_001, savingsBp: 1000 });
    expect(r.body.contract).to.include({ ref: 'CON-2026-901', amountFen: 6_300_001, signedAt: '2026-04-20T00:00:00.000Z' });
    expect(r.body.timeline.map((e: any) => e.kind === 'stage' ? e.stage : e.kind === 'notice' ? `notice:${e.noticeKind}` : e.kind)).to.deep.equal(['documents_prepared', 'responses_open', 'evaluation', 'award_notice', 'notice:award', 'notice:contract', 'contract_signed']);
    // Notices published by the tendering module under the tender's reference belong to the project.
    const tendered = await s.client().get('/api/portal/projects/PRJ-2026-903');
    expect(tendered.body.timeline.filter((e: any) => e.kind === 'notice').map((e: any) => e.titleEn)).to.deep.equal(['Award notice ZB-2026-0901']);
    const failed = await s.client().get('/api/portal/projects/PRJ-2026-904');
    expect(failed.body.result).to.equal(null);
    expect(failed.body.failureReason).to.contain('TOO_FEW_VALID_RESPONSES');
    expect((await s.client().get('/api/portal/projects/PRJ-0000-000')).status).to.equal(404);
  });

  it('result notices reach the notices search with kind, method and amount', async () => {
    const c = s.client();
    const award = await c.get('/api/portal/notices?kind=award');
    // The tender's award notice is the tendering module's (under its reference); no second one.
    expect(award.body.items.map((n: any) => n.projectRef).sort()).to.deep.equal(['PRJ-2026-901', 'PRJ-2026-905', 'WSJJ-2026-0901', 'ZB-2026-0901']);
    expect((await c.get('/api/portal/notices?kind=failure')).body.items.map((n: any) => n.projectRef)).to.deep.equal(['PRJ-2026-904']);
    expect((await c.get('/api/portal/notices?kind=contract')).body.total).to.equal(1);
    const cheap = await c.get('/api/portal/notices?kind=award&method=inquiry&maxAmountFen=1000000');
    expect(cheap.body.items.map((n: any) => n.projectRef)).to.deep.equal(['PRJ-2026-905']);
    const full = await c.get(`/api/portal/notices/${award.body.items[0].id}`);
    expect(full.body.bodyZh).to.contain('成交供应商');
  });

  it('notices search: dates are days in China time, and the text search reads both languages', async () => {
    const c = s.client();
    // Published 20:30 UTC on 9 June = 04:30 on 10 June in Beijing.
    const [id] = await s.tdb.db('notices').insert({ kind: 'other', title_zh: '更正公告', title_en: 'Correction', body_zh: '更正内容', body_en: 'The zeppelin delivery date is corrected', org_id: fx.orgA, category_code: 'A02010105', method: 'inquiry', amount_fen: null, project_ref: 'PRJ-2026-999', source_type: 'project', source_id: '999', published_at: '2026-06-09 20:30:00.000' });
    try {
      const ids = async (qs: string) => (await c.get(`/api/portal/notices?${qs}`)).body.items.map((n: any) => n.id);
      expect(await ids('from=2026-06-10&to=2026-06-10')).to.include(id);
      expect(await ids('from=2026-06-09&to=2026-06-09')).to.not.include(id);
      expect(await ids('from=2026-06-11')).to.not.include(id);
      expect(await ids('to=2026-06-09')).to.not.include(id);
      expect(await ids('q=zeppelin')).to.deep.equal([id]);
    } finally {
      await s.tdb.db('notices').where({ id }).delete();
    }
  });

  it('home figures for the year', async () => {
    const r = await s.client().get('/api/portal/stats');
    expect(r.body).to.include({ year: 2026, awardedProjects: 4, awardFen: 16_700_001, savingsFen: 3_299_999, savingsBp: 1650, smallBusinessShareBp: 9102, openProcedures: 0 });
    expect(r.body.noticesThisYear).to.equal(6);
  });
});
