import { expect } from 'chai';
import { select, verifyRounds, verifyPublicDraw, commitmentOf, poolHashOf, keyedPoolHashOf, roundSeedOf, canonicalPool, type PoolGroup, type PublishedRound, type PublicDrawRecord } from '../../server/execution/draws/selection';
import { browserHashes } from '../../client/src/views/draws/verify';
import { nodeHashes, newSeed } from '../../server/execution/draws/seal';
import { prng } from '../../db/seeds/demo';

// Property tests over random pools, driven by a seeded PRNG so a failure reproduces.
describe('draw selection (verifiable shuffle)', () => {
  const ITERATIONS = 300;

  it('is deterministic, draws distinct members of the pool, and needs the exact seed', () => {
    const rnd = prng(4242);
    for (let it = 0; it < ITERATIONS; it++) {
      const n = rnd.int(5, 60);
      const ids = rnd.sample(Array.from({ length: 200 }, (_, i) => i + 1), n);
      const count = rnd.int(1, Math.min(n, 9));
      const pool: PoolGroup[] = [{ specialty: 'A02', count, ids }];
      const seed = newSeed();
      const a = select(seed, pool, nodeHashes);
      expect(select(seed, [{ ...pool[0], ids: [...ids].reverse() }], nodeHashes), 'order of the pool does not matter').to.deep.equal(a);
      expect(a[0]).to.have.length(count);
      expect(new Set(a[0]).size).to.equal(count);
      for (const id of a[0]) expect(ids).to.include(id);
    }
  });

  it('never selects anyone outside the eligible pool, across several groups, with no repeats', () => {
    const rnd = prng(777);
    for (let it = 0; it < ITERATIONS; it++) {
      // A random library; eligibility flags decided at random; only the eligible go in the pool.
      const library = Array.from({ length: rnd.int(20, 120) }, (_, i) => ({
        id: i + 1,
        specs: rnd.sample(['S1', 'S2', 'S3'], rnd.int(1, 3)),
        conflicted: rnd.next() < 0.15,
        onLeave: rnd.next() < 0.1,
        overCap: rnd.next() < 0.1,
        blacklisted: rnd.next() < 0.05,
      }));
      const eligible = (s: string) => library.filter((e) => e.specs.includes(s) && !e.conflicted && !e.onLeave && !e.overCap && !e.blacklisted).map((e) => e.id);
      const groups: PoolGroup[] = ['S1', 'S2'].map((s) => ({ specialty: s, count: rnd.int(1, 3), ids: eligible(s) }));
      let result: number[][];
      try {
        result = select(newSeed(), groups, nodeHashes);
      } catch (e) {
        expect((e as Error).message).to.match(/not enough eligible experts/);
        continue;
      }
      const flat = result.flat();
      expect(new Set(flat).size).to.equal(flat.length);
      result.forEach((ids, gi) => {
        expect(ids).to.have.length(groups[gi].count);
        for (const id of ids) {
          const e = library.find((x) => x.id === id)!;
          expect(e.specs).to.include(groups[gi].specialty);
          expect(e.conflicted || e.onLeave || e.overCap || e.blacklisted).to.equal(false);
        }
      });
    }
  });

  it('is close to uniform (each member is drawn about count/n of the time)', () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    const hits = new Map<number, number>();
    const runs = 3000;
    for (let i = 0; i < runs; i++) for (const id of select(newSeed(), [{ specialty: 'X', count: 3, ids }], nodeHashes)[0]) hits.set(id, (hits.get(id) ?? 0) + 1);
    for (const id of ids) expect(hits.get(id)! / runs).to.be.within(0.24, 0.36); // expected 0.3
  });

  it('verification recomputes the published result and fails on any change', () => {
    const rnd = prng(99);
    for (let it = 0; it < ITERATIONS; it++) {
      const ids = rnd.sample(Array.from({ length: 80 }, (_, i) => i + 1), rnd.int(6, 40));
      const pool: PoolGroup[] = [{ specialty: 'C16', count: 5, ids }];
      const seed = newSeed();
      const rounds: PublishedRound[] = [{ roundNo: 1, commitment: commitmentOf(seed, nodeHashes), poolHash: poolHashOf(pool, nodeHashes), seed, pool, result: select(seed, pool, nodeHashes) }];
      expect(verifyRounds(rounds, nodeHashes).ok).to.equal(true);
      const changed = structuredClone(rounds);
      switch (it % 5) {
        case 0: // another seed
          changed[0].seed = newSeed();
          break;
        case 1: // a member swapped in the result
          changed[0].result[0][rnd.int(0, 4)] = ids.find((x) => !rounds[0].result[0].includes(x)) ?? 999;
          break;
        case 2: // someone added to the pool afterwards
          changed[0].pool[0].ids = [...ids, 1000];
          break;
        case 3: // the order of the result changed
          changed[0].result[0].reverse();
          break;
        case 4: // the commitment altered
          changed[0].commitment = commitmentOf(newSeed(), nodeHashes);
          break;
      }
      expect(verifyRounds(changed, nodeHashes).ok, `change ${it % 5}`).to.equal(false);
    }
  });

  it('writes the pool in one canonical form and refuses an expert drawn in two rounds', () => {
    expect(canonicalPool([{ specialty: 'B', count: 1, ids: [3, 1, 2] }])).to.equal('[{"specialty":"B","count":1,"ids":[1,2,3]}]');
    const pool: PoolGroup[] = [{ specialty: 'B', count: 1, ids: [1] }];
    const seed = newSeed();
    const round = (n: number): PublishedRound => ({ roundNo: n, commitment: commitmentOf(seed, nodeHashes), poolHash: poolHashOf(pool, nodeHashes), seed, pool, result: [[1]] });
    expect(verifyRounds([round(1)], nodeHashes).ok).to.equal(true);
    expect(verifyRounds([round(1), round(2)], nodeHashes).ok).to.equal(false);
  });
  /** A revealed scheme-2 record: one secret, rounds derived from it. */
  const schemeTwo = (pools: PoolGroup[][]): PublicDrawRecord => {
    const secret = newSeed();
    const rounds = pools.map((pool, i) => {
      const seed = roundSeedOf(secret, i + 1, nodeHashes);
      return { roundNo: i + 1, commitment: commitmentOf(seed, nodeHashes), poolHash: keyedPoolHashOf(secret, i + 1, pool, nodeHashes), seed, pool, result: select(seed, pool, nodeHashes) };
    });
    return { scheme: 2, status: 'revealed', commitment: commitmentOf(secret, nodeHashes), poolHash: rounds[0].poolHash, secret, rounds };
  };

  it('scheme 2: one secret commits every round; its pool hash is keyed, so a tiny pool cannot be guessed', () => {
    const one: PoolGroup[] = [{ specialty: 'B', count: 1, ids: [2] }];
    const d = schemeTwo([[{ specialty: 'B', count: 5, ids: [7, 9, 11, 12, 15, 20, 21] }], one]);
    expect(verifyPublicDraw(d, nodeHashes).ok).to.equal(true);
    expect(verifyPublicDraw(d, browserHashes).ok, 'the browser computes the same').to.equal(true);
    // The unsalted hash of the one-expert pool is not what is kept.
    expect(d.rounds![1].poolHash).to.not.equal(poolHashOf(one, nodeHashes));
    for (let k = 1; k <= 1000; k++) expect(keyedPoolHashOf(newSeed(), 2, [{ specialty: 'B', count: 1, ids: [k] }], nodeHashes)).to.not.equal(d.rounds![1].poolHash);
  });

  it('scheme 2: verification fails on any change to the secret, a seed, a pool, a result or a hash', () => {
    const rnd = prng(7);
    let tried = 0;
    for (let it = 0; it < ITERATIONS; it++) {
      const ids = rnd.sample(Array.from({ length: 60 }, (_, i) => i + 1), rnd.int(8, 30));
      const d = schemeTwo([[{ specialty: 'C16', count: 5, ids }], [{ specialty: 'C16', count: 1, ids: ids.slice(0, 3) }]]);
      // the replacement may repeat someone from round 1 in this synthetic record; keep only valid ones
      if (!verifyPublicDraw(d, nodeHashes).ok) continue;
      tried++;
      const c = structuredClone(d);
      switch (it % 6) {
        case 0:
          c.secret = newSeed();
          break;
        case 1:
          c.rounds![1].seed = newSeed();
          break;
        case 2:
          c.rounds![0].pool[0].ids = [...ids, 1000];
          break;
        case 3:
          c.rounds![0].result[0].reverse();
          break;
        case 4:
          c.poolHash = keyedPoolHashOf(c.secret!, 1, [{ specialty: 'C16', count: 5, ids: ids.slice(1) }], nodeHashes);
          break;
        case 5:
          c.commitment = commitmentOf(newSeed(), nodeHashes);
          break;
      }
      expect(verifyPublicDraw(c, nodeHashes).ok, `change ${it % 6}`).to.equal(false);
    }
    expect(tried).to.be.greaterThan(ITERATIONS / 4);
  });

  it('still verifies a scheme-1 draw (made before the keyed commitments) from its public record', () => {
    const pool: PoolGroup[] = [{ specialty: 'C16', count: 5, ids: [1, 2, 3, 4, 5, 6, 7] }];
    const seed = newSeed();
    const rounds: PublishedRound[] = [{ roundNo: 1, commitment: commitmentOf(seed, nodeHashes), poolHash: poolHashOf(pool, nodeHashes), seed, pool, result: select(seed, pool, nodeHashes) }];
    const d: PublicDrawRecord = { scheme: 1, status: 'revealed', commitment: rounds[0].commitment, poolHash: rounds[0].poolHash, secret: null, rounds };
    expect(verifyPublicDraw(d, nodeHashes).ok).to.equal(true);
    expect(verifyPublicDraw({ ...d, commitment: commitmentOf(newSeed(), nodeHashes) }, nodeHashes).ok).to.equal(false);
  });
});
