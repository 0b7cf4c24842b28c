import { expect } from 'chai';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { seedDemo } from '../../db/seeds/demo';
import { ManualClock, toDbTime } from '../../server/db/time';
import { assertSupplierMayAct } from '../../server/execution/suppliers/eligibility';
import { EligibilityCache } from '../../server/execution/auctions/eligibility-cache';
import { SharedCaches } from '../../server/realtime/caches';
import { LocalBus } from '../../server/realtime/bus';
import { createLogger } from '../../server/http/log';

describe(`supplier eligibility (${TEST_DIALECT})`, () => {
  let t: TestDb;
  const clock = new ManualClock(Date.UTC(2026, 10, 1));
  before(async () => {
    t = await createTestDb();
    await seedDemo(t.db, clock, { experts: 10, suppliers: 14 });
  });
  after(() => t.destroy());

  it('lets an approved supplier act and refuses a blacklisted one only inside the period', async () => {
    const s = await t.db('suppliers').where({ status: 'approved' }).first();
    await assertSupplierMayAct(t.db, s.id, clock.now(), 'submit_bid');
    await t.db('supplier_blacklist').insert({ supplier_id: s.id, reason: 'false documents', source: 'Finance Bureau decision 2026-17', starts_at: toDbTime(Date.UTC(2026, 9, 1)), ends_at: toDbTime(Date.UTC(2027, 9, 1)), created_at: toDbTime(clock.now()) });
    let code = '';
    try {
      await assertSupplierMayAct(t.db, s.id, clock.now(), 'join_competition');
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).to.equal('SUPPLIER_BLACKLISTED');
    await assertSupplierMayAct(t.db, s.id, new Date(Date.UTC(2027, 9, 2)), 'sign_contract');
  });

  it('refuses a supplier still pending review', async () => {
    const s = await t.db('suppliers').where({ status: 'pending' }).first();
    let code = '';
    try {
      await assertSupplierMayAct(t.db, s.id, clock.now(), 'submit_bid');
    } catch (e) {
      code = (e as { code: string }).code;
    }
    expect(code).to.equal('SUPPLIER_NOT_APPROVED');
  });

  it('the bid path\'s eligibility answer lasts until a blacklisting entered for a later date starts, and until the one it reports ends', async () => {
    const log = createLogger('error');
    const caches = new SharedCaches(t.db, new LocalBus('n1', log), log);
    const own = new ManualClock(Date.UTC(2026, 10, 1, 2));
    const cache = new EligibilityCache(t.db, own, caches);
    try {
      const [a, b] = await t.db('suppliers').where({ status: 'approved' }).whereNotExists((q) => q.select(t.db.raw('1')).from('supplier_blacklist').whereRaw('supplier_blacklist.supplier_id = suppliers.id')).orderBy('id').limit(2);
      expect(await cache.check(a.id)).to.equal(null);
      expect(await cache.check(b.id)).to.equal(null);
      // Entered behind the cache's back (no audit event drops it): A from 10 s later, B now until 20 s later.
      await t.db('supplier_blacklist').insert({ supplier_id: a.id, reason: 'false documents', source: 'decision 1', starts_at: toDbTime(own.now().getTime() + 10_000), ends_at: toDbTime(Date.UTC(2027, 0, 1)), created_at: toDbTime(own.now()) });
      own.advance(5_000);
      expect(await cache.check(a.id)).to.equal(null); // kept: nothing has started yet (and the entry was read before it existed)
      cache.clear();
      expect(await cache.check(a.id)).to.equal(null); // read again: allowed, but only until the blacklisting starts
      await t.db('supplier_blacklist').insert({ supplier_id: b.id, reason: 'collusion', source: 'decision 2', starts_at: toDbTime(own.now().getTime() - 1000), ends_at: toDbTime(own.now().getTime() + 20_000), created_at: toDbTime(own.now()) });
      cache.clear();
      expect((await cache.check(b.id))?.code).to.equal('SUPPLIER_BLACKLISTED');
      own.advance(5_001); // A's blacklisting has started: no event, the answer expired with it
      expect((await cache.check(a.id))?.code).to.equal('SUPPLIER_BLACKLISTED');
      own.advance(15_000); // B's has ended
      expect(await cache.check(b.id)).to.equal(null);
    } finally {
      cache.close();
      caches.close();
    }
  });
});
