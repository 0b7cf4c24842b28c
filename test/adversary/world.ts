// The adversary's world: the demo city with every module's demo data (sealed draws, a tender in
// its opening, competitions), on a manual clock the suite moves itself. The seal key is known to
// the suite only as the judge's oracle: it opens what is sealed so the suite knows what must not
// leak; no party below is given it.
import { createTestDb, TEST_DIALECT, type TestDb } from '../helpers/db';
import { createPlatform, type Platform } from '../../server/platform';
import { parseEnv, type Config } from '../../server/config';
import { ManualClock } from '../../server/db/time';
import { seedDemo } from '../../db/seeds/demo';
import { createLogger } from '../../server/http/log';
import { TestClient, signedIn } from '../helpers/http';
import { createSealer, type Sealer } from '../../server/execution/draws/seal';
import { invitationContext } from '../../server/execution/draws/pool';
import type { PoolGroup } from '../../server/execution/draws/selection';
import { keyForEnvelope, openBid } from '../../client/src/views/tendering/sealing';
import { DEMO_PASSWORD } from '../../server/execution/tendering/demo-users';

export const SEAL_KEY = '5e'.repeat(8) + '0123456789abcdef'.repeat(2) + 'c0ffee00'.repeat(2);

export interface World {
  url: string;
  platform: Platform;
  tdb: TestDb;
  config: Config;
  clock: ManualClock;
  logs: string[];
  /** The day the demo was seeded on (today when the demo seed works today, else a fallback day). */
  seededAt: Date;
  sealer: Sealer;
  client(): TestClient;
  as(username: string): Promise<TestClient>;
  stop(): Promise<void>;
}

/** A day the whole demo seed is known to work on, used when it does not work today. */
const FALLBACK_DAY = Date.parse('2026-06-16T02:00:00Z');

async function tryWorld(at: number): Promise<World> {
  const tdb = await createTestDb();
  const clock = new ManualClock(at);
  const { givenSecrets: _g, ...base } = parseEnv({ NODE_ENV: 'test' });
  const config: Config = {
    ...base,
    dbClient: tdb.db.dialect,
    databaseUrl: tdb.databaseUrl,
    dataDir: tdb.dataDir,
    secrets: { sessionSecret: 'adversary-session-secret-0123456789', sealKey: SEAL_KEY, financeHmacSecret: 'adversary-finance-secret-0123456789' },
  };
  const logs: string[] = [];
  let platform: Platform | null = null;
  try {
    await seedDemo(tdb.db, clock);
    // Debug level: the logs a careless deployment would keep are searched too.
    platform = createPlatform({ config, db: tdb.db, clock, log: createLogger('debug', (l) => logs.push(l)), autoStartScheduler: false });
    await platform.seedModules();
  } catch (e) {
    await platform?.close().catch(() => undefined);
    await tdb.destroy();
    throw e;
  }
  const url = await platform!.listen(0, '127.0.0.1');
  return {
    url,
    platform: platform!,
    tdb,
    config,
    clock,
    logs,
    seededAt: new Date(at),
    sealer: createSealer(SEAL_KEY),
    client: () => new TestClient(url),
    as: (username: string) => signedIn(url, username),
    async stop() {
      await platform!.close();
      await tdb.destroy();
    },
  };
}

/** The demo on today's date (on a manual clock); if the demo seed does not work today, on a fixed day. */
export async function buildWorld(): Promise<World> {
  const today = new Date();
  today.setUTCHours(2, 0, 0, 0);
  try {
    return await tryWorld(today.getTime());
  } catch (e) {
    if (today.getTime() === FALLBACK_DAY) throw e;
    console.log(`      (the demo seed does not work on ${today.toISOString().slice(0, 10)} [${(e as Error).message}]; seeded on ${new Date(FALLBACK_DAY).toISOString().slice(0, 10)}, ${TEST_DIALECT})`);
    return tryWorld(FALLBACK_DAY);
  }
}

