// Report exports: background jobs with progress; XLSX read back with exceljs cell by cell.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { TestServer } from '../helpers/server';
import { ManualClock } from '../../server/db/time';
import { startReportServer, type Fixture } from './report-fixture';
import type { TestClient } from '../helpers/http';

async function finished(c: TestClient, id: number) {
  for (let i = 0; i < 200; i++) {
    const r = await c.get(`/api/reports/exports/${id}`);
    if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
    await new Promise((res) => setTimeout(res, 25));
  }
  throw new Error('export did not finish');
}

async function download(s: TestServer, c: TestClient, url: string): Promise<Buffer> {
  const res = await fetch(s.url + url, { headers: { cookie: c.cookie } });
  expect(res.status).to.equal(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('report exports', function () {
  this.timeout(60_000);
  let s: TestServer;
  let fx: Fixture;
  let finance: TestClient;
  const clock = new ManualClock(Date.UTC(2026, 6, 1, 0, 0, 0));

  before(async () => {
    ({ s, fx } = await startReportServer(clock));
    finance = await s.as('finance');
  });
  after(() => s?.stop());

  it('XLSX: spend by category, yuan cells from fen with #,##0.00, percentages, read back cell by cell', async () => {
    const r = await finance.post('/api/reports/exports', { report: 'spend', format: 'xlsx', lang: 'en', params: { by: 'category', orgId: fx.orgA } });
    expect(r.status).to.equal(202);
    expect(r.body.status).to.be.oneOf(['queued', 'running', 'done']);
    const done = await finished(finance, r.body.id);
    expect(done).to.include({ status: 'done', rowsDone: 3, rowsTotal: 3, progress: 1 });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(s, finance, done.downloadUrl)) as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).to.deep.equal([undefined, 'Key', 'Name', 'Projects', 'Line items', 'Budget (CNY)', 'Award (CNY)', 'Savings (CNY)', 'Savings rate']);
    // A02010104: P1's first line (6,000,000 / 5,400,001) and P5 (1,000,000 / 900,000).
    const row = ws.getRow(2);
    expect(row.getCell(1).value).to.equal('A02010104');
    expect(row.getCell(2).value).to.equal('Desktop computers');
    expect(row.getCell(3).value).to.equal(2);
    expect(row.getCell(4).value).to.equal(2);
    expect(row.getCell(5).value).to.equal(70000);
    expect(row.getCell(5).numFmt).to.equal('#,##0.00');
    expect(row.getCell(6).value).to.equal(63000.01);
    expect(row.getCell(6).numFmt).to.equal('#,##0.00');
    expect(row.getCell(7).value).to.equal(6999.99);
    expect(row.getCell(8).value).to.equal(0.1);
    expect(row.getCell(8).numFmt).to.equal('0.00%');
    expect(ws.getRow(3).getCell(1).value).to.equal('A02010105');
    expect(ws.getRow(3).getCell(6).value).to.equal(15000);
    expect(ws.getRow(4).getCell(1).value).to.equal('A02021003');
    expect(ws.getRow(4).getCell(6).value).to.equal(9000);
    expect(ws.rowCount).to.equal(4);
  });

  it('CSV: Chinese headers with a BOM, yuan printed exactly from fen', async () => {
    const r = await finance.post('/api/reports/exports', { report: 'lines', format: 'csv', params: { orgId: fx.orgA } });
    const done = await finished(finance, r.body.id);
    expect(done.rowsDone).to.equal(4);
    const text = (await download(s, finance, done.downloadUrl)).toString('utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).to.equal('项目编号,项目名称,采购单位,品目,采购方式,月份,成交供应商,企业规模,数量,预算（元）,限价（元）,成交（元）');
    expect(lines).to.have.length(5);
    const p1 = lines.filter((l) => l.startsWith('PRJ-2026-901,'));
    expect(p1.map((l) => l.split(',').slice(-3).join(' '))).to.deep.equal(['60000.00 60000.00 54000.01', '10000.00 10000.00 9000.00']);
  });

  it('every report exports, and only its owner downloads it', async () => {
    for (const report of ['savings', 'cycle', 'suppliers', 'budget', 'drilldown']) {
      const r = await finance.post('/api/reports/exports', { report, format: 'xlsx', params: {} });
      const done = await finished(finance, r.body.id);
      expect(done.status, report).to.equal('done');
      expect(done.rowsDone, report).to.be.greaterThan(0);
    }
    const supervisor = await s.as('supervisor');
    const mine = await finance.post('/api/reports/exports', { report: 'savings', format: 'csv' });
    expect((await supervisor.get(`/api/reports/exports/${mine.body.id}`)).status).to.equal(403);
    expect((await (await s.as('purchaser')).post('/api/reports/exports', { report: 'savings', format: 'csv' })).status).to.equal(403);
    const bad = await finance.post('/api/reports/exports', { report: 'savings', format: 'pdf' });
    expect(bad.status).to.equal(400);
  });
});
