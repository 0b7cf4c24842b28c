// npm run draw:verify -- <drawId>: recomputes a revealed draw from its published record (the
// secret and every round's seed, pool and result) and checks it against the commitment and pool
// hash published when it was drawn. Draws of either scheme (selection.ts).
// Exit 0 when everything verifies, 1 when anything differs, 2 when the draw is not revealed yet.
import { openFromEnv } from './cli';
import { verifyPublicDraw } from '../server/execution/draws/selection';
import { nodeHashes } from '../server/execution/draws/seal';
import { sealRecord, type DrawRow } from '../server/execution/draws/repository';

const drawId = Number(process.argv[2]);
if (!Number.isSafeInteger(drawId) || drawId < 1) {
  console.error('usage: npm run draw:verify -- <drawId>');
  process.exit(64);
}
const { db } = await openFromEnv();
try {
  const draw: DrawRow | undefined = await db('draws').where({ id: drawId }).first();
  if (!draw) {
    console.error(`draw ${drawId} not found`);
    process.exitCode = 1;
  } else if (draw.status !== 'revealed') {
    console.error(`draw ${drawId} is still sealed: only its commitment is published`);
    process.exitCode = 2;
  } else {
    const record = { status: draw.status, ...(await sealRecord(db, draw)) };
    const v = verifyPublicDraw(record, nodeHashes);
    const mark = (ok: boolean) => (ok ? 'ok' : 'MISMATCH');
    console.log(`scheme ${record.scheme}: commitment ${mark(v.commitmentOk)}`);
    for (const c of v.rounds) console.log(`round ${c.roundNo}: seed ${mark(c.commitmentOk)}, pool hash ${mark(c.poolHashOk)}, selection ${mark(c.resultOk)}, no repeats ${mark(c.disjointOk)}`);
    console.log(v.ok ? `draw ${drawId} (${draw.project_ref}) verified: ${v.rounds.length} round(s) recomputed` : `draw ${drawId} FAILED verification`);
    process.exitCode = v.ok ? 0 : 1;
  }
} finally {
  await db.destroy();
}