// ---------------------------------------------------------------------------------------------
// The oracle: what is sealed, opened with the seal key (the judge's view, never a party's).

export interface DrawTruth {
  drawId: number;
  projectRef: string;
  seeds: string[];
  pools: PoolGroup[][];
  canonicalPools: string[];
  invited: number[];
}

export async function drawTruth(w: World, drawId: number): Promise<DrawTruth> {
  const d = await w.tdb.db('draws').where({ id: drawId }).first();
  const rounds = await w.tdb.db('draw_rounds').where({ draw_id: drawId }).orderBy('round_no');
  const seeds: string[] = [];
  const pools: PoolGroup[][] = [];
  for (const r of rounds) {
    seeds.push(w.sealer.open<string>(r.seed_sealed, `draw-round:${drawId}:${r.round_no}:seed`));
    pools.push(w.sealer.open<PoolGroup[]>(r.pool_sealed, `draw-round:${drawId}:${r.round_no}:pool`));
  }
  // A draw-level secret, when the scheme has one, is sealed too.
  for (const col of ['master_seed_sealed', 'secret_sealed']) if (d[col]) seeds.push(w.sealer.open<string>(d[col], `draw:${drawId}:secret`));
  const invitations = await w.tdb.db('draw_invitations').where({ draw_id: drawId }).orderBy('id');
  const invited = invitations.map((i: { payload_sealed: string }) => w.sealer.open<{ expertId: number }>(i.payload_sealed, invitationContext(drawId)).expertId);
  return {
    drawId,
    projectRef: d.project_ref,
    seeds,
    pools,
    canonicalPools: pools.map((p) => JSON.stringify(p.map((g) => ({ specialty: g.specialty, count: g.count, ids: [...g.ids].sort((a, b) => a - b) })))),
    invited,
  };
}

export interface BidTruth {
  bidId: number;
  supplierId: number;
  /** The bidder's registered name (secret until the opening record, as its price is). */
  supplierName: string;
  status: string;
  priceFen: number | null;
  /** The bid's files as the plaintext carries them (base64) and as text. */
  files: Array<{ base64: string; text: string }>;
  responses: string[];
}

/**
 * Every current bid of a tender as only its bidder (and, once the key is handed in, the server)
 * knows it: from the opened record when the server holds one (in clear or sealed), else by
 * opening the envelope with the demo passphrase when it is the demo supplier's.
 */
export async function tenderTruth(w: World, tenderId: number): Promise<BidTruth[]> {
  const rows = await w.tdb.db('tender_bids as b').join('suppliers as s', 's.id', 'b.supplier_id').where({ 'b.tender_id': tenderId }).whereIn('b.status', ['sealed', 'decrypted', 'invalid', 'disqualified']).orderBy('b.id').select('b.*', 's.name as supplier_name');
  const out: BidTruth[] = [];
  for (const r of rows) {
    let plain: { priceFen: number; responses: Record<string, string>; attachments: Array<{ dataBase64: string }> } | null = null;
    if (r.opened_json) plain = JSON.parse(r.opened_json);
    else if (r.opened_sealed) plain = JSON.parse(w.sealer.open<string>(r.opened_sealed, `tender-bid:${r.id}:opened`));
    else if (r.envelope) {
      try {
        const opened = openBid(r.envelope, keyForEnvelope(r.envelope, { passphrase: DEMO_PASSWORD }), r.plaintext_sha256);
        if (opened.ok) plain = opened.bid as unknown as typeof plain;
      } catch {
        /* not the demo passphrase */
      }
    }
    out.push({
      bidId: Number(r.id),
      supplierId: Number(r.supplier_id),
      supplierName: r.supplier_name,
      status: r.status,
      priceFen: plain ? plain.priceFen : r.price_fen === null ? null : Number(r.price_fen),
      files: (plain?.attachments ?? []).map((a) => ({ base64: a.dataBase64, text: Buffer.from(a.dataBase64, 'base64').toString('utf8') })),
      responses: Object.values(plain?.responses ?? {}),
    });
  }
  return out;
}
