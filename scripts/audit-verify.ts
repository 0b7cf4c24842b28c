// npm run audit:verify — walks the audit hash chain; exit 0 when intact, 1 at the first broken link.
//   npm run audit:verify -- --checkpoints <file or URL> [--public-key <hex>]
// also checks the chain against checkpoints saved earlier (a file written from
// GET /api/public/audit/checkpoints, the finance simulator's copies, or that URL itself): each
// checkpoint's Ed25519 signature, then every event it covers; a consistent rewrite of history is
// named by its first rewritten event.
import fs from 'node:fs';
import { openFromEnv } from './cli';
import { verifyChain } from '../server/supervision/audit/audit';
import { verifyAgainstCheckpoints } from '../server/supervision/audit/checkpoints';

const args = process.argv.slice(2);
const opt = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const source = opt('--checkpoints');
const publicKeyHex = opt('--public-key');

async function load(src: string): Promise<any> {
  if (/^https?:\/\//.test(src)) {
    const res = await fetch(src);
    if (!res.ok) throw new Error(`${src}: HTTP ${res.status}`);
    return res.json();
  }
  return JSON.parse(fs.readFileSync(src, 'utf8'));
}

const saved = source ? await load(source) : null;
const { db } = await openFromEnv();
let exit = 0;
if (!saved) {
  const result = await verifyChain(db);
  if (result.intact) {
    console.log(`chain intact, ${result.events} events`);
    const t = result.notYetAnchored;
    if (t?.events) console.log(`not yet cross-linked into the global chain: ${t.events} events in ${t.streams} streams (since ${t.oldestAt}), verified by their streams' chains only`);
  }
  else {
    const b = result.brokenAt!;
    console.log(`chain broken at event ${b.seq} (row id ${b.id}${b.stream ? `, ${b.stream} #${b.streamSeq}` : ''}): ${b.reason}; ${result.events} events verified before it`);
    exit = 1;
  }
} else {
  const r = await verifyAgainstCheckpoints(db, saved, { publicKeyHex });
  if (!r.chain.intact) {
    const b = r.chain.brokenAt!;
    console.log(`chain broken at event ${b.seq} (row id ${b.id}): ${b.reason}; ${r.chain.events} events verified before it`);
  } else console.log(`chain links intact, ${r.chain.events} events`);
  for (const p of r.problems) console.log(`problem: ${p}`);
  const f = r.firstRewritten;
  if (f) {
    console.log(
      f.actualHash
        ? `history rewritten: event ${f.seq} (row id ${f.id}, ${f.action} ${f.entityType} ${f.entityId}) differs from the checkpoint at ${f.checkpointSeq} signed ${f.signedAt} (hash ${f.actualHash.slice(0, 16)}…, signed ${f.expectedHash.slice(0, 16)}…)`
        : `history rewritten: event ${f.seq}, covered by the checkpoint at ${f.checkpointSeq} signed ${f.signedAt}, is missing`,
    );
    if (f.lists?.length) console.log(`  global event ${f.seq} is a cross-link: the rewritten events are among those it lists: ${f.lists.map((l) => `${l.stream} ${l.from}–${l.seq}`).join(', ')}`);
  }
  console.log(`${r.checkpointsMatched} of ${r.checkpoints} checkpoints match`);
  if (r.intact) console.log('chain intact and consistent with every signed checkpoint');
  else exit = 1;
}
await db.destroy();
process.exit(exit);
