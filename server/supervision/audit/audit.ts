// The one audit module. Every state change calls record() inside the transaction that makes
// the change, so the audit row and the change commit or roll back together.
import type { Knex } from 'knex';
import type { Tx } from '../../db/tx';
import { forUpdate, poolOf } from '../../db/knex';
import { sendTogether, statementOf, type Statement } from '../../db/statements';
import { isoFromDb, toDbTime } from '../../db/time';
import { canonicalJson, eventHash, GENESIS_HASH, GLOBAL_STREAM, streamOf, type ChainedFields } from './chain';
import type { Actor } from '../../http/actor';

export interface AuditInput {
  action: string; // domain verb, e.g. 'requisition.submitted'
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
  /** Who acted, when a batch carries several actors (e.g. bids of many suppliers in one commit). */
  actor?: Actor;
}

export interface AuditEvent extends ChainedFields {
  id: number;
  prev_hash: string;
  hash: string;
}

type Listener = (events: AuditEvent[]) => void;
const listeners = new Set<{ fn: Listener; pool: object | null }>();

/**
 * Supervision subscribes here to evaluate red flags on live events (after commit only). With
 * `db`, only the events committed through that connection pool: where several platforms share a
 * process (a test cluster) each hears only its own node's commits, as separate processes would.
 */
export function onAuditEvents(fn: Listener, opts: { db?: Knex } = {}): () => void {
  const entry = { fn, pool: opts.db ? poolOf(opts.db) : null };
  listeners.add(entry);
  return () => listeners.delete(entry);
}


export async function record(tx: Tx, actor: Actor, input: AuditInput, at?: Date): Promise<AuditEvent> {
  const [e] = await recordMany(tx, actor, [input], at);
  return e;
}

/**
 * Appends several events, each to its stream's chain (see chain.ts streamOf). Only the heads of
 * the streams touched are locked, in stream-name order, so two transactions touching several
 * streams never wait on each other in a cycle, and unrelated transactions (a bid batch, a bulk
 * import) never wait on each other at all. Callers that also lock business rows (budget lines)
 * lock those first: the audit heads are always the last locks a transaction takes.
 */
export async function recordMany(tx: Tx, actor: Actor, inputs: AuditInput[], at?: Date): Promise<AuditEvent[]> {
  if (inputs.length === 0) return [];
  const { byStream, streams } = streamsOf(inputs);
  const heads = await lockStreamHeads(tx, streams);
  const { ordered, moved } = chainRows(actor, inputs, byStream, streams, heads, at);
  await insertNumbered(tx, ordered);
  await moveStreamHeads(tx, moved);
  return announced(tx, ordered);
}

/**
 * recordMany on a hot path (a bid batch on MySQL): the caller's own statements travel with the
 * audit's, in two round trips instead of one per statement (server/db/statements.ts). The first
 * carries `first` (the caller's, in order), then the heads' locking read and the numbering; the
 * second the events, the heads' move and `last`. Heads stay the last locks taken, as in
 * recordMany. Answers null, having sent nothing, where it cannot: SQLite, or a stream head not
 * yet known to exist (its creation needs recordMany's own order).
 */
