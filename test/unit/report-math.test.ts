// Exact money arithmetic for reports: allocation, savings, shares, HHI, yuan text; and the
// XLSX writer streaming a large export without blocking the event loop.
import { expect } from 'chai';
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { allocateFen, savingsBp, shareBp, hhi } from '../../server/supervision/reports/allocation';
import { cstMonth, monthsBetween } from '../../server/supervision/reports/months';
import { fenToYuanText, writeXlsx, writeCsv } from '../../server/supervision/reports/writers';
import type { ReportTable } from '../../server/supervision/reports/tables';

describe('report arithmetic', () => {
  it('allocates fen exactly over weights (largest remainder)', () => {
    expect(allocateFen(6_300_001, [6_000_000, 1_000_000])).to.deep.equal([5_400_001, 900_000]);
    expect(allocateFen(100, [1, 1, 1])).to.deep.equal([34, 33, 33]);
    expect(allocateFen(2, [1, 1, 1])).to.deep.equal([1, 1, 0]);
    expect(allocateFen(10, [0, 0])).to.deep.equal([5, 5]);
    expect(allocateFen(-7, [1, 1])).to.deep.equal([-4, -3]);
    // Big numbers stay exact (no float): 9e15 fen over three parts.
    const parts = allocateFen(9_000_000_000_000_001, [3, 3, 3]);
    expect(parts.reduce((a, b) => a + b, 0)).to.equal(9_000_000_000_000_001);
    for (let i = 0; i < 200; i++) {
      const w = Array.from({ length: 1 + (i % 7) }, (_, k) => ((i + 1) * (k + 3) * 7919) % 100_003);
      const total = (i * 104_729) % 9_999_991;
      const a = allocateFen(total, w);
      expect(a.reduce((x, y) => x + y, 0)).to.equal(total);
      a.forEach((x) => expect(Number.isSafeInteger(x) && x >= 0).to.equal(true));
    }
  });

  it('savings, shares and HHI in basis points, rounded half up from integers', () => {
    expect(savingsBp(10_000_000, 8_700_001)).to.equal(1300);
    expect(savingsBp(1_800_000, 1_500_000)).to.equal(1667);
    expect(savingsBp(0, 5)).to.equal(null);
    expect(savingsBp(100, 120)).to.equal(-2000);
    expect(shareBp(1, 3)).to.equal(3333);
    expect(shareBp(2, 3)).to.equal(6667);
    expect(hhi([100])).to.equal(10000);
    expect(hhi([1, 1, 1, 1])).to.equal(2500);
    expect(hhi([7_200_001, 1_500_000, 8_000_000])).to.equal(4234);
    expect(hhi([])).to.equal(null);
  });

  it('months are counted in China Standard Time', () => {
    expect(cstMonth('2026-03-31 15:59:59.999')).to.equal('2026-03');
    expect(cstMonth('2026-03-31 16:00:00.000')).to.equal('2026-04');
    expect(monthsBetween('2025-11', '2026-02')).to.deep.equal(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('prints yuan exactly from fen', () => {
    expect(fenToYuanText(123456)).to.equal('1234.56');
    expect(fenToYuanText(-5)).to.equal('-0.05');
    expect(fenToYuanText(9_007_199_254_740_991)).to.equal('90071992547409.91');
  });
});

describe('report writers', function () {
  this.timeout(60_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-writers-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const bigTable = (rows: number): ReportTable => ({
    title: 'lines',
    columns: [
      { key: 'ref', zh: '项目', en: 'Project', type: 'text' },
      { key: 'award_fen', zh: '成交（元）', en: 'Award (CNY)', type: 'fen' },
    ],
    async *pages() {
      for (let start = 0; start < rows; start += 5000) {
        yield Array.from({ length: Math.min(5000, rows - start) }, (_, i) => ({ ref: `PRJ-${start + i}`, award_fen: (start + i) * 101 + 1 }));
      }
    },
    total: async () => rows,
  });

  it('streams 60,000 rows to XLSX while the event loop keeps ticking', async () => {
    const file = path.join(dir, 'big.xlsx');
    // Not a timing assertion: a timer must get to run between pages, i.e. the writer yields.
    let ticks = 0;
    const timer = setInterval(() => void ticks++, 1);
    const ticksAtPage: number[] = [];
    const progress: number[] = [];
    const n = await writeXlsx(bigTable(60_000), file, 'en', (k) => {
      progress.push(k);
      ticksAtPage.push(ticks);
    });
    clearInterval(timer);
    expect(n).to.equal(60_000);
    expect(progress).to.have.length(12);
    // Timers ran while the export was under way, not only before or after it.
    const during = ticksAtPage[ticksAtPage.length - 1] - ticksAtPage[0];
    expect(during).to.be.greaterThan(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.worksheets[0];
    expect(ws.rowCount).to.equal(60_001);
    expect(ws.getCell('B2').value).to.equal(0.01);
    expect(ws.getCell('A60001').value).to.equal('PRJ-59999');
    expect(ws.getCell('B60001').value).to.equal(60_599) // (59,999 × 101 + 1) fen;
    expect(ws.getCell('B60001').numFmt).to.equal('#,##0.00');
  });

  it('CSV neutralises formula-like text', async () => {
    const file = path.join(dir, 'f.csv');
    const t: ReportTable = { title: 'x', columns: [{ key: 'a', zh: 'a', en: 'a', type: 'text' }, { key: 'b', zh: 'b', en: 'b', type: 'fen' }], async *pages() { yield [{ a: '=HYPERLINK("x")', b: -1 }]; }, total: async () => 1 };
    await writeCsv(t, file, 'en', () => {});
    expect(fs.readFileSync(file, 'utf8').split('\r\n')[1]).to.equal(`"'=HYPERLINK(""x"")",-0.01`);
  });
});
