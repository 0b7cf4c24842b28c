import { expect } from 'chai';
import { createTestDb, type TestDb, TEST_DIALECT } from '../helpers/db';
import { seedDemo, isEmpty } from '../../db/seeds/demo';
import { systemClock } from '../../server/db/time';
import { verifyChain } from '../../server/supervision/audit/audit';
import { isValidCreditCode } from '../../server/execution/suppliers/credit-code';
import { ROLES } from '../../server/http/actor';

describe(`demo seed (${TEST_DIALECT})`, () => {
  let t: TestDb;
  before(async function () {
    this.timeout(60000);
    t = await createTestDb();
    expect(await isEmpty(t.db)).to.equal(true);
    await seedDemo(t.db, systemClock);
  });
  after(() => t.destroy());

  const count = async (table: string, where: Record<string, unknown> = {}) => Number((await t.db(table).where(where).count({ n: '*' }).first())!.n);

  it('builds a realistic city', async () => {
    expect(await count('organisations', { kind: 'purchasing_unit' })).to.equal(31);
    for (const kind of ['finance_bureau', 'procurement_centre', 'supervisors_office']) expect(await count('organisations', { kind })).to.equal(1);
    expect(await count('suppliers')).to.be.at.least(60);
    expect(await count('experts')).to.be.at.least(300);
    for (const kind of ['goods', 'services', 'works']) expect(await count('catalogue_categories', { kind })).to.be.greaterThan(3);
    const units = await t.db('organisations').where({ kind: 'purchasing_unit' }).select('id');
    for (const u of units) expect(await count('budget_lines', { org_id: u.id }), `unit ${u.id}`).to.be.at.least(3);
  });

  it('gives each supplier a valid credit code and each framework category several brands', async () => {
    for (const s of await t.db('suppliers').select('credit_code')) expect(isValidCreditCode(s.credit_code), s.credit_code).to.equal(true);
    const framework = await t.db('catalogue_categories').where({ framework_agreement: true }).select('code');
    for (const { code } of framework) {
      const brands = await t.db('supplier_brands').where({ category_code: code }).distinct('brand');
      expect(brands.length, code).to.be.at.least(3);
    }
  });

  it('has one user per role and an intact audit chain', async () => {
    const roles = (await t.db('user_roles').select('role')).map((r: { role: string }) => r.role);
    expect([...roles].sort()).to.deep.equal([...ROLES].sort());
    const v = await verifyChain(t.db);
    expect(v.intact).to.equal(true);
    expect(v.events).to.be.greaterThan(400);
  });

  it('stores integer fen only', async () => {
    for (const b of await t.db('budget_lines').select('allocated_fen')) expect(Number.isSafeInteger(Number(b.allocated_fen))).to.equal(true);
  });
});
