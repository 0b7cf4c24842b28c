// Framework responses are sealed as tender bids are (docs/threat-model.md, "framework responses"):
// before the key window closes nobody, not the operator, the admin or anyone with the database,
// the SQLite file, the logs, the job payloads, a backup, or the platform's own seal key, reads a
// response's prices, brands or statement. Played on the demo city: three suppliers answer a call
// for entry with prices and words the suite chose; every party sweeps every GET route it may call
// and every byte at rest is searched, while the call takes responses, when the key window opens,
// and when one key of three is in; then the last key reads them out and the same search finds
// them (the search works).
import { expect } from 'chai';
import { TEST_DIALECT } from '../helpers/db';
import { withTx } from '../../server/db/tx';
import { ensureSupplierUser } from '../../server/execution/tendering/demo-users';
import { sealResponse } from '../../client/src/views/framework/sealing';
import { generateBidKey, keyMatchesEnvelope } from '../../client/src/views/tendering/sealing';
import { buildWorld, SEAL_KEY, type World } from './world';
import { party, sweep, scanAnswers, dumpDatabase, scanDump, rawDatabaseText, backupFiles, scan, priceTokens, textToken, type Party, type Ids, type Token } from './attacks';

const DAY = 86_400_000;
const CATEGORY = 'A02010108';

