// The verifiable selection, shared by the server, `npm run draw:verify` and the browser page.
// No platform imports: the caller passes the two hash functions (node:crypto or crypto-js).
//
// Scheme 2 (every draw requested since 2026-12; `scheme: 2` in the record):
//   secret     = 32 random bytes per draw (hex), sealed until the reveal
//   commitment = SHA-256(secret bytes)                               published when drawn
//   seed of round r (r = 1, 2, ...) = hex HMAC-SHA256(key = secret bytes, "seed:" + r)
//   poolHash of round r = hex HMAC-SHA256(key = secret bytes, "pool:" + r + ":" + canonical pool JSON)
//   Before the reveal only the commitment, its time and round 1's pool hash are published: a
//   keyed hash reveals nothing of the pool however small it is, and replacement rounds (whose
//   number would count the declines) are not published at all. After the reveal the secret and
//   every round (seed, pool, result, pool hash) are, and anyone recomputes all of it. Replacement
//   seeds are fixed by the secret committed at draw time, so no round can be drawn again until
//   it gives a wanted name.
//
// Scheme 1 (draws before 2026-12; still verified): each round its own random seed,
//   commitment = SHA-256(seed bytes), poolHash = SHA-256(UTF-8 canonical pool JSON) (unsalted:
//   no longer published before the reveal).
//
// Both: stream = HMAC-SHA256(key = round seed bytes, message = decimal counter "0", "1", ...),
//   each 32-byte block read as eight unsigned 32-bit big-endian integers
//   uniform(m) = next integer u with u < 2^32 - (2^32 mod m) (rejection sampling), u mod m
//                (uniform(1) = 0 without reading the stream)
//   per group, in order: forward Fisher-Yates over the group's ascending ids,
//     for i = 0..n-1: j = i + uniform(n - i); swap(i, j); take ids[i] unless an earlier group
//     already took it; stop once `count` are taken. One stream runs through all groups.

export interface DrawHashes {
  sha256Hex(data: string | Uint8Array): string;
  hmacSha256(key: Uint8Array, message: string): Uint8Array;
}

export interface PoolGroup {
  specialty: string;
  count: number;
  ids: number[];
}

export class PoolTooSmallError extends Error {
  constructor(
    public specialty: string,
    public needed: number,
    public available: number,
  ) {
    super(`not enough eligible experts for ${specialty}: ${available} < ${needed}`);
  }
}

export function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-f]{2})*$/i.test(hex)) throw new Error('not hex');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The pool in its one canonical text: groups in request order, ids ascending, no spaces. */
export function canonicalPool(groups: PoolGroup[]): string {
  return JSON.stringify(groups.map((g) => ({ specialty: g.specialty, count: g.count, ids: [...g.ids].sort((a, b) => a - b) })));
}

export function commitmentOf(seedHex: string, h: DrawHashes): string {
  return h.sha256Hex(hexToBytes(seedHex));
}

export function poolHashOf(groups: PoolGroup[], h: DrawHashes): string {
  return h.sha256Hex(canonicalPool(groups));
}

export function bytesToHex(b: Uint8Array): string {
  let out = '';
  for (const x of b) out += x.toString(16).padStart(2, '0');
  return out;
}

/** Scheme 2: the seed of round r, derived from the draw's secret. */
export function roundSeedOf(secretHex: string, roundNo: number, h: DrawHashes): string {
  return bytesToHex(h.hmacSha256(hexToBytes(secretHex), `seed:${roundNo}`));
}

/** Scheme 2: round r's pool hash, keyed by the draw's secret (nothing to brute-force without it). */
export function keyedPoolHashOf(secretHex: string, roundNo: number, groups: PoolGroup[], h: DrawHashes): string {
  return bytesToHex(h.hmacSha256(hexToBytes(secretHex), `pool:${roundNo}:${canonicalPool(groups)}`));
}

class Stream {
  private counter = 0;
  private block: Uint8Array = new Uint8Array(0);
  private pos = 0;
  constructor(
    private key: Uint8Array,
    private h: DrawHashes,
  ) {}
  next32(): number {
    if (this.pos >= this.block.length) {
      this.block = this.h.hmacSha256(this.key, String(this.counter++));
      this.pos = 0;
    }
    const b = this.block;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
  }
  uniform(m: number): number {
    if (m <= 1) return 0;
    const limit = 0x100000000 - (0x100000000 % m);
    for (;;) {
      const u = this.next32();
      if (u < limit) return u % m;
    }
  }
}