export async function recordManyAlong(
  tx: Tx,
  actor: Actor,
  inputs: AuditInput[],
  at: Date,
  first: Statement[],
  last: Statement[],
  /** Runs between the two round trips with the answers to `first` (a check that throws stops the rest). */
  afterFirst?: (firstResults: any[]) => Promise<void>,
): Promise<{ events: AuditEvent[]; firstResults: any[] } | null> {
  if (tx.dialect !== 'mysql' || inputs.length === 0) return null;
  const { byStream, streams } = streamsOf(inputs);
  const known = knownHeadsOf(tx);
  if (!streams.every((s) => known.has(s))) return null;
  const reads = chunks(streams, HEADS_PER_READ).map(headsRead);
  const numbering = chunks(inputs, ROWS_PER_INSERT).map((part) => statementOf(numberingInsert(tx, part.length)));
  const results = await sendTogether(tx, [...first, ...reads, ...numbering]);
  if (afterFirst) await afterFirst(results.slice(0, first.length));
  const heads = new Map<string, StreamHead>();
  for (const rows of results.slice(first.length, first.length + reads.length)) for (const r of rows) heads.set(r.stream, headOf(r));
  const missing = streams.filter((s) => !heads.has(s));
  if (missing.length) {
    // A head believed to exist that does not (a database restored under a running process).
    for (const [s, h] of await lockStreamHeads(tx, missing)) heads.set(s, h);
  }
  const { ordered, moved } = chainRows(actor, inputs, byStream, streams, heads, at);
  // mysql2 answers each INSERT's first id: the chunk's rows are numbered from it (see insertNumbered).
  results.slice(first.length + reads.length).forEach((r: { insertId: number }, c) => {
    ordered.slice(c * ROWS_PER_INSERT, (c + 1) * ROWS_PER_INSERT).forEach((row, k) => (row.seq = Number(r.insertId) + k));
  });
  await sendTogether(tx, [
    ...chunks(ordered, ROWS_PER_INSERT).map((part) => statementOf(eventsInsert(tx, part))),
    ...chunks(moved, ROWS_PER_INSERT).map((part) => statementOf(headsMove(tx, part))),
    ...last,
  ]);
  return { events: announced(tx, ordered), firstResults: results.slice(0, first.length) };
}

/** Rows per multi-row INSERT of events or heads; heads per locking read. */
const ROWS_PER_INSERT = 500;
const HEADS_PER_READ = 200;

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

function streamsOf(inputs: AuditInput[]): { byStream: Map<string, number[]>; streams: string[] } {
  const byStream = new Map<string, number[]>(); // stream -> indexes of its inputs, in order
  inputs.forEach((input, k) => {
    const s = streamOf(input.entityType, input.entityId);
    const list = byStream.get(s);
    if (list) list.push(k);
    else byStream.set(s, [k]);
  });
  return { byStream, streams: [...byStream.keys()].sort() };
}

/** The events' rows, each chained to its stream's head (not yet numbered), and the heads' new place. */
function chainRows(actor: Actor, inputs: AuditInput[], byStream: Map<string, number[]>, streams: string[], heads: Map<string, StreamHead>, at?: Date) {
  const occurred = toDbTime(at ?? actor.clock.now());
  const rows: Array<Omit<AuditEvent, 'id'>> = [];
  const inputOf: number[] = []; // rows[i] records inputs[inputOf[i]]
  const moved: Array<{ stream: string; last_seq: number; last_hash: string }> = [];
  for (const stream of streams) {
    const head = heads.get(stream)!;
    let streamSeq = head.last_seq;
    let prev = head.last_hash;
    let anchor = head.anchor;
    for (const k of byStream.get(stream)!) {
      const input = inputs[k];
      streamSeq += 1;
      const who = input.actor ?? actor;
      const fields: ChainedFields = {
        seq: 0,
        hash_v: 2,
        stream,
        stream_seq: streamSeq,
        anchor,
        occurred_at: occurred,
        actor_id: who.userId,
        actor_role: who.role,
        action: input.action,
        entity_type: input.entityType,
        entity_id: String(input.entityId),
        before_json: input.before === undefined ? null : canonicalJson(input.before),
        after_json: input.after === undefined ? null : canonicalJson(input.after),
        request_id: who.requestId,
        ip: who.ip,
      };
      const hash = eventHash(prev, fields);
      rows.push({ ...fields, prev_hash: prev, hash });
      inputOf.push(k);
      prev = hash;
      anchor = null; // the cross-link is carried by the stream's next event only
    }
    moved.push({ stream, last_seq: streamSeq, last_hash: prev });
  }
  // Inserted (and so numbered) in the caller's order: `seq` order stays the order the events were recorded in.
  const ordered: Array<Omit<AuditEvent, 'id'>> = new Array(rows.length);
  rows.forEach((r, i) => (ordered[inputOf[i]] = r));
  return { ordered, moved };
}

/** The numbered rows as events, heard by the listeners once the transaction commits. */
function announced(tx: Tx, ordered: Array<Omit<AuditEvent, 'id'>>): AuditEvent[] {
  const events = ordered.map((r) => ({ ...r, id: r.seq })) as AuditEvent[];
  if (listeners.size) {
    const pool = poolOf(tx);
    tx.afterCommit(() => listeners.forEach((l) => (l.pool === null || l.pool === pool) && l.fn(events)));
  }
  return events;
}

