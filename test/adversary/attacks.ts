// What the adversaries do: call every route and channel a party can reach, read a database dump,
// the raw SQLite file and its WAL, the logs, the job payloads and a backup of DATA_DIR, and try
// to invert every published hash by brute force. Each check returns findings (what leaked,
// where), so a failing test names the leak.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { RouteDef } from '../../server/http/routes';
import type { TestClient } from '../helpers/http';
import { WsClient } from '../helpers/ws';
import { listTables } from '../../server/db/reset';
import type { World } from './world';

export interface Party {
  name: string;
  client: TestClient | null; // null: anonymous
  roles: string[];
  userId: number | null;
  supplierId: number | null;
}

export async function party(w: World, name: string, username: string | null): Promise<Party> {
  if (!username) return { name, client: null, roles: [], userId: null, supplierId: null };
  const client = await w.as(username);
  const me = (await client.get('/api/me')).body;
  return { name, client, roles: me.user.roles, userId: me.user.id, supplierId: me.user.supplierId ?? null };
}

export interface Answer {
  party: string;
  /** The route's path template. */
  route: string;
  url: string;
  status: number;
  text: string;
  headers: Headers;
}

export interface Token {
  label: string;
  re: RegExp;
}

/** A number as it may be printed: plain, with two decimals, with thousands separators. */
export function numberTokens(label: string, n: number): Token[] {
  const plain = String(n);
  const grouped = n.toLocaleString('en-US');
  // Not a price where a budget figure happens to be the same number.
  const notBudget = '(?<!"(?:allocated|available|frozen|spent|budget|ceiling)Fen"\\s*:\\s*)';
  const out: Token[] = [{ label, re: new RegExp(`${notBudget}(?<![0-9.,])${plain}(?:\\.0+)?(?![0-9]|,[0-9])`) }];
  if (grouped !== plain) out.push({ label, re: new RegExp(`(?<![0-9.,])${grouped}(?![0-9]|,[0-9])`) });
  return out;
}

/** A price in fen, as fen and as yuan. */
export function priceTokens(label: string, fen: number): Token[] {
  return [...numberTokens(`${label} (fen)`, fen), ...numberTokens(`${label} (yuan)`, fen / 100)];
}

export function textToken(label: string, text: string): Token {
  return { label, re: new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) };
}

