// CSV and XLSX writers over a ReportTable. Money leaves the database as integer fen: CSV prints
// it in yuan with exact integer arithmetic; XLSX stores yuan (fen / 100) formatted '#,##0.00'.
// Both stream page by page and yield to the event loop between pages; a report's headline figures
// (its summary) follow the rows after one blank row, as label/value pairs.
import fs from 'node:fs';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import type { ColumnType, ReportTable, TableColumn } from './tables';

export const YUAN_FORMAT = '#,##0.00';
export const PERCENT_FORMAT = '0.00%';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** 123456 fen → '1234.56', -5 → '-0.05': exact, no float. */
export function fenToYuanText(fen: number): string {
  const neg = fen < 0;
  const a = BigInt(Math.abs(fen));
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`;
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote when needed; a leading =,+,-,@ is neutralised so a spreadsheet never runs it as a formula.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvValue(c: Pick<TableColumn, 'type'>, v: unknown): string {
  if (v === null || v === undefined) return '';
  if (c.type === 'fen') return fenToYuanText(Number(v));
  if (c.type === 'bp') return `${fenToYuanText(Number(v))}%`; // basis points → percent with two decimals
  return csvCell(v);
}

export async function writeCsv(table: ReportTable, file: string, lang: 'zh' | 'en', onRows: (n: number) => Promise<void> | void): Promise<number> {
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write('\uFEFF'); // Excel opens UTF-8 CSV with Chinese correctly only with a BOM
  await write(table.columns.map((c) => csvCell(lang === 'zh' ? c.zh : c.en)).join(',') + '\r\n');
  let n = 0;
  for await (const rows of table.pages()) {
    let buf = '';
    for (const r of rows) buf += table.columns.map((c) => csvValue(c, r[c.key])).join(',') + '\r\n';
    await write(buf);
    n += rows.length;
    await onRows(n);
    await tick();
  }
  const summary = (await table.summary?.()) ?? [];
  if (summary.length) await write('\r\n' + summary.map((x) => `${csvCell(lang === 'zh' ? x.labelZh : x.labelEn)},${csvValue(x, x.value)}\r\n`).join(''));
  out.end();
  await once(out, 'finish');
  return n;
}

function xlsxValue(c: Pick<TableColumn, 'type'>, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (c.type === 'fen') return Number(v) / 100;
  if (c.type === 'bp') return Number(v) / 10000;
  if (c.type === 'int' || c.type === 'days') return Number(v);
  return String(v);
}

/** The Excel number format of each column type (columns, and the summary's value cells). */
const NUMBER_FORMAT: Record<ColumnType, string> = { text: '@', int: '0', fen: YUAN_FORMAT, bp: PERCENT_FORMAT, days: '0.00' };

export async function writeXlsx(table: ReportTable, file: string, lang: 'zh' | 'en', onRows: (n: number) => Promise<void> | void): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  wb.creator = 'Sunshine Procurement';
  const ws = wb.addWorksheet(table.title.slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = table.columns.map((c) => ({
    header: lang === 'zh' ? c.zh : c.en,
    key: c.key,
    width: c.type === 'text' ? 28 : 16,
    style: c.type === 'fen' || c.type === 'bp' || c.type === 'days' ? { numFmt: NUMBER_FORMAT[c.type] } : {},
  }));
  ws.getRow(1).font = { bold: true };
  let n = 0;
  for await (const rows of table.pages()) {
    for (const r of rows) {
      const row = ws.addRow(table.columns.map((c) => xlsxValue(c, r[c.key])));
      row.commit();
    }
    n += rows.length;
    await onRows(n);
    await tick();
  }
  const summary = (await table.summary?.()) ?? [];
  if (summary.length) ws.addRow([]).commit();
  for (const x of summary) {
    const row = ws.addRow([lang === 'zh' ? x.labelZh : x.labelEn, xlsxValue(x, x.value)]);
    // The value sits under whatever column 2 is, so its format is set here, not inherited.
    row.getCell(2).numFmt = NUMBER_FORMAT[x.type];
    row.getCell(1).font = { bold: true };
    row.commit();
  }
  ws.commit();
  await wb.commit();
  return n;
}