/** The selected ids per group, in draw order. Throws PoolTooSmallError when a group runs out. */
export function select(seedHex: string, groups: PoolGroup[], h: DrawHashes): number[][] {
  const stream = new Stream(hexToBytes(seedHex), h);
  const taken = new Set<number>();
  return groups.map((g) => {
    const ids = [...g.ids].sort((a, b) => a - b);
    const picked: number[] = [];
    for (let i = 0; i < ids.length && picked.length < g.count; i++) {
      const j = i + stream.uniform(ids.length - i);
      const tmp = ids[i];
      ids[i] = ids[j];
      ids[j] = tmp;
      if (!taken.has(ids[i])) {
        taken.add(ids[i]);
        picked.push(ids[i]);
      }
    }
    if (picked.length < g.count) throw new PoolTooSmallError(g.specialty, g.count, picked.length);
    return picked;
  });
}

export interface PublishedRound {
  roundNo: number;
  commitment: string;
  poolHash: string;
  seed: string;
  pool: PoolGroup[];
  result: number[][];
}

export interface RoundCheck {
  roundNo: number;
  commitmentOk: boolean;
  poolHashOk: boolean;
  resultOk: boolean;
  disjointOk: boolean; // no expert drawn twice across rounds
}

/** Recomputes every published round; `ok` only when every check of every round passes. */
export function verifyRounds(rounds: PublishedRound[], h: DrawHashes): { ok: boolean; rounds: RoundCheck[] } {
  const seen = new Set<number>();
  const checks = rounds.map((r) => {
    let resultOk = false;
    try {
      const again = select(r.seed, r.pool, h);
      resultOk = JSON.stringify(again) === JSON.stringify(r.result);
    } catch {
      resultOk = false;
    }
    let disjointOk = true;
    for (const id of r.result.flat()) {
      if (seen.has(id)) disjointOk = false;
      seen.add(id);
    }
    return { roundNo: r.roundNo, commitmentOk: commitmentOf(r.seed, h) === r.commitment, poolHashOk: poolHashOf(r.pool, h) === r.poolHash, resultOk, disjointOk };
  });
  return { ok: checks.length > 0 && checks.every((c) => c.commitmentOk && c.poolHashOk && c.resultOk && c.disjointOk), rounds: checks };
}

/** A draw's public record as `GET /api/public/draws/:id` gives it (the parts verification reads). */
export interface PublicDrawRecord {
  scheme: 1 | 2;
  status: string;
  /** Scheme 2: SHA-256(secret); scheme 1: round 1's commitment. Published when drawn. */
  commitment: string;
  /** Scheme 2: round 1's keyed pool hash, published when drawn; scheme 1: null before the reveal. */
  poolHash: string | null;
  /** Scheme 2, after the reveal. */
  secret: string | null;
  rounds: PublishedRound[] | null;
}

export interface DrawCheck {
  ok: boolean;
  /** The secret matches the commitment published at draw time (scheme 1: round 1's commitment). */
  commitmentOk: boolean;
  rounds: RoundCheck[];
}

/** Recomputes a revealed draw of either scheme from its public record. */
export function verifyPublicDraw(d: PublicDrawRecord, h: DrawHashes): DrawCheck {
  const rounds = d.rounds ?? [];
  if (d.scheme !== 2) {
    const v = verifyRounds(rounds, h);
    const commitmentOk = rounds.length > 0 && rounds[0].commitment === d.commitment;
    return { ok: v.ok && commitmentOk, commitmentOk, rounds: v.rounds };
  }
  const secret = d.secret ?? '';
  let commitmentOk = false;
  try {
    commitmentOk = commitmentOf(secret, h) === d.commitment;
  } catch {
    commitmentOk = false;
  }
  const seen = new Set<number>();
  const checks = rounds.map((r, i) => {
    let seedOk = false;
    let poolHashOk = false;
    let resultOk = false;
    try {
      seedOk = r.roundNo === i + 1 && roundSeedOf(secret, r.roundNo, h) === r.seed && commitmentOf(r.seed, h) === r.commitment;
      poolHashOk = keyedPoolHashOf(secret, r.roundNo, r.pool, h) === r.poolHash && (i > 0 || r.poolHash === d.poolHash);
      resultOk = JSON.stringify(select(r.seed, r.pool, h)) === JSON.stringify(r.result);
    } catch {
      /* a malformed record fails */
    }
    let disjointOk = true;
    for (const id of r.result?.flat() ?? []) {
      if (seen.has(id)) disjointOk = false;
      seen.add(id);
    }
    return { roundNo: r.roundNo, commitmentOk: commitmentOk && seedOk, poolHashOk, resultOk, disjointOk };
  });
  return { ok: commitmentOk && checks.length > 0 && checks.every((c) => c.commitmentOk && c.poolHashOk && c.resultOk && c.disjointOk), commitmentOk, rounds: checks };
}
