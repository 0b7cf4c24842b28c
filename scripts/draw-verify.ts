// npm run draw:verify -- <drawId>: recomputes a revealed draw from its published record
// (seed, pool, result of every round) and checks it against the commitments published at draw time.
// Exit 0 when every round verifies, 1 when anything differs, 2 when the draw is not revealed yet.
import { openFromEnv } from './cli';
import { verifyRounds, type PublishedRound } from '../server/execution/draws/selection';
import { nodeHashes } from '../server/execution/draws/seal';

const drawId = Number(process.argv[2]);
if (!Number.isSafeInteger(drawId) || drawId < 1) {
  console.error('usage: npm run draw:verify -- <drawId>');
  process.exit(64);
}
const { db } = await openFromEnv();
try {
  const draw = await db('draws').where({ id: drawId }).first('id', 'status', 'project_ref');
  if (!draw) {
    console.error(`draw ${drawId} not found`);
    process.exitCode = 1;
  } else if (draw.status !== 'revealed') {
    console.error(`draw ${drawId} is still sealed: only its commitments are published`);
    process.exitCode = 2;
  } else {
    const rows = await db('draw_rounds').where({ draw_id: drawId }).orderBy('round_no');
    const rounds: PublishedRound[] = rows.map((r: any) => ({ roundNo: r.round_no, commitment: r.commitment, poolHash: r.pool_hash, seed: r.seed, pool: JSON.parse(r.pool_json), result: JSON.parse(r.result_json) }));
    const v = verifyRounds(rounds, nodeHashes);
    for (const c of v.rounds) console.log(`round ${c.roundNo}: commitment ${c.commitmentOk ? 'ok' : 'MISMATCH'}, pool hash ${c.poolHashOk ? 'ok' : 'MISMATCH'}, selection ${c.resultOk ? 'ok' : 'MISMATCH'}, no repeats ${c.disjointOk ? 'ok' : 'MISMATCH'}`);
    console.log(v.ok ? `draw ${drawId} (${draw.project_ref}) verified: ${rounds.length} round(s) recomputed` : `draw ${drawId} FAILED verification`);
    process.exitCode = v.ok ? 0 : 1;
  }
} finally {
  await db.destroy();
}
