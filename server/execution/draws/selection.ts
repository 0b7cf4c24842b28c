// The verifiable selection, shared by the server, `npm run draw:verify` and the browser page.
// No platform imports: the caller passes the two hash functions (node:crypto or crypto-js).
//
//   commitment = SHA-256(seed bytes)                    (seed: 32 random bytes, hex)
//   poolHash   = SHA-256(UTF-8 canonical pool JSON)     (see canonicalPool)
//   stream     = HMAC-SHA256(key = seed bytes, message = decimal counter "0", "1", ...),
//                each 32-byte block read as eight unsigned 32-bit big-endian integers
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
