// npm run bench:tender — one public tender with many sealed bids on SQLite, through the services:
// browser-equivalent sealing (crypto-js AES over a bid with a 64 KB attachment), submission with
// receipt, the opening job, and each bidder's key checked and decrypted. Prints one JSON line:
// {bids, sealMsP50, submitMsP50, submitMsP99, openingJobMs, decryptMsP50, decryptMsP99, totalOpeningMs}.
import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { openDb } from '../../server/db/knex';
import { migrateLatest } from '../../server/db/migrate';
import { ManualClock } from '../../server/db/time';
import { createLogger } from '../../server/http/log';
import { parseEnv, type Config } from '../../server/config';
import { createPlatform } from '../../server/platform';
import { seedDemo } from '../../db/seeds/demo';
import { sealBid, randomHex } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import * as documents from '../../server/execution/tendering/documents/service';
import * as bids from '../../server/execution/tendering/bids/service';
import * as opening from '../../server/execution/tendering/opening/service';
import type { TenderingDeps } from '../../server/execution/tendering/deps';

const BIDS = Number(process.env.BENCH_BIDS ?? 200);
const DAY = 86_400_000;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const round = (x: number) => Math.round(x * 100) / 100;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sp-bench-tender-'));
const db = openDb({ dbClient: 'sqlite', databaseUrl: null, dataDir });
try {
  await migrateLatest(db);
  const clock = new ManualClock(Date.UTC(2026, 2, 2, 1, 0, 0));
  await seedDemo(db, clock, { experts: 10, suppliers: BIDS + 8 });
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
  const config: Config = { ...base, dbClient: 'sqlite', databaseUrl: null, dataDir, secrets: { sessionSecret: 'bench-session-secret-0123456789abcdef', sealKey: 'cd'.repeat(32), financeHmacSecret: 'bench-finance-secret-0123456789abcdef' } };
  const platform = createPlatform({ config, db, clock, log: createLogger('silent'), autoStartScheduler: false });
  const deps: TenderingDeps = { db, clock, scheduler: platform.scheduler, realtime: platform.realtime, log: createLogger('silent'), config };
  const actor = (role: string) => ({ userId: null, role, requestId: null, ip: '192.0.2.1', clock });
  const tpl = TEMPLATES.goods;
  const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
  const category = (await db('catalogue_categories').where({ kind: 'goods' }).first('code')).code;
  const t = await documents.createTender(deps, actor('operator'), { title: 'bench', kind: 'goods', categoryCode: category, budgetFen: 500_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: 'bench', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
  await documents.publishTender(deps, actor('operator'), t.id);
  const suppliers: number[] = (await db('suppliers').where({ status: 'approved' }).orderBy('id').limit(BIDS).select('id')).map((r: { id: number }) => r.id);
  const attachment = Buffer.alloc(64 * 1024, 7).toString('base64');
  const sealMs: number[] = [];
  const submitMs: number[] = [];
  const keys = new Map<number, string>();
  for (const [i, supplierId] of suppliers.entries()) {
    let t0 = performance.now();
    const sealed = sealBid({ tenderId: t.id, supplierId, priceFen: 400_000_000 - i * 1000, responses: Object.fromEntries(tpl.requirements.map((r) => [r.key, `响应 ${r.key} `.repeat(40)])), attachments: [{ name: 'spec.pdf', type: 'application/pdf', dataBase64: attachment }] }, { keyHex: randomHex(32) });
    sealMs.push(performance.now() - t0);
    keys.set(supplierId, sealed.keyHex);
    clock.advance(60_000);
    t0 = performance.now();
    await bids.submitBid(deps, actor('supplier'), supplierId, t.id, { envelope: sealed.envelope, digest: sealed.digest });
    submitMs.push(performance.now() - t0);
  }
  clock.set(new Date(deadline).getTime());
  const open0 = performance.now();
  await opening.startOpening(deps, t.id);
  const openingJobMs = performance.now() - open0;
  const decryptMs: number[] = [];
  for (const supplierId of suppliers) {
    const t0 = performance.now();
    const r = await opening.submitKey(deps, actor('supplier'), supplierId, t.id, keys.get(supplierId)!);
    decryptMs.push(performance.now() - t0);
    if (r.status !== 'decrypted') throw new Error(`bid of ${supplierId} not decrypted`);
  }
  const status = (await db('tenders').where({ id: t.id }).first('status')).status;
  if (status !== 'evaluation') throw new Error(`tender is ${status}`);
  await platform.close();
  console.log(JSON.stringify({ bench: 'tender', dialect: 'sqlite', bids: suppliers.length, attachmentKb: 64, sealMsP50: round(pct(sealMs, 50)), submitMsP50: round(pct(submitMs, 50)), submitMsP99: round(pct(submitMs, 99)), openingJobMs: round(openingJobMs), decryptMsP50: round(pct(decryptMs, 50)), decryptMsP99: round(pct(decryptMs, 99)), totalOpeningMs: round(performance.now() - open0) }));
} finally {
  await db.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
