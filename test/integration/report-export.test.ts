// Report exports: background jobs with progress; XLSX read back with exceljs cell by cell.
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import type { TestServer } from '../helpers/server';
import { ManualClock } from '../../server/db/time';
import { startReportServer, type Fixture } from './report-fixture';
import type { TestClient } from '../helpers/http';
import { CYCLE_STAGE_ORDER } from '../../server/supervision/reports/queries';

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
    expect(ws.getRow(1).values).to.deep.equal([undefined, 'Code', 'Name', 'Projects', 'Line items', 'Budget (CNY)', 'Award (CNY)', 'Savings (CNY)', 'Savings rate']);
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
    // Under a blank row, the totals of unit A (P1, P2, P5): 100,000 budget, 87,000.01 award.
    expect(ws.getRow(5).getCell(1).value ?? null).to.equal(null);
    const totals: Array<[string, number, string]> = [['Total projects', 3, '0'], ['Total line items', 4, '0'], ['Total budget (CNY)', 100000, '#,##0.00'], ['Total award (CNY)', 87000.01, '#,##0.00'], ['Total savings (CNY)', 12999.99, '#,##0.00'], ['Overall savings rate', 0.13, '0.00%']];
    totals.forEach(([label, value, fmt], i) => {
      expect(ws.getRow(6 + i).getCell(1).value).to.equal(label);
      expect(ws.getRow(6 + i).getCell(2).value, label).to.equal(value);
      expect(ws.getRow(6 + i).getCell(2).numFmt, label).to.equal(fmt);
    });
    expect(ws.rowCount).to.equal(5 + totals.length);
  });

  it('CSV: Chinese headers with a BOM, yuan printed exactly from fen', async () => {
    const r = await finance.post('/api/reports/exports', { report: 'lines', format: 'csv', params: { orgId: fx.orgA } });
    const done = await finished(finance, r.body.id);
    expect(done.rowsDone).to.equal(4);
    const text = (await download(s, finance, done.downloadUrl)).toString('utf8');
    expect(text.charCodeAt(0)).to.equal(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).to.equal('项目编号,项目名称,单位编码,采购单位,品目,采购方式,月份,供应商统一社会信用代码,成交供应商,企业规模,数量,预算（元）,限价（元）,成交（元）');
    expect(lines).to.have.length(5);
    const p1 = lines.filter((l) => l.startsWith('PRJ-2026-901,'));
    expect(p1.map((l) => l.split(',').slice(-3).join(' '))).to.deep.equal(['60000.00 60000.00 54000.01', '10000.00 10000.00 9000.00']);
    // Units and suppliers by their codes and names, the method and size by their names: no database ids, no keys.
    const unit = await s.tdb.db('organisations').where({ id: fx.orgA }).first('code', 'name_zh');
    const supplier = await s.tdb.db('suppliers').where({ id: fx.s1 }).first('credit_code', 'name');
    const cells = p1[0].split(',');
    expect(cells.slice(2, 4)).to.deep.equal([unit.code, unit.name_zh]);
    expect(cells.slice(5, 10)).to.deep.equal(['询价', '2026-04', supplier.credit_code, supplier.name, '微型企业']);
    for (const l of lines.slice(1)) {
      expect(l.split(',')[2], l).to.equal(unit.code);
      expect(l, l).to.not.match(/inquiry|online_price_competition|public_tender|micro|small|large/);
    }
    // The same in English.
    const en = await finance.post('/api/reports/exports', { report: 'lines', format: 'csv', lang: 'en', params: { orgId: fx.orgA } });
    const enText = (await download(s, finance, (await finished(finance, en.body.id)).downloadUrl)).toString('utf8');
    const enLines = enText.slice(1).trim().split('\r\n');
    expect(enLines[0]).to.equal('Project,Title,Unit code,Unit,Category,Method,Month,Supplier credit code,Supplier,Size,Quantity,Budget (CNY),Ceiling (CNY),Award (CNY)');
    const enP1 = enLines.find((l) => l.startsWith('PRJ-2026-901,'))!.split(',');
    expect(enP1[2]).to.equal(unit.code);
    expect(enP1.slice(5, 7)).to.deep.equal(['Request for quotations', '2026-04']);
    expect(enP1[9]).to.equal('Micro');
  });

  // Figures for the supplier checks, worked out here from the fixture's source rows (awarded,
  // not failed projects and their suppliers' sizes), not from the report's cubes.
  async function supplierFigures() {
    const db = s.tdb.db;
    const awards = await db('procurement_projects as p').join('suppliers as su', 'su.id', 'p.awarded_supplier_id').whereNotNull('p.award_notice_at').whereNot('p.stage', 'failed').select('su.id', 'su.name', 'su.size', 'su.credit_code', 'p.award_fen');
    const by = new Map<number, { name: string; size: string; code: string; fen: bigint; projects: number }>();
    for (const a of awards) {
      const x = by.get(a.id) ?? { name: a.name, size: a.size, code: a.credit_code, fen: 0n, projects: 0 };
      x.fen += BigInt(a.award_fen);
      x.projects++;
      by.set(a.id, x);
    }
    const total = [...by.values()].reduce((t, x) => t + x.fen, 0n);
    const bp = (part: bigint) => Number((part * 20000n + total) / (total * 2n)); // half up
    const sizeFen = (...sizes: string[]) => [...by.values()].filter((x) => sizes.includes(x.size)).reduce((t, x) => t + x.fen, 0n);
    const hhi = Number(([...by.values()].reduce((t, x) => t + x.fen * x.fen, 0n) * 20000n + total * total) / (total * total * 2n));
    const rows = [...by.entries()].sort((a, b) => (b[1].fen > a[1].fen ? 1 : b[1].fen < a[1].fen ? -1 : a[0] - b[0]));
    return { by, rows, total, bp, sizeFen, hhi };
  }
  const yuan = (fen: bigint | number) => `${BigInt(fen) / 100n}.${String(BigInt(fen) % 100n).padStart(2, '0')}`;
  const percent = (bp: number) => `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')}%`;
  const SIZE_ZH: Record<string, string> = { micro: '微型企业', small: '小型企业', medium: '中型企业', large: '大型企业' };
  const SIZE_EN: Record<string, string> = { micro: 'Micro', small: 'Small', medium: 'Medium', large: 'Large' };
  const csvText = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

  it('CSV: supplier concentration, then a blank line and the headline figures (HHI, small-business share, by size)', async () => {
    const r = await finance.post('/api/reports/exports', { report: 'suppliers', format: 'csv', lang: 'zh', params: {} });
    const done = await finished(finance, r.body.id);
    expect(done).to.include({ status: 'done', rowsDone: 3, rowsTotal: 3 });
    const x = await supplierFigures();
    // The fixture by hand: s1 micro 6,300,001 + 900,000; s2 large 1,500,000; s3 small 8,000,000.
    expect(x.total).to.equal(16_700_001n);
    expect(x.hhi).to.equal(4234);
    const text = (await download(s, finance, done.downloadUrl)).toString('utf8');
    const lines = text.slice(1).split('\r\n');
    expect(lines.pop()).to.equal(''); // the file ends with a line break
    expect(lines).to.deep.equal([
      '统一社会信用代码,供应商,企业规模,项目数,成交金额（元）,份额',
      ...x.rows.map(([, a]) => [a.code, csvText(a.name), SIZE_ZH[a.size], String(a.projects), yuan(a.fen), percent(x.bp(a.fen))].join(',')),
      '',
      '成交供应商数,3',
      `成交金额合计（元）,${yuan(x.total)}`,
      `赫芬达尔指数（HHI，0–10000）,${x.hhi}`,
      '前四名份额,100.00%',
      `中小微企业成交金额（元）,${yuan(x.sizeFen('micro', 'small'))}`,
      `中小微企业份额,${percent(x.bp(x.sizeFen('micro', 'small')))}`,
      `微型企业成交金额（元）,${yuan(x.sizeFen('micro'))}`,
      `微型企业份额,${percent(x.bp(x.sizeFen('micro')))}`,
      `小型企业成交金额（元）,${yuan(x.sizeFen('small'))}`,
      `小型企业份额,${percent(x.bp(x.sizeFen('small')))}`,
      '中型企业成交金额（元）,0.00',
      '中型企业份额,0.00%',
      `大型企业成交金额（元）,${yuan(x.sizeFen('large'))}`,
      `大型企业份额,${percent(x.bp(x.sizeFen('large')))}`,
    ]);
    // The same figures by hand: 15,200,001 / 16,700,001 = 91.02 %.
    expect(lines).to.include.members(['中小微企业成交金额（元）,152000.01', '中小微企业份额,91.02%', '大型企业份额,8.98%']);
  });

  it('XLSX: supplier concentration cell by cell, the summary under a blank row with its own number formats', async () => {
    const r = await finance.post('/api/reports/exports', { report: 'suppliers', format: 'xlsx', lang: 'en', params: {} });
    const done = await finished(finance, r.body.id);
    expect(done).to.include({ status: 'done', rowsDone: 3 });
    const x = await supplierFigures();
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(s, finance, done.downloadUrl)) as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).to.deep.equal([undefined, 'Unified social credit code', 'Supplier', 'Size', 'Projects', 'Award (CNY)', 'Share']);
    x.rows.forEach(([, a], i) => {
      const row = ws.getRow(2 + i);
      expect(row.getCell(1).value).to.equal(a.code);
      expect(a.code).to.match(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
      expect(row.getCell(2).value).to.equal(a.name);
      expect(row.getCell(3).value).to.equal(SIZE_EN[a.size]);
      expect(row.getCell(4).value).to.equal(a.projects);
      expect(row.getCell(5).value).to.equal(Number(a.fen) / 100);
      expect(row.getCell(5).numFmt).to.equal('#,##0.00');
      expect(row.getCell(6).value).to.equal(x.bp(a.fen) / 10000);
      expect(row.getCell(6).numFmt).to.equal('0.00%');
    });
    expect(ws.getRow(5).getCell(1).value ?? null).to.equal(null); // the blank row
    expect(ws.getRow(5).getCell(2).value ?? null).to.equal(null);
    const summary: Array<[string, number, string]> = [
      ['Suppliers awarded', 3, '0'],
      ['Total award (CNY)', Number(x.total) / 100, '#,##0.00'],
      ['Herfindahl-Hirschman index (HHI, 0–10000)', x.hhi, '0'],
      ['Top-four share', 1, '0.00%'],
      ['Award to small and micro businesses (CNY)', Number(x.sizeFen('micro', 'small')) / 100, '#,##0.00'],
      ['Small and micro business share', x.bp(x.sizeFen('micro', 'small')) / 10000, '0.00%'],
      ['Award to micro businesses (CNY)', Number(x.sizeFen('micro')) / 100, '#,##0.00'],
      ['Share of micro businesses', x.bp(x.sizeFen('micro')) / 10000, '0.00%'],
      ['Award to small businesses (CNY)', Number(x.sizeFen('small')) / 100, '#,##0.00'],
      ['Share of small businesses', x.bp(x.sizeFen('small')) / 10000, '0.00%'],
      ['Award to medium businesses (CNY)', 0, '#,##0.00'],
      ['Share of medium businesses', 0, '0.00%'],
      ['Award to large businesses (CNY)', Number(x.sizeFen('large')) / 100, '#,##0.00'],
      ['Share of large businesses', x.bp(x.sizeFen('large')) / 10000, '0.00%'],
    ];
    summary.forEach(([label, value, fmt], i) => {
      const row = ws.getRow(6 + i);
      expect(row.getCell(1).value, label).to.equal(label);
      expect(row.getCell(2).value, label).to.equal(value);
      expect(row.getCell(2).numFmt, label).to.equal(fmt);
    });
    expect(ws.rowCount).to.equal(5 + summary.length);
    // By hand: HHI 4234, small and micro 152,000.01 yuan = 91.02 %.
    expect(ws.getRow(8).getCell(2).value).to.equal(4234);
    expect(ws.getRow(10).getCell(2).value).to.equal(152000.01);
    expect(ws.getRow(11).getCell(2).value).to.equal(0.9102);
  });

  it('XLSX: budget execution with a category filter, frozen and spent narrowed to that category\'s share', async () => {
    const db = s.tdb.db;
    const r = await finance.post('/api/reports/exports', { report: 'budget', format: 'xlsx', lang: 'en', params: { orgId: fx.orgA, category: 'A02021003' } });
    const done = await finished(finance, r.body.id);
    expect(done.status).to.equal('done');
    const lines = await db('budget_lines').where({ org_id: fx.orgA }).orderBy('code').select('id', 'code', 'name', 'fiscal_year', 'allocated_fen', 'frozen_fen', 'spent_fen');
    expect(done.rowsDone).to.equal(lines.length);
    // Only P1 (line A) buys A02021003: items 6,000,000 + 1,000,000 fen; its requisition holds
    // 6,300,001 frozen and its payment of 6,300,001 is paid. The category's part of each is
    // 6,300,001 × 1/7 = 900,000.14 → 900,000 (the remainder fen goes to the larger item).
    const p1 = await db('requisitions as r').join('procurement_projects as p', 'p.requisition_id', 'r.id').where('p.id', fx.projects.P1).first('r.frozen_fen');
    const paid = await db('payment_requests').where({ project_id: fx.projects.P1, status: 'paid' }).first('amount_fen');
    expect([Number(p1.frozen_fen), Number(paid.amount_fen)]).to.deep.equal([6_300_001, 6_300_001]);
    const part = Math.floor((6_300_001 * 1_000_000) / 7_000_000);
    expect(part).to.equal(900_000);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await download(s, finance, done.downloadUrl)) as any);
    const ws = wb.worksheets[0];
    expect(ws.getRow(1).values).to.deep.equal([undefined, 'Budget line', 'Name', 'Unit code', 'Unit', 'Year', 'Allocated (CNY)', 'Frozen (CNY)', 'Spent (CNY)', 'Available (CNY)', 'Execution']);
    const unit = await db('organisations').where({ id: fx.orgA }).first('code', 'name_en');
    let allocated = 0;
    let available = 0;
    lines.forEach((l: any, i: number) => {
      const row = ws.getRow(2 + i);
      const mine = l.id === fx.lineA;
      const avail = Number(l.allocated_fen) - Number(l.frozen_fen) - Number(l.spent_fen); // the line's: allocations are not split by category
      allocated += Number(l.allocated_fen);
      available += avail;
      expect(row.getCell(1).value).to.equal(l.code);
      expect(row.getCell(2).value).to.equal(l.name);
      expect([row.getCell(3).value, row.getCell(4).value]).to.deep.equal([unit.code, unit.name_en]);
      expect(row.getCell(5).value).to.equal(l.fiscal_year);
      expect(row.getCell(6).value).to.equal(Number(l.allocated_fen) / 100);
      expect(row.getCell(7).value, l.code).to.equal(mine ? part / 100 : 0);
      expect(row.getCell(8).value, l.code).to.equal(mine ? part / 100 : 0);
      expect(row.getCell(8).numFmt).to.equal('#,##0.00');
      expect(row.getCell(9).value).to.equal(avail / 100);
      expect(row.getCell(10).value, l.code).to.equal(mine ? 0.018 : Number(l.allocated_fen) > 0 ? 0 : null); // 900,000 / 50,000,000
    });
    const at = 2 + lines.length;
    expect(ws.getRow(at).getCell(1).value ?? null).to.equal(null);
    const summary: Array<[string, number, string]> = [
      ['Total allocated (CNY)', allocated / 100, '#,##0.00'],
      ['Total frozen (CNY)', part / 100, '#,##0.00'],
      ['Total spent (CNY)', part / 100, '#,##0.00'],
      ['Total available (CNY)', available / 100, '#,##0.00'],
      ['Overall execution', Number((BigInt(part) * 20000n + BigInt(allocated)) / (BigInt(allocated) * 2n)) / 10000, '0.00%'],
    ];
    summary.forEach(([label, value, fmt], i) => {
      const row = ws.getRow(at + 1 + i);
      expect(row.getCell(1).value).to.equal(label);
      expect(row.getCell(2).value, label).to.equal(value);
      expect(row.getCell(2).numFmt, label).to.equal(fmt);
    });
    expect(ws.rowCount).to.equal(at + summary.length);
  });

  it('spend by unit and the project list carry the units\' codes and names (never ids); the cycle stages run in process order', async () => {
    const db = s.tdb.db;
    const csv = async (report: string, params: Record<string, unknown>, lang = 'zh') => {
      const r = await finance.post('/api/reports/exports', { report, format: 'csv', lang, params });
      const done = await finished(finance, r.body.id);
      expect(done.status, report).to.equal('done');
      return (await download(s, finance, done.downloadUrl)).toString('utf8').slice(1).split('\r\n\r\n')[0].trim().split('\r\n').map((l) => l.split(','));
    };
    const units = new Map((await db('organisations').whereIn('id', [fx.orgA, fx.orgB]).select('id', 'code', 'name_zh')).map((o: any) => [o.code, o.name_zh]));
    const byUnit = await csv('spend', { by: 'unit' });
    expect(byUnit[0].slice(0, 2)).to.deep.equal(['编码', '名称']);
    expect(byUnit.length).to.be.greaterThan(1);
    for (const row of byUnit.slice(1)) {
      expect(units.has(row[0]), row.join(',')).to.equal(true);
      expect(row[1]).to.equal(units.get(row[0]));
    }
    const byMethod = await csv('spend', { by: 'method' }, 'en');
    expect(byMethod.slice(1).map((r) => r[1]).sort()).to.include('Request for quotations');
    expect(byMethod.slice(1).every((r) => r[0] === '' && !/_/.test(r[1]))).to.equal(true);

    const projects = await csv('drilldown', {});
    expect(projects[0].slice(0, 8)).to.deep.equal(['项目编号', '项目名称', '单位编码', '采购单位', '采购方式', '月份', '供应商统一社会信用代码', '成交供应商']);
    const p1 = projects.find((r) => r[0] === 'PRJ-2026-901')!;
    const unitA = await db('organisations').where({ id: fx.orgA }).first('code', 'name_zh');
    const s1 = await db('suppliers').where({ id: fx.s1 }).first('credit_code', 'name');
    expect([p1[2], p1[3], p1[4], p1[6], p1[7]]).to.deep.equal([unitA.code, unitA.name_zh, '询价', s1.credit_code, s1.name]);

    // Cycle: per method, approval first, then the procedure's stages as the workflow runs them, then the whole span.
    const order = ['申请审批', '采购文件编制', '招标公告', '投标', '开标', '响应', '单一来源公示', '协商', '竞价', '评审', '结果公告', '质疑期', '合同签订', '履约验收', '资金支付', '已完结', '失败/废标', '申请至合同签订'];
    const cycle = await csv('cycle', {});
    expect(cycle[0]).to.deep.equal(['采购方式', '阶段', '次数', '平均天数']);
    const methods = [...new Set(cycle.slice(1).map((r) => r[0]))];
    expect(methods.length).to.be.greaterThan(0);
    for (const m of methods) {
      const stages = cycle.slice(1).filter((r) => r[0] === m).map((r) => r[1]);
      expect(stages.every((x) => order.includes(x)), stages.join(' ')).to.equal(true);
      expect(stages, m).to.deep.equal([...stages].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    }
    const inquiry = cycle.slice(1).filter((r) => r[0] === '询价').map((r) => r[1]);
    expect(inquiry[0]).to.equal('申请审批');
    expect(inquiry[inquiry.length - 1]).to.equal('申请至合同签订');
    // The report API answers in the same order.
    const api = await finance.get('/api/reports/cycle');
    const apiInquiry = api.body.rows.filter((r: any) => r.method === 'inquiry').map((r: any) => r.stage);
    expect(apiInquiry[0]).to.equal('approval');
    expect(apiInquiry, JSON.stringify(apiInquiry)).to.deep.equal([...apiInquiry].sort((a: string, b: string) => CYCLE_STAGE_ORDER.indexOf(a) - CYCLE_STAGE_ORDER.indexOf(b)));
    expect(apiInquiry[apiInquiry.length - 1]).to.equal('requisition_to_contract');
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