describe(`adversaries against sealed framework responses (${TEST_DIALECT})`, function () {
  this.timeout(600_000);
  let w: World;
  let parties: Party[] = [];
  let ids: Ids;
  let agreementId = 0;
  const responders: Array<{ supplierId: number; username: string; brand: string; model: string; priceFen: number; statement: string; keyHex: string }> = [];
  let tokens: Token[] = [];
  const numbers: Array<{ label: string; n: number }> = [];
  let castList: Array<[string, string | null]> = [];
  /** Every party signs in (again: sessions end while the suite moves the clock by weeks). */
  async function signIn() {
    parties = [];
    const seen = new Set<string>();
    for (const [name, username] of castList) {
      if (username && seen.has(username)) continue;
      if (username) seen.add(username);
      parties.push(await party(w, name, username));
    }
  }

  before(async () => {
    w = await buildWorld();
    const db = w.tdb.db;
    const op = await w.as('operator');
    // Three approved suppliers of the category with a registered brand, each with an account.
    const rows = await db('supplier_brands as b')
      .join('suppliers as s', 's.id', 'b.supplier_id')
      .join('supplier_categories as sc', function () {
        this.on('sc.supplier_id', '=', 'b.supplier_id').andOn('sc.category_code', '=', 'b.category_code');
      })
      .where({ 's.status': 'approved', 'b.category_code': CATEGORY })
      .whereNotIn('s.id', db('supplier_blacklist').select('supplier_id'))
      .orderBy('s.id')
      .select('s.id as supplier_id', 'b.brand', 'b.model');
    // Prices and words nothing else in the demo city holds.
    const prices = [7_654_321, 7_531_947, 7_777_419];
    for (const r of rows) {
      if (responders.length === 3 || responders.some((x) => x.supplierId === Number(r.supplier_id))) continue;
      const userId = await withTx(db, (tx) => ensureSupplierUser(tx, w.clock, Number(r.supplier_id)));
      const username = (await db('users').where({ id: userId }).first('username')).username;
      const i = responders.length;
      responders.push({ supplierId: Number(r.supplier_id), username, brand: r.brand, model: r.model, priceFen: prices[i], statement: `响应承诺暗记-${i}-${generateBidKey().slice(0, 12)}`, keyHex: generateBidKey() });
    }
    expect(responders, 'three suppliers of the category in the demo city').to.have.length(3);
    const now = w.clock.now().getTime();
    const day = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
    const deadline = now + 21 * DAY;
    const a = (await op.post('/api/framework-agreements', {
      title: '平板电脑（密封检验）',
      categoryCode: CATEGORY,
      evaluationMethod: 'price_priority',
      entryConditions: '具备供货能力',
      secondStageModes: ['direct'],
      termStart: day(deadline + DAY),
      termEnd: day(deadline + 300 * DAY),
      items: [{ categoryCode: CATEGORY, name: '平板电脑', specification: '11 英寸', unit: '台', maxPriceFen: 8_000_000 }],
    })).body;
    expect(a.id, JSON.stringify(a)).to.be.a('number');
    agreementId = a.id;
    expect((await op.post(`/api/framework-agreements/${a.id}/publish`, { responseDeadline: new Date(deadline).toISOString() })).status).to.equal(200);
    for (const r of responders) {
      const sealed = sealResponse({ agreementId, supplierId: r.supplierId, statement: r.statement, items: [{ itemId: a.items[0].id, unitPriceFen: r.priceFen, brand: r.brand, model: r.model }] }, { keyHex: r.keyHex });
      const res = await (await w.as(r.username)).post(`/api/framework-agreements/${agreementId}/responses`, { envelope: sealed.envelope, digest: sealed.digest });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      tokens.push(...priceTokens(`price of supplier ${r.supplierId}`, r.priceFen), textToken(`statement of supplier ${r.supplierId}`, r.statement));
      numbers.push({ label: `price of supplier ${r.supplierId}`, n: r.priceFen });
    }
    const cast: Array<[string, string | null]> = [['public', null], ['operator', 'operator'], ['admin', 'admin'], ['supervisor', 'supervisor'], ['purchaser', 'purchaser'], ['finance', 'finance'], ['supplier (no response)', 'supplier'], ...responders.map((r, i): [string, string] => [`responder ${i}`, r.username])];
    castList = cast;
    await signIn();
    ids = { draw: [], tender: [], auction: [], expert: [], supplier: responders.map((r) => r.supplierId), bid: [], notice: [], project: [1], projectRef: [], ocid: [`ocds-ygcg01-${a.ref}`], framework: [agreementId], frameworkRef: [a.ref] };
  });
  after(async () => {
    await w?.stop();
  });

  /** Everything every party and every copy at rest shows, searched for the sealed prices and words. */
  async function findings(): Promise<string[]> {
    const out: string[] = [];
    for (const p of parties) out.push(...scanAnswers(await sweep(w, p, ids), tokens));
    out.push(...scanDump(await dumpDatabase(w), tokens, numbers));
    const raw = rawDatabaseText(w);
    if (raw !== null) out.push(...scan('raw SQLite file and WAL', raw, tokens));
    for (const f of backupFiles(w)) out.push(...scan(`backup ${f.file}`, f.text, tokens));
    out.push(...w.logs.flatMap((l, i) => scan(`log line ${i}`, l, tokens)));
    return out;
  }

  it('reveals no price or statement to any party or copy while the call takes responses', async () => {
    expect(await findings()).to.deep.equal([]);
  });

  it('cannot be opened with the platform seal key: only the supplier holds the key', async () => {
    for (const r of await w.tdb.db('framework_responses').where({ agreement_id: agreementId })) {
      expect(keyMatchesEnvelope(r.sealed, SEAL_KEY.slice(0, 64))).to.equal(false);
      expect(keyMatchesEnvelope(r.sealed, responders.find((x) => x.supplierId === r.supplier_id)!.keyHex)).to.equal(true);
      expect(r.opened_sealed).to.equal(null);
    }
    // The job that opens the call at the deadline carries the agreement, nothing of a response.
    const jobs = await w.tdb.db('scheduled_jobs').where('job_key', 'like', `framework:${agreementId}:%`).select('payload_json');
    expect(jobs.length).to.be.greaterThan(0);
    for (const j of jobs) expect(JSON.parse(String(j.payload_json))).to.deep.equal({ agreementId });
  });

  it('reveals nothing when the key window opens, nor while one key of three is in', async () => {
    w.clock.advance(21 * DAY + 60_000);
    while ((await w.platform.scheduler.runDue()) > 0);
    await signIn();
    expect((await w.tdb.db('framework_agreements').where({ id: agreementId }).first('status')).status).to.equal('opening');
    expect(await findings()).to.deep.equal([]);
    const first = responders[0];
    const res = await (await w.as(first.username)).post(`/api/framework-agreements/${agreementId}/responses/key`, { keyHex: first.keyHex });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(JSON.stringify(res.body)).to.not.include(String(first.priceFen));
    expect(await findings()).to.deep.equal([]);
  });

  it('reads every response out together when the last key is in (the search finds them then)', async () => {
    for (const r of responders.slice(1)) expect((await (await w.as(r.username)).post(`/api/framework-agreements/${agreementId}/responses/key`, { keyHex: r.keyHex })).status).to.equal(200);
    const v = (await (await w.as('operator')).get(`/api/framework-agreements/${agreementId}`)).body;
    expect(v.status).to.equal('evaluation');
    expect(v.responses.map((r: any) => r.totalFen).sort()).to.deep.equal(responders.map((r) => r.priceFen).sort());
    const after = await findings();
    for (const r of responders) expect(after.some((f) => f.includes(`price of supplier ${r.supplierId}`)), `price of ${r.supplierId} found after the read-out`).to.equal(true);
  });
});