export function scan(where: string, text: string, tokens: Token[]): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    const m = t.re.exec(text);
    if (m) out.push(`${where}: ${t.label} («${text.slice(Math.max(0, m.index - 60), m.index + m[0].length + 40).replace(/\s+/g, ' ')}»)`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routes

export interface Ids {
  draw: number[];
  tender: number[];
  auction: number[];
  expert: number[];
  supplier: number[];
  bid: number[];
  notice: number[];
  project: number[];
  projectRef: string[];
  ocid: string[];
  /** Framework agreements (id) and their references, for /api/framework-agreements/:id and the portal's :ref. */
  framework?: number[];
  frameworkRef?: string[];
}

const mayCall = (p: Party, r: RouteDef) => r.roles === 'public' || (p.client !== null && (r.roles === 'authenticated' || r.roles.some((x) => p.roles.includes(x))));

/** Every concrete URL for a route path: ids put in for its parameters, useful queries added. */
export function urlsFor(path: string, ids: Ids): string[] {
  const one = (v: number[] | string[]) => (v.length ? v : [1]);
  let urls = [path];
  const put = (param: string, values: Array<string | number>) => {
    urls = urls.flatMap((u) => (u.includes(`:${param}`) ? values.map((v) => u.replace(`:${param}`, encodeURIComponent(String(v)))) : [u]));
  };
  if (path.includes(':kind')) {
    urls = [
      ...ids.tender.map((t) => path.replace(':kind', 'tender').replace(':id', String(t))),
      ...ids.auction.map((a) => path.replace(':kind', 'competition').replace(':id', String(a))),
    ];
  }
  const idFor = (p: string): Array<number | string> => {
    if (/framework-agreements\/:id/.test(p)) return one(ids.framework ?? []);
    if (/^\/api\/(public\/)?draws\/:id/.test(p)) return one(ids.draw);
    if (/tenders\/:id/.test(p)) return one(ids.tender);
    if (/auctions\/:id/.test(p)) return one(ids.auction);
    if (/experts\/:id/.test(p)) return one(ids.expert);
    if (/suppliers\/:id/.test(p)) return one(ids.supplier);
    if (/notices\/:id/.test(p)) return one(ids.notice);
    if (/projects\/:id/.test(p)) return one(ids.project);
    return [1];
  };
  put('id', idFor(path));
  put('bidId', one(ids.bid));
  put('orgId', [0, 1]);
  put('ocid', ids.ocid.length ? ids.ocid : ['ocds-none']);
  put('ref', /framework-agreements\/:ref/.test(path) ? (ids.frameworkRef?.length ? ids.frameworkRef : ['KJXY-2026-0001']) : ids.projectRef.length ? ids.projectRef : ['none']);
  put('sha256', ['0'.repeat(64)]);
  put('code', ['SV01']);
  const queries: Record<string, string[]> = {
    '/api/audit/events': ['?pageSize=200', ...ids.draw.map((d) => `?entityType=draw&entityId=${d}&pageSize=200`), ...ids.tender.map((t) => `?entityType=tender&entityId=${t}&pageSize=200`), ...ids.auction.map((a) => `?entityType=auction&entityId=${a}&pageSize=200`), ...(ids.framework ?? []).map((a) => `?entityType=framework_agreement&entityId=${a}&pageSize=200`)],
    '/api/supervision/trace': [...ids.supplier.map((s) => `?subjectType=supplier&subjectId=${s}`), ...ids.auction.map((a) => `?subjectType=competition&subjectId=${a}`)],
    '/api/supervision/performance': ['?from=2026-01&to=2026-12'],
    '/api/portal/notices': ['?pageSize=200'],
    '/api/tenders': ['?pageSize=200'],
    '/api/auctions': ['?pageSize=200'],
    '/api/draws': ['?pageSize=100'],
    '/api/public/draws': ['?pageSize=100'],
    '/api/experts': ['?pageSize=200'],
    '/api/ocds/releases': ['?pageSize=200'],
  };
  return urls.flatMap((u) => (queries[path] ?? ['']).map((q) => u + q));
}

/** Calls every GET route the party may call (the public calls the public ones). */
export async function sweep(w: World, p: Party, ids: Ids, only?: RegExp): Promise<Answer[]> {
  const out: Answer[] = [];
  const client = p.client ?? w.client();
  for (const r of w.platform.routes) {
    if (r.method !== 'get' || !mayCall(p, r)) continue;
    if (only && !only.test(r.path)) continue;
    for (const url of urlsFor(r.path, ids)) {
      const res = await client.request('GET', url);
      out.push({ party: p.name, route: r.path, url, status: res.status, text: typeof res.body === 'string' ? res.body : JSON.stringify(res.body), headers: res.headers });
    }
  }
  return out;
}

export const scanAnswers = (answers: Answer[], tokens: Token[], skip?: (a: Answer) => boolean): string[] => answers.filter((a) => !skip?.(a)).flatMap((a) => scan(`${a.party} GET ${a.url} → ${a.status}`, a.text, tokens));

// ---------------------------------------------------------------------------------------------
// WebSocket

export interface Listener {
  party: string;
  ws: WsClient;
  channels: string[];
  allowed: string[];
}

export async function listen(w: World, p: Party, channels: string[]): Promise<Listener | null> {
  if (!p.client) {
    // Without a session the upgrade is refused.
    await WsClient.connect(w.url, '').then(
      (ws) => {
        ws.close();
        throw new Error('anonymous WebSocket accepted');
      },
      () => undefined,
    );
    return null;
  }
  const ws = await WsClient.connect(w.url, p.client.cookie);
  await ws.next((m) => m.type === 'hello');
  const all = [...channels, ...(p.userId ? [`user:${p.userId}`] : [])];
  for (const ch of all) ws.send({ type: 'subscribe', channel: ch });
  for (const ch of all) await ws.next((m) => (m.type === 'subscribed' || m.type === 'error') && m.channel === ch);
  const allowed = all.filter((ch) => ws.messages.some((m) => m.type === 'subscribed' && m.channel === ch));
  return { party: p.name, ws, channels: all, allowed };
}

export const scanMessages = (ls: Listener[], tokens: Token[], skip?: (l: Listener, m: any) => boolean): string[] =>
  ls.flatMap((l) => l.ws.messages.filter((m) => !skip?.(l, m)).flatMap((m) => scan(`${l.party} ws ${m.type}`, JSON.stringify(m), tokens)));

// ---------------------------------------------------------------------------------------------
// A database dump, the raw SQLite file and WAL, files in DATA_DIR, logs

export interface DumpRow {
  table: string;
  row: Record<string, unknown>;
}

export async function dumpDatabase(w: World): Promise<DumpRow[]> {
  const db = w.tdb.db;
  const tables = await listTables(db);
  const out: DumpRow[] = [];
  for (const t of tables) for (const row of await db(t).select('*')) out.push({ table: t, row });
  return out;
}

/** Findings in a dump: numbers equal to a sealed number in any numeric cell, and tokens in any text cell. */
export function scanDump(rows: DumpRow[], tokens: Token[], numbers: Array<{ label: string; n: number }> = [], skip?: (r: DumpRow, col: string) => boolean): string[] {
  const out: string[] = [];
  for (const r of rows) {
    for (const [col, v] of Object.entries(r.row)) {
      if (v === null || v === undefined || skip?.(r, col)) continue;
      const where = `db ${r.table}.${col} (id ${r.row.id ?? r.row.seq ?? '?'})`;
      if (typeof v === 'number' || typeof v === 'bigint' || (typeof v === 'string' && /^-?\d+$/.test(v))) {
        for (const x of numbers) if (Number(v) === x.n) out.push(`${where}: ${x.label} = ${v}`);
      }
      const text = Buffer.isBuffer(v) ? v.toString('latin1') : v instanceof Date ? '' : String(v);
      out.push(...scan(where, text, tokens));
    }
  }
  return out;
}

/** The SQLite file and its WAL as bytes (a copy taken by anyone who can read DATA_DIR). */
export function rawDatabaseText(w: World): string | null {
  if (!w.tdb.sqliteFile) return null;
  const parts = [w.tdb.sqliteFile, `${w.tdb.sqliteFile}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1'));
  return parts.join('\n');
}

/** Every file a backup of DATA_DIR holds (the database aside), as text. */
export function backupFiles(w: World): Array<{ file: string; text: string }> {
  const out: Array<{ file: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!/sunshine\.sqlite/.test(e.name)) out.push({ file: path.relative(w.tdb.dataDir, p), text: fs.readFileSync(p).toString('latin1') });
    }
  };
  walk(w.tdb.dataDir);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Brute force: every 64-hex value a party holds, against hashes of small search spaces

export const HEX64 = /\b[0-9a-f]{64}\b/gi;

export function hexValues(...texts: string[]): Set<string> {
  const out = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(HEX64)) out.add(m[0].toLowerCase());
  return out;
}

// crypto.hash (Node 20.12+) hashes a short string in one call: millions of guesses in seconds.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string) => string }).hash;
const sha = oneShot ? (s: string) => oneShot('sha256', s) : (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/**
 * Hashes an attacker's guesses and keeps those that match a published value. The guesses are
 * streamed (millions of them) against the set of values the parties hold.
 */
export class Rainbow {
  readonly hits = new Map<string, string>();
  tried = 0;
  constructor(private targets: Set<string>) {}
  add(message: string, what: string = message): void {
    this.tried++;
    const h = sha(message);
    if (this.targets.has(h) && !this.hits.has(h)) this.hits.set(h, what);
  }
  /** The published values found, as "value = SHA-256(guess)". */
  found(values: Iterable<string>): string[] {
    const out: string[] = [];
    for (const v of values) {
      const hit = this.hits.get(v);
      if (hit) out.push(`${v} = SHA-256(${hit})`);
    }
    return out;
  }
}

/** The canonical pool of selection.ts (scheme 1's hashed text), built as a string for speed; ids already ascending. */
const canonicalPool = (groups: Array<{ specialty: string; count: number; ids: number[] }>) => `[${groups.map((g) => `{"specialty":${JSON.stringify(g.specialty)},"count":${g.count},"ids":[${g.ids.join(',')}]}`).join(',')}]`;

/** Subsets of `ids` of every size in `sizes` (callers keep the total small). */
function* subsets(ids: number[], k: number, start = 0, acc: number[] = []): Generator<number[]> {
  if (acc.length === k) {
    yield [...acc];
    return;
  }
  for (let i = start; i <= ids.length - (k - acc.length); i++) {
    acc.push(ids[i]);
    yield* subsets(ids, k, i + 1, acc);
    acc.pop();
  }
}

const binom = (n: number, k: number) => {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
};

/**
 * The draw's pool as an attacker guesses it: for each group of the published request, every
 * single expert id up to `maxId` and every pair up to `maxPairId` (anyone); and, when the expert
 * register is known (operators, supervisors, a database dump), subsets of the specialty's
 * experts of every size while the search stays under `budget` per group.
 */
export function poolGuesses(rb: Rainbow, groups: Array<{ specialty: string; count: number }>, register: Map<string, number[]> | null, opts = { maxId: 10_000, maxPairId: 500, budget: 200_000 }): void {
  const counts = (g: { count: number }) => [...new Set([g.count, 1])];
  for (const g of groups) {
    for (const c of counts(g)) {
      for (let k = 1; k <= opts.maxId; k++) rb.add(canonicalPool([{ specialty: g.specialty, count: c, ids: [k] }]), `pool ${g.specialty}×${c} [${k}]`);
      for (let a = 1; a <= opts.maxPairId; a++) for (let b = a + 1; b <= opts.maxPairId; b++) rb.add(canonicalPool([{ specialty: g.specialty, count: c, ids: [a, b] }]), `pool ${g.specialty}×${c} [${a},${b}]`);
      const reg = register?.get(g.specialty);
      if (!reg) continue;
      let spent = 0;
      for (let k = 1; k <= reg.length; k++) {
        if (binom(reg.length, k) + spent > opts.budget) continue;
        for (const s of subsets(reg, k)) rb.add(canonicalPool([{ specialty: g.specialty, count: c, ids: s }]), `pool ${g.specialty}×${c} [${s.join(',')}]`);
        spent += binom(reg.length, k);
      }
    }
  }
  // A whole multi-group pool: each group's register, or it less one expert.
  if (register && groups.length > 1) {
    const variants = groups.map((g) => {
      const reg = register.get(g.specialty) ?? [];
      return [reg, ...reg.map((x) => reg.filter((y) => y !== x))].slice(0, 300);
    });
    const walk = (i: number, acc: number[][]) => {
      if (i === groups.length) {
        rb.add(canonicalPool(groups.map((g, j) => ({ specialty: g.specialty, count: g.count, ids: acc[j] }))), `pool ${groups.map((g) => g.specialty).join('+')}`);
        return;
      }
      for (const v of variants[i]) walk(i + 1, [...acc, v]);
    };
    walk(0, []);
  }
}

/** Ids and prices on their own: decimal ids up to maxId, prices from `top` down a grid of `step`. */
export function numberGuesses(rb: Rainbow, opts: { maxId: number; prices: Array<{ top: number; step: number; n: number }> }): void {
  for (let k = 1; k <= opts.maxId; k++) rb.add(String(k), `id ${k}`);
  for (const g of opts.prices) {
    for (let i = 0; i <= g.n; i++) {
      const p = g.top - i * g.step;
      if (p <= 0) break;
      rb.add(String(p), `price ${p} fen`);
      rb.add(JSON.stringify({ priceFen: p }), `{priceFen:${p}}`);
      rb.add((p / 100).toFixed(2), `price ${(p / 100).toFixed(2)} yuan`);
    }
  }
}