interface StreamHead {
  last_seq: number;
  last_hash: string;
  anchor: string | null;
  linked_seq: number;
}

/**
 * Heads known to exist, per connection pool (a database): a head is never deleted, so once one
 * has committed, a locking read of it finds it. Filled after commit only; only a hint, so it is
 * emptied rather than grown past a bound (a long-running node sees many competitions).
 */
const knownHeads = new WeakMap<object, Set<string>>();
const KNOWN_HEADS_MAX = 50_000;

function knownHeadsOf(tx: Tx): Set<string> {
  let known = knownHeads.get(poolOf(tx));
  if (!known) knownHeads.set(poolOf(tx), (known = new Set()));
  return known;
}

/**
 * Takes the row locks of these stream heads (given sorted), creating a missing head on the way,
 * with record locks on those rows only. On MySQL each head is read by its primary key in a
 * UNION ALL of point lookups, in order: a `WHERE stream IN (...)` over the small heads table is
 * planned as a full scan, whose locking read would lock every head (`platform` held by a bulk
 * action would stall every bid batch again).
 *
 * A head not known to exist is never looked up by a locking read first: in InnoDB's repeatable
 * read, a locking read of a missing row locks the gap where it would go, and two transactions
 * holding that gap and then inserting into it deadlock (two new projects at once did; CI saw 12
 * concurrent first events exhaust the retries). Instead one INSERT ... ON DUPLICATE KEY UPDATE,
 * in sorted order, creates the missing heads and locks the existing ones: for a duplicate primary
 * key it takes an exclusive record lock, and an insert's intention lock waits for no one when
 * nobody holds gap locks. The common case (every head known) stays one statement.
 */
/** MySQL: the heads' locking read, each by its primary key (see lockStreamHeads). */
function headsRead(streams: string[]): Statement {
  return { sql: streams.map(() => '(SELECT * FROM audit_stream_heads WHERE stream = ? FOR UPDATE)').join(' UNION ALL '), bindings: streams };
}

function headOf(r: any): StreamHead {
  return { last_seq: Number(r.last_seq), last_hash: String(r.last_hash), anchor: r.anchor ?? null, linked_seq: Number(r.linked_seq) };
}

async function lockStreamHeads(tx: Tx, streams: string[]): Promise<Map<string, StreamHead>> {
  const heads = new Map<string, StreamHead>();
  const read = async (which: string[]) => {
    for (const part of chunks(which, HEADS_PER_READ)) {
      const rows: any[] = tx.dialect === 'mysql' ? (await sendTogether(tx, [headsRead(part)]))[0] : await tx('audit_stream_heads').whereIn('stream', part);
      for (const r of rows) heads.set(r.stream, headOf(r));
    }
  };
  const create = async (which: string[]) => {
    for (let i = 0; i < which.length; i += 500) {
      const fresh = which.slice(i, i + 500).map((stream) => ({ stream, last_seq: 0, last_hash: GENESIS_HASH, anchor: null, linked_seq: 0 }));
      // MySQL: ON DUPLICATE KEY UPDATE (exclusive record lock on an existing head; see above).
      // SQLite (one writer at a time): an existing head is kept.
      if (tx.dialect === 'mysql') await tx('audit_stream_heads').insert(fresh).onConflict('stream').merge(['stream']);
      else await tx('audit_stream_heads').insert(fresh).onConflict('stream').ignore();
    }
  };
  // MySQL only (SQLite has one writer, so no gap lock to avoid).
  const known = tx.dialect === 'mysql' ? knownHeadsOf(tx) : null;
  const unknown = known !== null && !streams.every((s) => known.has(s));
  if (unknown) await create(streams);
  await read(streams);
  const missing = streams.filter((s) => !heads.has(s));
  if (missing.length) {
    // SQLite, or a head believed to exist that does not (a database restored under a running
    // process): created now; the retry of a deadlock covers the rare race on MySQL.
    await create(missing);
    await read(missing);
  }
  for (const s of streams) if (!heads.has(s)) throw new Error(`audit stream head ${s} missing after its insert`);
  // Only when this call created or first met a head: a bid batch on known heads adds no hook.
  if (unknown) {
    tx.afterCommit(() => {
      if (known.size + streams.length > KNOWN_HEADS_MAX) known.clear();
      for (const s of streams) known.add(s);
    });
  }
  return heads;
}

