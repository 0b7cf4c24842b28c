// Cluster mode on MariaDB: a worker thread renews this node's competition leases, on its own
// database connection, so an owner whose main event loop is merely busy (a burst of bids, a large
// state to shape) keeps its competitions instead of losing them to a takeover and a rebuild.
//
// The worker only extends the expiry of a lease at the epoch the main thread says it holds (never
// takes or raises one: takeovers and fencing stay on the main thread, in the batch transaction).
// It writes `auction_owner_renewals`, not the lease row: a batch holds the lease row locked while
// it commits (the fence), and renewals queued behind those locks were what let busy leases lapse.
// The main thread sends it a heartbeat every renewal tick; a worker that has not heard from it
// for `silenceMs` stops renewing, so a wedged main thread still loses its competitions, later.
// kill -9 and SIGSTOP stop the worker with the process: a dead owner's leases lapse as before.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Logger } from '../../http/log';

/** What the worker tells the main thread after each renewal. */
export interface KeeperReport {
  /** The worker's time just before the UPDATE (the renewed expiry is this plus the lease). */
  at: number;
  /** The leases it was asked to renew: [auctionId, epoch]. */
  asked: Array<[number, number]>;
  /** The leases the database says this node holds, of those asked: [auctionId, epoch]. */
  mine: Array<[number, number]>;
}

// Plain JavaScript run with eval: the worker needs neither the TypeScript loader nor the app's
// modules, only mysql2 (resolved by the main thread and passed in).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const mysql = require(workerData.mysql2);
const { connection, nodeId, leaseMs, renewMs, silenceMs } = workerData;
const pool = mysql.createPool({ ...connection, connectionLimit: 1, waitForConnections: true });
pool.on('connection', (c) => {
  c.query("SET time_zone = '+00:00'");
  // A renewal waiting behind a batch's lock on the row gives up before the lease would.
  c.query('SET SESSION innodb_lock_wait_timeout = ' + Math.max(1, Math.floor(leaseMs / 1000)));
});
const db = pool.promise();
let held = [];
let heardAt = Date.now();
let busy = false;
let silent = false;
const dbTime = (ms) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
parentPort.on('message', (m) => {
  if (m.stop) { clearInterval(timer); pool.end(() => parentPort.close()); return; }
  heardAt = Date.now();
  if (m.held) held = m.held;
});
async function tick() {
  if (busy || !held.length) return;
  const quietMs = Date.now() - heardAt;
  if (quietMs > silenceMs) {
    if (!silent) parentPort.postMessage({ silent: quietMs });
    silent = true;
    return;
  }
  silent = false;
  busy = true;
  const asked = held;
  const at = Date.now();
  try {
    // Into the renewals table, never the lease row a batch holds locked while it commits: this
    // never waits behind a batch. A renewal counts only for this node at that epoch, so one for
    // an epoch already taken over extends nothing.
    const until = dbTime(at + leaseMs);
    await db.query('INSERT INTO auction_owner_renewals (auction_id, node_id, epoch, renewed_until) VALUES ' + asked.map(() => '(?, ?, ?, ?)').join(', ') +
      // Never over a later epoch's renewal (an old owner resumed after SIGCONT must not
      // overwrite the new owner's); epoch assigned last, as MySQL assigns left to right.
      ' ON DUPLICATE KEY UPDATE renewed_until = IF(VALUES(epoch) >= epoch, VALUES(renewed_until), renewed_until), node_id = IF(VALUES(epoch) >= epoch, VALUES(node_id), node_id), epoch = GREATEST(epoch, VALUES(epoch))', asked.flatMap(([id, epoch]) => [id, nodeId, epoch, until]));
    // Consistent read (no lock): which of them this node still holds.
    const [rows] = await db.query('SELECT auction_id, epoch FROM auction_owners WHERE node_id = ? AND auction_id IN (?)', [nodeId, asked.map((a) => a[0])]);
    parentPort.postMessage({ at, asked, mine: rows.map((r) => [Number(r.auction_id), Number(r.epoch)]) });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  } finally {
    busy = false;
  }
}
const timer = setInterval(() => void tick(), renewMs);
`;

export class LeaseKeeper {
  private worker: Worker;
  private beat: NodeJS.Timeout;
  private closed = false;

  constructor(
    opts: { connection: object; nodeId: string; leaseMs: number; renewMs: number; silenceMs: number; log: Logger },
    /** The leases to renew now: [auctionId, epoch]. Asked on every heartbeat. */
    private heldNow: () => Array<[number, number]>,
    onReport: (r: KeeperReport) => void,
    /** The worker died or could not start: the caller renews on the main thread again. */
    onFailed: (err: Error) => void,
  ) {
    const mysql2 = createRequire(import.meta.url).resolve('mysql2');
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      // The TypeScript loader is not needed in the worker.
      execArgv: [],
      workerData: { mysql2, connection: opts.connection, nodeId: opts.nodeId, leaseMs: opts.leaseMs, renewMs: opts.renewMs, silenceMs: opts.silenceMs },
    });
    this.worker.unref();
    this.worker.on('message', (m: KeeperReport | { error: string } | { silent: number }) => {
      if ('error' in m) opts.log.warn('competition lease renewal failed (lease keeper)', { error: m.error });
      else if ('silent' in m) opts.log.warn('lease keeper: main thread silent, renewals stopped', { silentMs: m.silent });
      else onReport(m);
    });
    this.worker.on('error', (err) => {
      if (this.closed) return;
      this.close();
      onFailed(err);
    });
    this.worker.on('exit', (code) => {
      if (this.closed) return;
      this.close();
      onFailed(new Error(`lease keeper exited (${code})`));
    });
    // The heartbeat rides on the main event loop on purpose: it stops when the loop is wedged.
    this.beat = setInterval(() => this.post(), opts.renewMs);
    this.beat.unref();
    this.post();
  }

  /** Tell the worker what this node holds now (also a heartbeat). */
  post(): void {
    if (!this.closed) this.worker.postMessage({ held: this.heldNow() });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.beat);
    this.worker.postMessage({ stop: true });
    // Ended without waiting: an exit mid-renewal only leaves a lease to lapse.
    setTimeout(() => void this.worker.terminate(), 1000).unref();
  }
}
