#!/usr/bin/env node
// An independent check of bid receipts against the platform's signed audit checkpoints.
// Plain JavaScript, node:crypto only: nothing of the platform's code is trusted.
//
//   node scripts/verify-receipt.mjs <receipts.json> [--platform <url>] [--public-key <hex>]
//
// <receipts.json>: what a supplier downloads from GET /api/my/audit-receipts ({publicKey, items})
// or one receipt. For each receipt it checks
//   1. the recorded event (when the receipt carries it) hashes to the receipt's hash and names the bid;
//   2. a signed checkpoint covers that hash (Ed25519 over the checkpoint statement, whose digest
//      covers every global event hash from the previous checkpoint to this one): for an event of a
//      stream (a competition, a tender, ...), through the stream's chain from the event up to the
//      head that a cross-link listed, and that cross-link's own hash at its position in the global chain;
//   3. with --platform, the platform's record now (GET /api/public/audit/proof?seq=N) still holds that
//      hash for event N, and the same links still hold.
// Exit 0 when every receipt verifies, 1 otherwise.
import crypto from 'node:crypto';
import fs from 'node:fs';

const args = process.argv.slice(2);
const opt = (n) => (args.includes(n) ? args[args.indexOf(n) + 1] : undefined);
const file = args.find((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (!file) {
  console.error('usage: node scripts/verify-receipt.mjs <receipts.json> [--platform <url>] [--public-key <hex>]');
  process.exit(2);
}
const platform = opt('--platform');
const pinnedKey = opt('--public-key');

function canonicalJson(v) {
  if (v === null || typeof v !== 'object') return JSON.stringify(v ?? null);
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  return `{${Object.keys(v).filter((k) => v[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
}
// hash_v 2 (one chain per stream) covers stream, stream_seq and anchor; hash_v 1 (the chain before streams) covers seq.
function eventHash(prev, e) {
  const common = {
    occurred_at: e.occurred_at, actor_id: e.actor_id === null ? null : Number(e.actor_id), actor_role: e.actor_role, action: e.action,
    entity_type: e.entity_type, entity_id: String(e.entity_id), before_json: e.before_json, after_json: e.after_json, request_id: e.request_id, ip: e.ip,
  };
  const content = Number(e.hash_v ?? 1) === 2 ? canonicalJson({ v: 2, stream: e.stream, stream_seq: Number(e.stream_seq), anchor: e.anchor ?? null, ...common }) : canonicalJson({ seq: Number(e.seq), ...common });
  return crypto.createHash('sha256').update(prev).update('\n').update(content).digest('hex');
}
const sha256 = (s) => crypto.createHash('sha256').update(s).digest('hex');
function checkpointOk(keyHex, cp) {
  const statement = ['sunshine-audit-checkpoint v1', `seq=${cp.seq}`, `hash=${cp.hash}`, `from=${cp.fromSeq}`, `events=${sha256(cp.eventHashes.join(''))}`, `at=${cp.signedAt}`, `key=${cp.keyId}`].join('\n');
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(keyHex, 'hex')]), format: 'der', type: 'spki' });
  return cp.keyId === sha256(Buffer.from(keyHex, 'hex')).slice(0, 16) && cp.eventHashes.length === cp.seq - cp.fromSeq + 1 && cp.eventHashes.at(-1) === cp.hash && crypto.verify(null, Buffer.from(statement, 'utf8'), key, Buffer.from(cp.signature, 'hex'));
}

/** What does not hold in a proof that event `seq` with `hash` is covered by its signed checkpoint (the signature aside). */
function proofProblems(proof, seq, hash, who) {
  const problems = [];
  const evs = proof.events ?? [];
  const cp = proof.checkpoint;
  if (evs[0]?.hash !== hash) problems.push(who === "the platform's" ? `the platform's record of event ${seq} now differs from the receipt (rewritten)` : `hash ${hash.slice(0, 16)}… is not at ${seq} in the proof of the checkpoint at ${proof.checkpoint.seq}`);
  for (let i = 1; i < evs.length; i++) if (evs[i].prevHash !== evs[i - 1].hash || evs[i].streamSeq !== evs[i - 1].streamSeq + 1) problems.push(`${who} events ${evs[i - 1].seq}→${evs[i].seq} are not linked`);
  if (proof.crossLink) {
    const link = proof.crossLink;
    const last = evs.at(-1);
    const listed = (JSON.parse(link.event.after_json ?? '{}').heads ?? []).find((h) => h.stream === proof.stream);
    if (!listed || !last || listed.seq !== last.streamSeq || listed.hash !== last.hash) problems.push(`${who} cross-link at ${link.position} does not list ${proof.stream} at the events' head`);
    if (Number(link.event.stream_seq) !== link.position || eventHash(link.event.prev_hash, link.event) !== link.hash) problems.push(`${who} cross-link at ${link.position} does not hash to its hash`);
    if (cp.eventHashes[link.position - cp.fromSeq] !== link.hash) problems.push(`${who} cross-link at ${link.position} differs from the signed checkpoint at ${cp.seq} (rewritten)`);
  } else {
    for (const e of evs) if (cp.eventHashes[e.streamSeq - cp.fromSeq] !== e.hash) {
      problems.push(`${who} event ${e.seq} differs from the signed checkpoint at ${cp.seq} (rewritten)`);
      break;
    }
  }
  return problems;
}

async function verify(r, fileKey) {
  const problems = [];
  const { seq, hash, index } = r.audit;
  if (r.event) {
    if (Number(r.event.seq) !== seq || eventHash(r.event.prev_hash, r.event) !== hash) problems.push(`the event in the receipt does not hash to ${hash.slice(0, 16)}…`);
    const after = JSON.parse(r.event.after_json ?? 'null') ?? {};
    const names = r.kind === 'auction_bid' ? after.bids?.[index]?.clientBidId === r.ref : after.receiptNo === r.ref;
    if (!names) problems.push(`event ${seq} does not record ${r.ref}`);
  }
  let proof = r.proof;
  if (platform) {
    const res = await fetch(`${platform.replace(/\/$/, '')}/api/public/audit/proof?seq=${seq}`);
    if (!res.ok) return [...problems, `the platform gives no proof for event ${seq} (HTTP ${res.status})`];
    const now = await res.json();
    problems.push(...proofProblems(now, seq, hash, "the platform's"));
    proof = proof ?? now;
  }
  if (!proof) return [...problems, 'no proof yet (no signed checkpoint covered the event when the receipt was downloaded); try --platform'];
  const keyHex = pinnedKey ?? fileKey ?? proof.publicKey?.hex;
  if (pinnedKey && proof.publicKey?.hex && proof.publicKey.hex !== pinnedKey) problems.push('the proof names another public key than the one given');
  const cp = proof.checkpoint;
  if (!checkpointOk(keyHex, cp)) problems.push(`the checkpoint at ${cp.seq} is not signed by key ${keyHex.slice(0, 16)}…`);
  else problems.push(...proofProblems(proof, seq, hash, "the receipt's"));
  return problems;
}

const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
const items = doc.items ?? [doc];
let failed = 0;
for (const r of items) {
  const problems = await verify(r, doc.publicKey?.hex);
  const what = `${r.kind} ${r.ref} (event ${r.audit.seq}${r.audit.index === undefined ? '' : `, bid ${r.audit.index}`})`;
  if (problems.length) {
    failed++;
    console.log(`FAIL ${what}: ${problems.join('; ')}`);
  } else console.log(`ok   ${what}: ${r.event ? 'event content checked, ' : ''}covered by the checkpoint signed ${r.proof?.checkpoint.signedAt ?? ''}`.trim());
}
console.log(`${items.length - failed} of ${items.length} receipts verified`);
process.exit(failed ? 1 : 0);