/**
 * Moves the heads: one multi-row INSERT ... ON DUPLICATE KEY UPDATE, whose duplicate primary keys
 * take record locks (already held) and no gap locks; an UPDATE ... WHERE stream IN (...) would be
 * planned as a full scan and lock every head.
 */
async function moveStreamHeads(tx: Tx, moved: Array<{ stream: string; last_seq: number; last_hash: string }>): Promise<void> {
  for (const part of chunks(moved, ROWS_PER_INSERT)) await headsMove(tx, part);
}

// The audit's writes, one statement each, sent one by one (recordMany) or together (recordManyAlong).
const headsMove = (tx: Tx, moved: Array<{ stream: string; last_seq: number; last_hash: string }>) =>
  tx('audit_stream_heads')
    .insert(moved.map((m) => ({ ...m, anchor: null, linked_seq: 0 })))
    .onConflict('stream')
    .merge(['last_seq', 'last_hash', 'anchor']);
const numberingInsert = (tx: Tx, n: number) => tx('audit_seq_alloc').insert(Array.from({ length: n }, () => ({ id: null })));
const eventsInsert = (tx: Tx, rows: Array<Omit<AuditEvent, 'id'>>) => tx('audit_events').insert(rows.map((r) => ({ ...r, id: r.seq })));

/**
 * Numbers event rows and inserts them: `seq` (and the row id) comes from audit_seq_alloc's
 * auto-increment, taken in the same transaction (a multi-row INSERT gets consecutive values:
 * SQLite; InnoDB for a simple insert) and never reused. Numbered before the insert, because
 * numbering after it (UPDATE ... SET seq = id) can be planned as a scan that locks other
 * streams' rows. Unique and increasing in the order events were appended; a rolled-back
 * transaction leaves a gap, as an auto-increment does.
 */
export async function insertNumbered(tx: Tx, rows: Array<Omit<AuditEvent, 'id'>>): Promise<void> {
  for (const chunk of chunks(rows, ROWS_PER_INSERT)) {
    const [returned] = await numberingInsert(tx, chunk.length);
    // mysql2 answers the first id of the statement, better-sqlite3 the last.
    const first = tx.dialect === 'mysql' ? Number(returned) : Number(returned) - chunk.length + 1;
    chunk.forEach((r, k) => (r.seq = first + k));
    await eventsInsert(tx, chunk);
  }
}

export interface VerifyResult {
  intact: boolean;
  /** Events verified (every stream, the global chain included). */
  events: number;
  brokenAt?: { seq: number; id: number; reason: string; stream?: string; streamSeq?: number };
  /** Streams walked, the global chain included. */
  streams?: number;
  /**
   * Events after their stream's last cross-link: verified by their stream's chain only, not yet
   * listed in the global chain (so not yet covered by a signed checkpoint). Normally the last second.
   */
  notYetAnchored?: { events: number; streams: number; oldestAt: string | null };
}

interface Listing {
  globalSeq: number;
  hash: string;
}

/**
 * Walks the global chain, then every stream (each `stream_seq` 1..N, hash-linked, ending at its
 * head row), and checks the weave: every head a cross-link lists exists in its stream with that
 * hash (so rewriting a listed event breaks the cross-link too), listings move forward, and every
 * `anchor` names a cross-link that listed the stream before that event.
 */
