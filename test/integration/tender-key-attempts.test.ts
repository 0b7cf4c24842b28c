// A mistyped passphrase at the opening does not destroy a bid: the key is refused (422 WRONG_KEY,
// attempts used and left), the bid stays sealed, and the right key within the window opens it.
// Attempts are bounded by the rule book (tenderMaxKeyAttempts, configurable per city) and every
// attempt is audited without the key.
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex, keyForEnvelope, newPassphraseKdf } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureSupplierUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;
const MIN = 60_000;

describe(`tendering: a wrong key is refused, not fatal (${TEST_DIALECT})`, function () {
  this.timeout(120_000);
  const clock = new ManualClock(Date.UTC(2026, 4, 11, 1, 0, 0));
  let s: TestServer;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;

  before(async () => {
    s = await startTestServer({ clock });
    suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, clock, 4));
  });
  after(() => s?.stop());

  /** A published tender with three sealed bids (the first under a passphrase); the opening started. */
  async function openingWithBids(passphrase: string) {
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).first('code')).code;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const created = await op.post('/api/tenders', { title: '口令纠错测试', kind: 'goods', categoryCode: category, budgetFen: 90_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, description: '测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const id = created.body.id as number;
    expect((await op.post(`/api/tenders/${id}/publish`)).status).to.equal(200);
    const keys: string[] = [];
    const prices = [81_000_000, 82_000_000, 83_000_000];
    for (const [i, sup] of suppliers.slice(0, 3).entries()) {
      const plain = { tenderId: id, supplierId: sup.supplierId, priceFen: prices[i], responses: { 'r-spec': 'ok' }, attachments: [] };
      const sealed = i === 0 ? sealBid(plain, { passphrase, kdf: newPassphraseKdf(2000) }) : sealBid(plain, { keyHex: randomHex(32) });
      const r = await (await s.as(sup.username)).post(`/api/tenders/${id}/bids`, { envelope: sealed.envelope, digest: sealed.digest });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
      keys.push(sealed.keyHex);
    }
    clock.set(new Date(deadline).getTime());
    await s.platform.scheduler.runDue();
    expect((await (await s.as('operator')).get(`/api/tenders/${id}`)).body.status).to.equal('opening'); // signed in afresh: the clock jumped
    return { id, keys, prices, deadline: new Date(deadline).getTime() };
  }
  const events = async (tenderId: number, actions: string[]) => (await s.tdb.db('audit_events').where({ entity_type: 'tender', entity_id: String(tenderId) }).whereIn('action', actions).orderBy('seq')).map((e: any) => ({ action: e.action, after: JSON.parse(e.after_json) }));

  it('refuses a wrong passphrase (the bid stays sealed) and opens the bid with the right one within the window', async () => {
    const { id, keys, prices } = await openingWithBids('correct horse battery');
    const bidder = await s.as(suppliers[0].username);
    const mine = await bidder.get(`/api/tenders/${id}/bids/mine`);
    const envelope = mine.body.items[0].envelope as string;
    // The passphrase mistyped: the key derived from it does not match the envelope's key check.
    clock.advance(2 * MIN);
    const wrong = await bidder.post(`/api/tenders/${id}/opening/key`, { key: keyForEnvelope(envelope, { passphrase: 'correct horse batery' }) });
    expect(wrong.status).to.equal(422);
    expect(wrong.body.error.code).to.equal('WRONG_KEY');
    expect(wrong.body.error.details).to.include({ attemptsUsed: 1, attemptsLeft: 4, maxAttempts: 5 });
    const after1 = await bidder.get(`/api/tenders/${id}`);
    expect(after1.body.myBids[0]).to.include({ status: 'sealed', keyAttempts: 1 });
    expect(after1.body.maxKeyAttempts).to.equal(5);
    expect(after1.body.openingProgress).to.deep.equal({ bids: 3, resolved: 0, pending: 3 });
    // The right passphrase, still within the window.
    clock.advance(3 * MIN);
    const right = await bidder.post(`/api/tenders/${id}/opening/key`, { key: keyForEnvelope(envelope, { passphrase: 'correct horse battery' }) });
    expect(right.status, JSON.stringify(right.body)).to.equal(200);
    expect(right.body).to.include({ status: 'decrypted', priceFen: prices[0], attempt: 2 });
    // The others open theirs: the record shows all three valid.
    for (const i of [1, 2]) expect((await (await s.as(suppliers[i].username)).post(`/api/tenders/${id}/opening/key`, { key: keys[i] })).body.status).to.equal('decrypted');
    const record = (await bidder.get(`/api/tenders/${id}`)).body.openingRecord;
    expect(record.map((l: any) => [l.supplierId, l.priceFen, l.decryptionStatus])).to.deep.equal(suppliers.slice(0, 3).map((x, i) => [x.supplierId, prices[i], 'decrypted']));
    // Each attempt is audited, wrong and right, with its number; never the key.
    const trail = await events(id, ['bid.key_rejected', 'bid.decrypted']);
    expect(trail.map((e) => [e.action, e.after.supplierId, e.after.reason ?? null, e.after.attemptsLeft ?? null, e.after.attempt ?? null])).to.deep.equal([
      ['bid.key_rejected', suppliers[0].supplierId, 'WRONG_KEY', 4, null],
      ['bid.decrypted', suppliers[0].supplierId, null, null, 2],
      ['bid.decrypted', suppliers[1].supplierId, null, null, 1],
      ['bid.decrypted', suppliers[2].supplierId, null, null, 1],
    ]);
    expect(trail[0].after).to.include({ attemptsUsed: 1, maxAttempts: 5, status: 'sealed' });
    const all = JSON.stringify(await s.tdb.db('audit_events').select('before_json', 'after_json'));
    for (const k of [...keys, keyForEnvelope(envelope, { passphrase: 'correct horse batery' })]) expect(all).to.not.include(k);
    expect(all).to.not.include('correct horse');
  });

  it('bounds the attempts by the rule book (a city may change it) and leaves the bid sealed until the window closes', async () => {
    const admin = await s.as('admin');
    const set = await admin.request('PUT', '/api/rules/tenderMaxKeyAttempts', { value: 3, source: '本市规定：每份投标解密期间最多提交 3 次密钥' });
    expect(set.status, JSON.stringify(set.body)).to.equal(200);
    const { id, keys } = await openingWithBids('another passphrase');
    const bidder = await s.as(suppliers[0].username);
    const left: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await bidder.post(`/api/tenders/${id}/opening/key`, { key: randomHex(32) });
      expect(r.body.error.code).to.equal('WRONG_KEY');
      left.push(r.body.error.details.attemptsLeft);
    }
    expect(left).to.deep.equal([2, 1, 0]);
    // Attempts used: even the right key is no longer tried (no guessing through the platform).
    const rightTooLate = await bidder.post(`/api/tenders/${id}/opening/key`, { key: keys[0] });
    expect(rightTooLate.status).to.equal(422);
    expect(rightTooLate.body.error.code).to.equal('KEY_ATTEMPTS_EXHAUSTED');
    expect(rightTooLate.body.error.details).to.include({ attemptsUsed: 3, attemptsLeft: 0, maxAttempts: 3 });
    const row = await s.tdb.db('tender_bids').where({ tender_id: id, supplier_id: suppliers[0].supplierId, status: 'sealed' }).first();
    expect(row.key_attempts).to.equal(3);
    expect(row.decrypted_at).to.equal(null);
    // The others open theirs; the window closes: the bid without a right key is not decrypted.
    for (const i of [1, 2]) expect((await (await s.as(suppliers[i].username)).post(`/api/tenders/${id}/opening/key`, { key: keys[i] })).body.status).to.equal('decrypted');
    const t = (await bidder.get(`/api/tenders/${id}`)).body;
    clock.set(new Date(t.decryptionEndsAt).getTime());
    await s.platform.scheduler.runDue();
    const after = (await bidder.get(`/api/tenders/${id}`)).body;
    expect(after.openingRecord.find((l: any) => l.supplierId === suppliers[0].supplierId)).to.include({ decryptionStatus: 'invalid', invalidReason: 'NOT_DECRYPTED' });
    expect((await bidder.post(`/api/tenders/${id}/opening/key`, { key: keys[0] })).status).to.equal(409);
    const trail = await events(id, ['bid.key_rejected', 'bid.invalidated']);
    expect(trail.map((e) => e.after.reason)).to.deep.equal(['WRONG_KEY', 'WRONG_KEY', 'WRONG_KEY', 'KEY_ATTEMPTS_EXHAUSTED', 'NOT_DECRYPTED']);
    expect(trail.at(-1)!.after.wrongKeys).to.equal(3);
    await (await s.as('admin')).request('PUT', '/api/rules/tenderMaxKeyAttempts', { value: 5, source: 'Platform default' });
  });

  it('refuses a key after the window has closed', async () => {
    const { id, keys } = await openingWithBids('third passphrase');
    const bidder = await s.as(suppliers[1].username);
    clock.advance(31 * MIN);
    const late = await bidder.post(`/api/tenders/${id}/opening/key`, { key: keys[1] });
    expect([late.status, late.body.error.code]).to.deep.equal([409, 'DECRYPTION_WINDOW_CLOSED']);
    await s.platform.scheduler.runDue();
  });
});
