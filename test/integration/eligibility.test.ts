import { expect } from 'chai';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { seedDemo } from '../../db/seeds/demo';
import { ManualClock, toDbTime } from '../../server/db/time';
import { assertSupplierMayAct } from '../../server/execution/suppliers/eligibility';

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
});
