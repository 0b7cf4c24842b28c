// Report exports as background jobs: the request commits a queued row, the work runs after the
// commit without blocking the event loop (rows stream in pages, setImmediate between pages), and
// progress is kept on the row for the browser to poll. An export is claimed with a lease (locked_by,
// locked_at, renewed while it runs): one left by a stopped or dead process is taken over by the next
// sweep of any process (every EXPORT_SWEEP_MS), one still running elsewhere is left alone.
// The file is written to this node's DATA_DIR/exports, then kept in the database (stored_files,
// store 'exports'), so the download may reach any node of a cluster.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Db } from '../../db/knex';
import { withTx } from '../../db/tx';
import { isoFromDb, toDbTime, type Clock } from '../../db/time';
import type { Actor } from '../../http/actor';
import { systemActor } from '../../http/actor';
import { ConflictError, ForbiddenError, NotFoundError } from '../../http/errors';
import type { Logger } from '../../http/log';
import { record } from '../audit/audit';
import { DbFileStore } from '../../db/files';
import { reportTable, type ExportParams, type ReportName } from './tables';
import { writeCsv, writeXlsx } from './writers';

export interface ExportDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  dir: string; // DATA_DIR/exports
}

export const exportFromRow = (r: any) => ({
  id: r.id,
  report: r.report,
  format: r.format,
  params: JSON.parse(r.params_json),
  status: r.status,
  rowsDone: r.rows_done,
  rowsTotal: r.rows_total,
  progress: r.status === 'done' ? 1 : r.rows_total ? Math.min(1, r.rows_done / r.rows_total) : 0,
  error: r.error,
  createdAt: isoFromDb(r.created_at),
  finishedAt: isoFromDb(r.finished_at),
  downloadUrl: r.status === 'done' ? `/api/reports/exports/${r.id}/file` : null,
});

/** A claim not renewed for this long is taken over; the holder renews every EXPORT_RENEW_MS. */
export const EXPORT_LEASE_MS = 15_000;
const EXPORT_RENEW_MS = 5_000;
export const EXPORT_SWEEP_MS = 10_000;

export class ReportExports {
  private active = new Set<number>();
  private files: DbFileStore;
  private sweeper: NodeJS.Timeout | null = null;
  /** This process, as it signs its claims (a restart is a new holder). */
  readonly holder = `${os.hostname()}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`;
  constructor(private deps: ExportDeps) {
    this.files = new DbFileStore(deps.db, 'exports');
  }

  async request(actor: Actor, input: { report: ReportName; format: 'csv' | 'xlsx'; lang: 'zh' | 'en'; params: ExportParams }) {
    const id = await withTx(this.deps.db, async (tx) => {
      const [id] = await tx('report_exports').insert({ user_id: actor.userId, report: input.report, format: input.format, params_json: JSON.stringify({ ...input.params, lang: input.lang }), status: 'queued', rows_done: 0, created_at: toDbTime(actor.clock.now()) });
      await record(tx, actor, { action: 'report.export_requested', entityType: 'report_export', entityId: Number(id), after: { report: input.report, format: input.format, params: input.params } });
      tx.afterCommit(() => void this.run(Number(id)));
      return Number(id);
    });
    return this.get(actor, id);
  }

  async get(actor: Actor, id: number) {
    const r = await this.deps.db('report_exports').where({ id }).first();
    if (!r) throw new NotFoundError(`Export ${id} not found`, null, 'EXPORT_NOT_FOUND');
    if (r.user_id !== actor.userId && actor.role !== 'admin') throw new ForbiddenError('This export belongs to another user', null, 'EXPORT_NOT_YOURS');
    return exportFromRow(r);
  }