export async function verifyChain(db: Knex, pageSize = 5000): Promise<VerifyResult> {
  const broken = (events: number, r: any, reason: string, streams?: number): VerifyResult => ({
    intact: false,
    events,
    brokenAt: { seq: Number(r?.seq ?? 0), id: Number(r?.id ?? 0), reason, ...(r?.stream ? { stream: String(r.stream), streamSeq: Number(r.stream_seq) } : {}) },
    ...(streams === undefined ? {} : { streams }),
  });
  // 1. The global chain: the pre-stream history (hash_v 1) and the cross-links.
  const listings = new Map<string, Map<number, Listing>>(); // stream -> stream_seq -> listing
  const crossLinks = new Map<string, { globalSeq: number; listed: Map<string, number> }>(); // global hash -> what it listed
  const lastListed = new Map<string, number>();
  // A consistent cut of a live trail without a long transaction: the stream heads first, then the
  // global head, and only events up to those heads are walked (later ones were appended after
  // the cut). A cross-link listed before the global head read may list a stream event after its
  // head read: those few listings are checked one by one at the end.
  const heads = new Map<string, any>((await db('audit_stream_heads').select('*')).map((h: any) => [String(h.stream), h]));
  const head = await db('audit_chain_head').where({ id: 1 }).first();
  const globalLimit = Number(head?.last_seq ?? 0);
  let prev = GENESIS_HASH;
  let expect = 1;
  let count = 0;
  for (;;) {
    const rows: any[] = await db('audit_events').where({ stream: GLOBAL_STREAM }).where('stream_seq', '>=', expect).where('stream_seq', '<=', globalLimit).orderBy('stream_seq').limit(pageSize);
    if (rows.length === 0) break;
    for (const r of rows) {
      const at = Number(r.stream_seq);
      if (at !== expect) return broken(count, { ...r, stream_seq: expect }, `global event ${expect} is missing (next is ${at})`);
      if (r.prev_hash !== prev) return broken(count, r, 'prev_hash does not match the previous event');
      if (eventHash(prev, r) !== r.hash) return broken(count, r, 'content does not match its hash (event altered)');
      if (r.action === CROSS_LINK_ACTION) {
        const heads: Array<{ stream: string; seq: number; hash: string }> = JSON.parse(r.after_json ?? '{}').heads ?? [];
        const listed = new Map<string, number>();
        for (const h of heads) {
          let m = listings.get(h.stream);
          if (!m) listings.set(h.stream, (m = new Map()));
          const last = lastListed.get(h.stream) ?? 0;
          if (Number(h.seq) <= last) return broken(count, r, `cross-link lists ${h.stream} at ${h.seq}, not after its earlier listing at ${last}`);
          m.set(Number(h.seq), { globalSeq: at, hash: h.hash });
          lastListed.set(h.stream, Number(h.seq));
          listed.set(h.stream, Number(h.seq));
        }
        crossLinks.set(r.hash, { globalSeq: at, listed });
      }
      prev = r.hash;
      expect++;
      count++;
    }
  }
  if (head && (globalLimit !== expect - 1 || head.last_hash !== prev)) {
    return broken(count, { seq: 0, id: 0, stream: GLOBAL_STREAM, stream_seq: expect }, 'global chain head does not match the last event (events removed from the end)');
  }
  // 2. Every stream, in (stream, stream_seq) order, in pages.
  let streams = 1;
  let unanchored = 0;
  let unanchoredStreams = 0;
  let oldestAt: string | null = null;
  let cur: string | null = null;
  let curPrev = GENESIS_HASH;
  let curExpect = 1;
  let curTailAt: string | null = null; // when the stream's first not-yet-listed event happened
  const seen = new Set<string>();
  const endStream = (): VerifyResult | null => {
    if (cur === null) return null;
    const h = heads.get(cur);
    if (!h || Number(h.last_seq) !== curExpect - 1 || h.last_hash !== curPrev) return broken(count, { seq: 0, id: 0, stream: cur, stream_seq: curExpect }, `stream ${cur}: its head does not match its last event (events removed from the end)`, streams);
    const listedUpTo = lastListed.get(cur) ?? 0;
    const tail = curExpect - 1 - listedUpTo;
    if (tail > 0) {
      unanchored += tail;
      unanchoredStreams++;
      if (curTailAt && (oldestAt === null || curTailAt < oldestAt)) oldestAt = curTailAt;
    }
    return null;
  };
  let after: { stream: string; seq: number } | null = null;
  for (;;) {
    const q = db('audit_events').whereNot('stream', GLOBAL_STREAM).orderBy([{ column: 'stream' }, { column: 'stream_seq' }]).limit(pageSize);
    if (after) {
      const a = after;
      q.where((w) => w.where('stream', '>', a.stream).orWhere((x) => x.where('stream', a.stream).where('stream_seq', '>', a.seq)));
    }
    const rows: any[] = await q;
    if (rows.length === 0) break;
    for (const r of rows) {
      const stream = String(r.stream);
      const limit = heads.get(stream);
      if (!limit || Number(r.stream_seq) > Number(limit.last_seq)) continue; // appended after the cut
      if (stream !== cur) {
        const bad = endStream();
        if (bad) return bad;
        cur = stream;
        seen.add(stream);
        streams++;
        curPrev = GENESIS_HASH;
        curExpect = 1;
        curTailAt = null;
      }
      const at = Number(r.stream_seq);
      if (at !== curExpect) return broken(count, { ...r, stream_seq: curExpect }, `stream ${stream}: event ${curExpect} is missing (next is ${at})`, streams);
      if (r.prev_hash !== curPrev) return broken(count, r, `stream ${stream}: prev_hash does not match the previous event`, streams);
      if (Number(r.hash_v) !== 2 || r.stream !== streamOf(r.entity_type, r.entity_id)) return broken(count, r, `stream ${stream}: the event does not belong to this stream`, streams);
      if (eventHash(curPrev, r) !== r.hash) return broken(count, r, `stream ${stream}: content does not match its hash (event altered)`, streams);
      const listed = listings.get(stream)?.get(at);
      if (listed && listed.hash !== r.hash) return broken(count, r, `stream ${stream}: event ${at} differs from the hash the cross-link at global ${listed.globalSeq} listed (rewritten after it was cross-linked)`, streams);
      if (r.anchor) {
        const link = crossLinks.get(r.anchor);
        const listedAt = link?.listed.get(stream);
        if (!link || listedAt === undefined || listedAt >= at) return broken(count, r, `stream ${stream}: its anchor is not a cross-link that listed this stream before it`, streams);
      }
      curPrev = r.hash;
      curExpect++;
      if (at === (lastListed.get(stream) ?? 0) + 1) curTailAt = isoFromDb(r.occurred_at);
      count++;
    }
    const last = rows[rows.length - 1];
    after = { stream: String(last.stream), seq: Number(last.stream_seq) };
  }
  const bad = endStream();
  if (bad) return bad;
  // Listings past a stream's head as read (or of a stream created after it): checked row by row.
  for (const [stream, m] of listings) {
    const walkedUpTo = seen.has(stream) ? Number(heads.get(stream)?.last_seq ?? 0) : 0;
    for (const [at, l] of m) {
      if (at <= walkedUpTo) continue;
      const r = await db('audit_events').where({ stream, stream_seq: at }).first();
      if (!r) return broken(count, { seq: 0, id: 0, stream, stream_seq: at }, `stream ${stream}: event ${at}, listed by the cross-link at global ${l.globalSeq}, is missing (removed)`, streams);
      if (r.hash !== l.hash) return broken(count, r, `stream ${stream}: event ${at} differs from the hash the cross-link at global ${l.globalSeq} listed (rewritten after it was cross-linked)`, streams);
    }
  }
  for (const [stream, h] of heads) if (!seen.has(stream) && Number(h.last_seq) > 0) return broken(count, { seq: 0, id: 0, stream, stream_seq: 1 }, `stream ${stream}: its head names events that are missing`, streams);
  // Every stream with events has a head (a removed head would hide the stream from the walk).
  const headNow = new Set((await db('audit_stream_heads').select('stream')).map((h: any) => String(h.stream)));
  for (const r of await db('audit_events').whereNot('stream', GLOBAL_STREAM).distinct('stream')) {
    if (!headNow.has(String(r.stream))) return broken(count, { seq: 0, id: 0, stream: r.stream, stream_seq: 1 }, `stream ${r.stream}: it has events but no head row`, streams);
  }
  return { intact: true, events: count, streams, notYetAnchored: { events: unanchored, streams: unanchoredStreams, oldestAt } };
}

export const CROSS_LINK_ACTION = 'audit.cross_link';
