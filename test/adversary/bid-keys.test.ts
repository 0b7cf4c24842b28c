// The key hand-in at the opening, attacked: a wrong key is no longer fatal, so the hand-in must
// not become a way to guess a passphrase through the platform, to spoil someone else's bid, or to
// open a tampered envelope. Parties: the bidder itself guessing (one by one and all at once), an
// insider with write access to the database, another bidder holding the victim's key, a supplier
// without a bid, every official role and the public.
import { expect } from 'chai';
import crypto from 'node:crypto';
import { startTestServer, type TestServer } from '../helpers/server';
import { TEST_DIALECT } from '../helpers/db';
import { ManualClock } from '../../server/db/time';
import { withTx } from '../../server/db/tx';
import { sealBid, randomHex, newPassphraseKdf, keyForEnvelope } from '../../client/src/views/tendering/sealing';
import { TEMPLATES } from '../../server/execution/tendering/templates';
import { ensureSupplierUsers } from '../../server/execution/tendering/demo-users';

const DAY = 86_400_000;

describe(`adversaries against the key hand-in at the opening (${TEST_DIALECT})`, function () {
  this.timeout(180_000);
  const clock = new ManualClock(Date.UTC(2026, 5, 16, 2, 0, 0));
  let s: TestServer;
  let suppliers: Array<{ userId: number; supplierId: number; username: string }>;
  let tenderId = 0;
  const keys: string[] = [];
  const PASSPHRASE = 'victim passphrase 2026';

  before(async () => {
    s = await startTestServer({ clock });
    suppliers = await withTx(s.tdb.db, (tx) => ensureSupplierUsers(tx, clock, 6));
    const op = await s.as('operator');
    const tpl = TEMPLATES.goods;
    const category = (await s.tdb.db('catalogue_categories').where({ kind: 'goods', framework_agreement: false }).first('code')).code;
    const deadline = new Date(clock.now().getTime() + 21 * DAY).toISOString();
    const created = await op.post('/api/tenders', { title: '对抗测试：密钥提交', kind: 'goods', categoryCode: category, budgetFen: 90_000_000, method: tpl.method, priceWeight: tpl.priceWeight, smeDeductionPct: tpl.smeDeductionPct, decryptionMinutes: 60, description: '对抗测试', requirements: tpl.requirements, qualifications: tpl.qualifications, criteria: tpl.criteria, bidDeadline: deadline, openingAt: deadline });
    tenderId = created.body.id;
    expect((await op.post(`/api/tenders/${tenderId}/publish`)).status).to.equal(200);
    // Five bidders (the sixth supplier does not bid); bidder 0 seals under a passphrase.
    for (const [i, sup] of suppliers.slice(0, 5).entries()) {
      const plain = { tenderId, supplierId: sup.supplierId, priceFen: 80_000_000 + i * 1_000_000, responses: { 'r-spec': 'ok' }, attachments: [] };
      const sealed = i === 0 ? sealBid(plain, { passphrase: PASSPHRASE, kdf: newPassphraseKdf(2000) }) : sealBid(plain, { keyHex: randomHex(32) });
      expect((await (await s.as(sup.username)).post(`/api/tenders/${tenderId}/bids`, { envelope: sealed.envelope, digest: sealed.digest })).status).to.equal(201);
      keys.push(sealed.keyHex);
    }
    clock.set(new Date(deadline).getTime());
    await s.platform.scheduler.runDue();
    expect((await s.tdb.db('tenders').where({ id: tenderId }).first('status')).status).to.equal('opening');
  });
  after(() => s?.stop());

  const bidRow = (i: number) => s.tdb.db('tender_bids').where({ tender_id: tenderId, supplier_id: suppliers[i].supplierId }).whereIn('status', ['sealed', 'decrypted', 'invalid']).first();
  const attempts = (action: string, i: number) => s.tdb.db('audit_events').where({ action, entity_type: 'tender', entity_id: String(tenderId) }).where('after_json', 'like', `%"supplierId":${suppliers[i].supplierId},%`).select('after_json', 'actor_id');

  it('nobody else can hand in a key for a bid: other bidders reach only their own, officials and the public are refused', async () => {
    // Bidder 2 holds bidder 1's key (leaked): handed in, it is tried against bidder 2's own bid only.
    const other = await s.as(suppliers[2].username);
    const r = await other.post(`/api/tenders/${tenderId}/opening/key`, { key: keys[1] });
    expect([r.status, r.body.error?.code]).to.deep.equal([422, 'WRONG_KEY']);
    expect(await bidRow(1)).to.include({ status: 'sealed', key_attempts: 0 });
    expect((await bidRow(2)).key_attempts).to.equal(1);
    // The body names no bid: there is no way to point at someone else's.
    const pointed = await other.post(`/api/tenders/${tenderId}/opening/key`, { key: keys[1], bidId: (await bidRow(1)).id, supplierId: suppliers[1].supplierId });
    expect(pointed.status).to.equal(400);
    // A supplier without a bid.
    const outsider = await (await s.as(suppliers[5].username)).post(`/api/tenders/${tenderId}/opening/key`, { key: keys[1] });
    expect([outsider.status, outsider.body.error.code]).to.deep.equal([404, 'NO_BID']);
    for (const u of ['operator', 'purchaser', 'supervisor', 'admin', 'finance', 'expert']) {
      const c = await s.as(u);
      expect((await c.post(`/api/tenders/${tenderId}/opening/key`, { key: keys[1] })).status, u).to.equal(403);
    }
    expect((await s.client().post(`/api/tenders/${tenderId}/opening/key`, { key: keys[1] })).status).to.equal(401);
    expect(await bidRow(1)).to.include({ status: 'sealed', key_attempts: 0 });
  });

  it('bounds guessing: 24 wrong keys sent at once try at most the configured number, each audited', async () => {
    const guesser = await s.as(suppliers[0].username);
    const envelope = (await guesser.get(`/api/tenders/${tenderId}/bids/mine`)).body.items[0].envelope as string;
    const guesses = Array.from({ length: 24 }, (_, n) => keyForEnvelope(envelope, { passphrase: `victim passphrase ${2000 + n}` }));
    const answers = await Promise.all(guesses.map((k) => guesser.post(`/api/tenders/${tenderId}/opening/key`, { key: k })));
    const codes = answers.map((a) => a.body.error?.code);
    expect(codes.filter((c) => c === 'WRONG_KEY')).to.have.length(5);
    expect(codes.filter((c) => c === 'KEY_ATTEMPTS_EXHAUSTED')).to.have.length(19);
    expect(answers.every((a) => a.status === 422)).to.equal(true);
    // Even the right passphrase is no longer tried: the guesses used the attempts.
    const right = await guesser.post(`/api/tenders/${tenderId}/opening/key`, { key: keyForEnvelope(envelope, { passphrase: PASSPHRASE }) });
    expect(right.body.error.code).to.equal('KEY_ATTEMPTS_EXHAUSTED');
    expect(await bidRow(0)).to.include({ status: 'sealed', key_attempts: 5, price_fen: null, opened_sealed: null });
    // Every attempt is on the audit trail (25 refusals), by the bidder's account, without the key.
    const rejected = await attempts('bid.key_rejected', 0);
    expect(rejected).to.have.length(25);
    expect(rejected.every((e: { actor_id: number }) => Number(e.actor_id) === suppliers[0].userId)).to.equal(true);
    expect(rejected.map((e: { after_json: string }) => JSON.parse(e.after_json).reason).sort()).to.deep.equal([...Array(5).fill('WRONG_KEY'), ...Array(20).fill('KEY_ATTEMPTS_EXHAUSTED')].sort());
    const trail = JSON.stringify(await s.tdb.db('audit_events').select('before_json', 'after_json')) + s.logs.join('\n');
    for (const k of [...guesses, keyForEnvelope(envelope, { passphrase: PASSPHRASE })]) expect(trail).to.not.include(k);
    expect(trail).to.not.include(PASSPHRASE);
  });

  it('a tampered envelope is invalid whatever key is handed in; a wrong key does not hide the tampering', async () => {
    // An insider flips a ciphertext byte of bidder 3's envelope and fixes the stored hash.
    const b3 = await bidRow(3);
    const env = JSON.parse(b3.envelope);
    env.ct = env.ct.slice(0, 7) + (env.ct[7] === 'A' ? 'B' : 'A') + env.ct.slice(8);
    const altered = JSON.stringify(env);
    expect(altered).to.not.equal(b3.envelope);
    await s.tdb.db('tender_bids').where({ id: b3.id }).update({ envelope: altered, envelope_sha256: crypto.createHash('sha256').update(altered).digest('hex') });
    const c3 = await s.as(suppliers[3].username);
    // A wrong key is refused as wrong (the key check is intact), the right one finds the tampering.
    expect((await c3.post(`/api/tenders/${tenderId}/opening/key`, { key: randomHex(32) })).body.error.code).to.equal('WRONG_KEY');
    const opened = await c3.post(`/api/tenders/${tenderId}/opening/key`, { key: keys[3] });
    expect(opened.body).to.include({ status: 'invalid', reason: 'CIPHERTEXT_TAMPERED' });
    // An insider who changes bidder 4's envelope without fixing the hash: any key, right or wrong, finds it at once.
    const b4 = await bidRow(4);
    await s.tdb.db('tender_bids').where({ id: b4.id }).update({ envelope: b4.envelope.replace('"v":1', '"v":1 ') });
    const c4 = await s.as(suppliers[4].username);
    const wrongOnTampered = await c4.post(`/api/tenders/${tenderId}/opening/key`, { key: randomHex(32) });
    expect(wrongOnTampered.body).to.include({ status: 'invalid', reason: 'CIPHERTEXT_TAMPERED' });
    expect((await bidRow(4)).status).to.equal('invalid');
    expect((await c4.post(`/api/tenders/${tenderId}/opening/key`, { key: keys[4] })).body.error.code).to.equal('ALREADY_RESOLVED');
  });
});