  async file(actor: Actor, id: number): Promise<{ chunks: AsyncIterable<Buffer>; size: number; name: string; type: string }> {
    const e = await this.get(actor, id);
    if (e.status !== 'done') throw new ConflictError('EXPORT_NOT_READY', `The export is ${e.status}`, { status: e.status });
    const r = await this.deps.db('report_exports').where({ id }).first();
    let size = await this.files.size(r.file_name);
    if (size === null) {
      // An export finished before files moved into the database is still on this node's disk, maybe.
      const p = path.join(this.deps.dir, r.file_name);
      if (!fs.existsSync(p)) throw new NotFoundError('The export file is gone; request it again', null, 'EXPORT_FILE_GONE');
      await this.files.putFile(r.file_name, p);
      size = (await this.files.size(r.file_name))!;
    }
    const name = `${r.report}-${r.id}.${r.format}`;
    return { chunks: this.files.stream(r.file_name), size, name, type: r.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' };
  }

  /** Runs one export: claimed with a conditional update (queued, or running under a lapsed lease), so it runs once at a time. */
  async run(id: number): Promise<void> {
    const { db, clock, log } = this.deps;
    if (this.active.has(id)) return;
    this.active.add(id);
    let renew: NodeJS.Timeout | null = null;
    try {
      const lapsed = toDbTime(clock.now().getTime() - EXPORT_LEASE_MS);
      const claimed = await db('report_exports')
        .where({ id })
        .where((q) => q.where({ status: 'queued' }).orWhere((r) => r.where({ status: 'running' }).where((l) => l.whereNull('locked_at').orWhere('locked_at', '<', lapsed))))
        .update({ status: 'running', rows_done: 0, locked_by: this.holder, locked_at: toDbTime(clock.now()) });
      if (claimed !== 1) return;
      renew = setInterval(() => {
        db('report_exports').where({ id, status: 'running', locked_by: this.holder }).update({ locked_at: toDbTime(clock.now()) }).catch((err) => log.warn('export lease renewal failed', { id, error: (err as Error).message }));
      }, EXPORT_RENEW_MS);
      renew.unref();
      await this.work(id);
    } finally {
      if (renew) clearInterval(renew);
      this.active.delete(id);
    }
  }

  private async work(id: number): Promise<void> {
    const { db, clock, log } = this.deps;
    const mine = () => db('report_exports').where({ id, locked_by: this.holder });
    const r = await db('report_exports').where({ id }).first();
    const params = JSON.parse(r.params_json) as ExportParams & { lang: 'zh' | 'en' };
    // Named per holder: a process that lost its lease never overwrites the file of the one that took over.
    const fileName = `export-${id}-${this.holder.slice(-6)}.${r.format}`;
    fs.mkdirSync(this.deps.dir, { recursive: true });
    const target = path.join(this.deps.dir, fileName);
    const actor = systemActor('report-export', clock);
    try {
      const table = reportTable(db, r.report, params);
      await mine().update({ rows_total: await table.total() });
      let lastWrite = 0;
      const onRows = async (n: number) => {
        if (n - lastWrite < 5000 && n !== 0) return; // progress every few thousand rows
        lastWrite = n;
        await mine().update({ rows_done: n });
      };
      const n = await (r.format === 'csv' ? writeCsv : writeXlsx)(table, target + '.part', params.lang ?? 'zh', onRows);
      fs.renameSync(target + '.part', target);
      // Kept where every node reads it; the local copy was only the writer's scratch space.
      await this.files.remove(fileName);
      await this.files.putFile(fileName, target);
      fs.rmSync(target, { force: true });
      const finished = await withTx(db, async (tx) => {
        const done = await tx('report_exports').where({ id, status: 'running', locked_by: this.holder }).update({ status: 'done', rows_done: n, rows_total: n, file_name: fileName, finished_at: toDbTime(clock.now()), locked_by: null, locked_at: null });
        if (done !== 1) return false;
        await record(tx, actor, { action: 'report.export_finished', entityType: 'report_export', entityId: id, after: { rows: n } });
        return true;
      });
      if (!finished) {
        // Another process took the export over while this one was stalled: its file is the one kept.
        log.warn('report export lost its lease; the other process finishes it', { id });
        await this.files.remove(fileName);
      }
    } catch (err) {
      log.error('report export failed', { id, error: (err as Error).message });
      fs.rmSync(target + '.part', { force: true });
      fs.rmSync(target, { force: true });
      await withTx(db, async (tx) => {
        const failed = await tx('report_exports').where({ id, status: 'running', locked_by: this.holder }).update({ status: 'failed', error: (err as Error).message.slice(0, 500), finished_at: toDbTime(clock.now()), locked_by: null, locked_at: null });
        if (failed === 1) await record(tx, actor, { action: 'report.export_failed', entityType: 'report_export', entityId: id, after: { error: (err as Error).message.slice(0, 200) } });
      });
    }
  }

  /** Exports waiting, or left by a process whose lease lapsed (a restart, a dead node): run here. */
  async resume(): Promise<void> {
    const lapsed = toDbTime(this.deps.clock.now().getTime() - EXPORT_LEASE_MS);
    const ids = await this.deps
      .db('report_exports')
      .where((q) => q.where({ status: 'queued' }).orWhere((r) => r.where({ status: 'running' }).where((l) => l.whereNull('locked_at').orWhere('locked_at', '<', lapsed))))
      .pluck('id');
    for (const id of ids) void this.run(Number(id));
  }

  /** At start: resume now, then sweep every EXPORT_SWEEP_MS (an export left by another node is taken over). */
  async start(): Promise<void> {
    await this.resume();
    this.sweeper ??= setInterval(() => void this.resume().catch((err) => this.deps.log.warn('export sweep failed', { error: (err as Error).message })), EXPORT_SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}
